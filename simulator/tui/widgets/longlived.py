"""Keep long-lived objects out of the garbage collector's way: the one place CodeDesk calls
gc.freeze(), and why.

A full (generation 2) collection traverses every tracked object outside the permanent
generation. What start-up leaves alive lives as long as the app: the codebook and the pack,
the session, Textual's styles, every imported module, and after a first-run codebook build its
ICD-10-CM tree (~600,000 objects). Rescanning them made each full collection take 150-350 ms,
in the middle of a key press. gc.freeze() moves everything alive to the permanent generation,
which collections skip; a collection just before makes sure garbage is not kept with them.

It is done at two points, each once a process:

- "start-up": the session is ready and the queue is on screen (QueueScreen, after warming up
  the search);
- "chart screen": the app's chart screen, made once and reused for every chart (see
  ChartScreen.for_chart), is mounted, before it draws anything. Its ~40 widgets then stay out
  of every later collection too; only what is drawn and dropped since is scanned.

Frozen objects are never collected, so anything frozen that dies later stays in memory: the
lines the queue had drawn when a freeze ran (a few thousand objects, once). Once a process,
so a process that runs many apps (the tests) or starts a new session does not keep each one.

At the start-up point the collector's first threshold also goes from 700 to 10,000
allocations. A full collection is due when the objects that reached the oldest generation
since the last one exceed a quarter of those already there; with the long-lived objects
frozen, "those already there" are few, so every few charts opened set one off: 14 full
collections in the 130 presses of benchmarks/tui.py, 20-50 ms each, which made the p95 of
opening a chart and of a lookup keystroke (exactly the presses they fell in). With the higher
threshold the young collections are ~14x rarer (each still takes a millisecond or two) and
the same run has one full collection.

While the app runs, the collector's work is also moved out of key presses where it can be
(IdleCollector): a timer runs the collection due, as the thresholds would pick it, whenever
key and mouse input has paused for a moment and some allocations have piled up. The young
count then starts every keystroke near zero, so the automatic collections (still on, with
the thresholds above) only come inside a press when input never pauses, as in a held key
or a benchmark that presses the next key the moment a frame is drawn.
"""

from __future__ import annotations

import gc
import time

YOUNG_THRESHOLD = 10_000
"""Allocations (less deallocations) between collections of the youngest generation."""

_frozen: set[str] = set()
"""The points already frozen at, in this process."""


def freeze_long_lived(point: str) -> None:
    """Collect, then freeze what is alive, the first time this process reaches point."""
    if point in _frozen:
        return
    _frozen.add(point)
    gc.collect()
    gc.freeze()
    if point == "start-up":
        gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])


IDLE_SECONDS = 0.05
"""No key or mouse input for this long counts as a pause, in which collections may run."""

POLL_SECONDS = 0.05
"""How often the app's timer asks the collector whether a collection is due."""

IDLE_MINIMUM = 1_000
"""Fewer young allocations than this are not worth a collection, even in a pause."""


class IdleCollector:
    """Runs the garbage collector in pauses between key presses, ahead of its thresholds."""

    def __init__(self) -> None:
        """Input is taken to have just come."""
        self.last_input = time.monotonic()
        self.collections = [0, 0, 0]
        """Collections poll() has run, by generation."""

    def note_input(self) -> None:
        """A key or mouse event came in."""
        self.last_input = time.monotonic()

    def poll(self) -> int | None:
        """In a pause of input, run the collection due, if IDLE_MINIMUM young allocations have
        piled up; return the generation collected, or None.

        The generation is the one CPython's thresholds would pick: the oldest whose count has
        reached its threshold (a collection of a generation counts one for the next).
        """
        counts = gc.get_count()
        if counts[0] < IDLE_MINIMUM or not gc.isenabled():
            return None
        if time.monotonic() - self.last_input < IDLE_SECONDS:
            return None
        thresholds = gc.get_threshold()
        generation = 0
        for older in (2, 1):
            if counts[older] >= thresholds[older]:
                generation = older
                break
        gc.collect(generation)
        self.collections[generation] += 1
        return generation
