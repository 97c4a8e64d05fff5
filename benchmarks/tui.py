"""Key press to updated screen in CodeDesk, beside the same kinds of action in a bare Textual app.

Both apps run headless under Textual's Pilot (`app.run_test()`), in this one process. Each
figure is the wall time from a key event reaching the app (sent the way Pilot sends keys) to
the first frame the app renders that shows the result: the frame is the screen's compositor
update, which in a terminal is what gets written out. Pilot's own `press()` is not used for
the timed keys because it sleeps at least 2 x 20 ms per key to detect idleness, which would
swamp what is measured. Every action is done once before timing (first imports and caches).

CodeDesk runs as tests/tui/helpers.py builds it (fake clock, in-memory store) on the starter
pack, with a codebook index built into a temporary folder. Timed actions:

  open a chart     Enter on the queue, until the chart screen is drawn (Escape goes back)
  switch document  Down in the document list, until the viewer shows the next document
  lookup keystroke one character typed in the lookup (Ctrl+L), until its results are shown
  add a code       Enter in the diagnosis entry (code typed first), until its line is shown

and on the bare app: a key that updates a Static, a key that switches a ContentSwitcher, a
keystroke in an Input, a key that appends to a ListView.
By default each key is pressed the moment the previous one's frame is drawn: the worst case,
input that never pauses. With --pace MS every press waits MS milliseconds first (untimed), as
between a person's keystrokes (a fast typist: about 120 ms); work CodeDesk does in pauses of
input (the garbage collector's, widgets/longlived.py) then happens where it would in use.
Run: python benchmarks/tui.py [--runs N] [--pace MS] [--pack PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key  # noqa: E402
from textual.widgets import (  # noqa: E402
    ContentSwitcher,
    DataTable,
    Input,
    Label,
    ListItem,
    ListView,
    OptionList,
    Static,
    TextArea,
)

GOAL_MS = 50.0
"""Every CodeDesk p95 should be under this."""

SIZE = (120, 40)
"""Terminal size for both apps."""

LOOKUP_WORDS = ("pneumonia", "chf exacerbation", "lap chole", "afib", "distal radius fx", "e11.65")
"""What is typed in the lookup, one timed character at a time."""

DIAGNOSES = (
    "E11.9",
    "I10",
    "J18.9",
    "E78.5",
    "Z79.4",
    "I48.91",
    "K21.9",
    "F32.9",
    "N18.6",
    "J45.909",
)
"""Codes added to the chart one by one (all removed again once every one is on it)."""


def key_event(app: App[Any], key: str) -> None:
    """Send one key to the app as Pilot does (through the driver), without Pilot's idle waits."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(
            _get_unicode_name_from_key(REPLACED_KEYS.get(key, key))
        )
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    assert app._driver is not None
    app._driver.send_message(event)


def equals(get: Callable[[], object], want: object) -> Callable[[], bool]:
    """A check that get() gives want."""
    return lambda: get() == want


def replaced(get: Callable[[], object], old: object) -> Callable[[], bool]:
    """A check that get() no longer gives the very object it gave before (a new result)."""
    return lambda: get() is not old


def differs(get: Callable[[], object], old: object) -> Callable[[], bool]:
    """A check that get() no longer equals what it gave before."""
    return lambda: get() != old


def both(first: Callable[[], bool], second: Callable[[], bool]) -> Callable[[], bool]:
    """A check that both checks hold."""
    return lambda: first() and second()


class Frames:
    """Times a key press to the first frame rendered while the expected state holds, and
    notes the garbage collections that ran meanwhile (full ones, and young ones apart)."""

    pace = 0.0
    """Seconds to wait before each press (untimed): the pause between a person's keys."""

    def __init__(self, app: App[Any]) -> None:
        """Watch every frame the app renders (its screens' compositor updates)."""
        self.app = app
        self._waiting: tuple[Callable[[], bool], asyncio.Future[float]] | None = None
        self.collections: list[float] = []
        """Seconds spent in each full collection that ran during a timed press."""
        self.phase = ""
        """Diagnostics only: the part of the run the presses belong to (open, lookup...)."""
        self.phases: list[str] = []
        """The phase of each entry of collections."""
        self.young: list[tuple[int, float]] = []
        """(generation, seconds) of each collection of generation 0 or 1 during a timed press."""
        self._collecting = 0.0
        display = app._display

        def watched(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            waiting = self._waiting
            if renderable is None or waiting is None or screen is not app.screen:
                return
            ready, future = waiting
            if not future.done() and ready():
                future.set_result(time.perf_counter())

        app._display = watched  # type: ignore[method-assign]

    def _collection(self, phase: str, info: dict[str, int]) -> None:
        """Time the garbage collections (a gc callback): full ones, and the young ones."""
        if phase == "start":
            self._collecting = time.perf_counter()
        elif self._waiting is not None:
            took = time.perf_counter() - self._collecting
            if info.get("generation") == 2:
                self.collections.append(took)
                self.phases.append(self.phase)
            else:
                self.young.append((info.get("generation", 0), took))

    async def press(self, key: str, ready: Callable[[], bool], timeout: float = 10.0) -> float:
        """Press key; return seconds until a frame is drawn with ready() true."""
        if self.pace:
            await asyncio.sleep(self.pace)
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting = (ready, future)
        gc.callbacks.append(self._collection)
        start = time.perf_counter()
        key_event(self.app, key)
        try:
            end = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise RuntimeError(f"no frame showed the result of {key!r} in {timeout:g} s") from None
        finally:
            self._waiting = None
            gc.callbacks.remove(self._collection)
        return end - start


class Bare(App[None]):
    """A bare Textual app with the four kinds of update the comparison needs."""

    BINDINGS = [("f5", "bump"), ("f6", "switch"), ("f7", "append")]

    def compose(self) -> ComposeResult:
        """A counter, a two-page switcher, an entry and a list."""
        yield Static("0", id="counter")
        with ContentSwitcher(initial="one", id="switcher"):
            yield Static("page one", id="one")
            yield Static("page two", id="two")
        yield Input(id="entry")
        yield ListView(id="items")

    def on_mount(self) -> None:
        """Typing goes to the entry."""
        self.count = 0
        self.query_one(Input).focus()

    def action_bump(self) -> None:
        """Count up in the Static."""
        self.count += 1
        self.query_one("#counter", Static).update(str(self.count))

    def action_switch(self) -> None:
        """Show the other page."""
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "two" if switcher.current == "one" else "one"

    def action_append(self) -> None:
        """Add an item to the list."""
        items = self.query_one(ListView)
        items.append(ListItem(Label(f"item {len(items.children) + 1}")))


async def bare_figures(runs: int) -> dict[str, list[float]]:
    """Time the four bare actions, runs times each (after one untimed round)."""
    app = Bare()
    found: dict[str, list[float]] = {"static": [], "switcher": [], "input": [], "list": []}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        frames = Frames(app)
        counter = app.query_one("#counter", Static)
        switcher = app.query_one(ContentSwitcher)
        entry = app.query_one(Input)
        items = app.query_one(ListView)
        for run in range(runs + 1):
            timed = run > 0
            expected = app.count + 1
            took = await frames.press("f5", equals(lambda: str(counter.render()), str(expected)))
            if timed:
                found["static"].append(took)
            page = "two" if switcher.current == "one" else "one"
            took = await frames.press("f6", equals(lambda: switcher.current, page))
            if timed:
                found["switcher"].append(took)
            if len(entry.value) >= 40:
                await frames.press("ctrl+u", lambda: entry.value == "")
            value = entry.value + "a"
            took = await frames.press("a", equals(lambda: entry.value, value))
            if timed:
                found["input"].append(took)
            length = len(items.children) + 1
            took = await frames.press("f7", equals(lambda: len(items.children), length))
            if timed:
                found["list"].append(took)
        # For reference: what Pilot's own press() and pause() take for the same Static update.
        for _ in range(min(runs, 10)):
            start = time.perf_counter()
            await pilot.press("f5")
            await pilot.pause()
            found.setdefault("pilot", []).append(time.perf_counter() - start)
    return found


async def codedesk_figures(runs: int, pack: Path, cache: Path) -> dict[str, list[Any]]:
    """Time the four CodeDesk actions, runs times each (after one untimed round); also list
    the full garbage collections that ran during any press (under "collections")."""
    from simulator.config import Settings
    from simulator.factory import make_app
    from simulator.shift import FakeClock
    from simulator.store import MemoryStore
    from simulator.tui.screens.chart import ChartScreen
    from simulator.tui.screens.lookup import LookupScreen
    from simulator.tui.screens.queue import QueueScreen

    settings = Settings(pack=pack, cache_dir=cache, data_dir=cache / "data")
    app = make_app(settings, seed=7, clock=FakeClock(), store=MemoryStore())
    found: dict[str, list[Any]] = {"open": [], "document": [], "lookup": [], "add": []}
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(600):  # the start-up worker loads the pack, then the queue shows
            await pilot.pause(0.05)
            if isinstance(app.screen, QueueScreen) and app.screen.is_mounted:
                break
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen), "the queue never showed"
        frames = Frames(app)
        queue = app.screen
        table = queue.query_one(DataTable)

        def on_chart() -> bool:
            return isinstance(app.screen, ChartScreen)

        def on_queue() -> bool:
            return app.screen is queue

        # Open a chart: Enter on successive rows of the queue; Escape goes back (untimed).
        frames.phase = "open"
        for run in range(runs + 1):
            row = run % table.row_count
            if table.cursor_row != row:
                table.move_cursor(row=row)
                await pilot.pause()
            took = await frames.press("enter", on_chart)
            if run:
                found["open"].append(took)
            await frames.press("escape", on_queue)

        # The chart with the most documents serves the other three actions.
        session = app.session
        assert session is not None
        state = max(session.charts, key=lambda s: len(s.chart.documents))
        documents = len(state.chart.documents)
        table.move_cursor(row=table.get_row_index(state.chart.chart_id))
        await pilot.pause()
        await frames.press("enter", on_chart)
        chart = app.screen
        assert isinstance(chart, ChartScreen)
        viewer = chart.query_one("#doc-viewer", TextArea)
        doc_list = chart.query_one("#doc-list", OptionList)

        # Switch documents: Down (then Up from the last one) in the document list.
        frames.phase = "document"
        if documents > 1:
            await frames.press("ctrl+o", lambda: doc_list.has_focus)
            if doc_list.highlighted is None:
                await frames.press("down", lambda: doc_list.highlighted == 0)
            step = 1
            for run in range(runs + 1):
                current = doc_list.highlighted or 0
                if not 0 <= current + step < documents:
                    step = -step
                target, before = current + step, viewer.text
                took = await frames.press(
                    "down" if step > 0 else "up",
                    both(
                        equals(lambda: doc_list.highlighted, target),
                        differs(lambda: viewer.text, before),
                    ),
                )
                if run:
                    found["document"].append(took)

        # Lookup keystrokes: Ctrl+L, then the words one character at a time.
        frames.phase = "lookup"
        await frames.press("ctrl+l", lambda: isinstance(app.screen, LookupScreen))
        lookup = app.screen
        assert isinstance(lookup, LookupScreen)
        entry = lookup.query_one("#lookup-input", Input)
        typed = 0
        word = 0
        while typed < runs + 1:
            text = LOOKUP_WORDS[word % len(LOOKUP_WORDS)]
            word += 1
            for char in text:
                value, before = entry.value + char, lookup.hits
                took = await frames.press(
                    char,
                    both(replaced(lambda: lookup.hits, before), equals(lambda: entry.value, value)),
                )
                if typed:
                    found["lookup"].append(took)
                typed += 1
                if typed >= runs + 1:
                    break
            before = lookup.hits
            await frames.press(
                "ctrl+u",
                both(replaced(lambda: lookup.hits, before), equals(lambda: entry.value, "")),
            )
        await frames.press("escape", lambda: app.screen is chart)

        # Add a code: type it (untimed), then Enter until its line is in the table.
        frames.phase = "add"
        dx_input = chart.query_one("#dx-input", Input)
        dx_table = chart.query_one("#dx-table", DataTable)
        await frames.press("ctrl+d", lambda: dx_input.has_focus)
        added = 0
        while added < runs + 1:
            for code in DIAGNOSES:
                for char in code:
                    value = dx_input.value + char
                    await frames.press(char, equals(lambda: dx_input.value, value))
                rows = dx_table.row_count + 1
                took = await frames.press("enter", equals(lambda: dx_table.row_count, rows))
                if added:
                    found["add"].append(took)
                added += 1
                if added >= runs + 1:
                    break
            # Take the lines off again: Tab to the table, Delete each, Ctrl+D back.
            await frames.press("tab", lambda: dx_table.has_focus)
            while dx_table.row_count:
                rows = dx_table.row_count - 1
                await frames.press("delete", equals(lambda: dx_table.row_count, rows))
            await frames.press("ctrl+d", lambda: dx_input.has_focus)
        found["collections"] = frames.collections
        found["young"] = frames.young
        found["collection phases"] = frames.phases
        gc.collect()
        found["tracked"] = [len(gc.get_objects()), gc.get_freeze_count()]
    return found


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (0-100) of values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


PAIRS = (
    ("open", "open a chart (Enter on the queue)", "switcher", "switch a ContentSwitcher"),
    ("document", "switch document (Down in the list)", "static", "update a Static"),
    ("lookup", "lookup keystroke (results shown)", "input", "Input keystroke"),
    ("add", "add a code (Enter, line shown)", "list", "append to a ListView"),
)
"""Each CodeDesk action beside the bare action it is compared with."""


def main() -> None:
    """Measure both apps and print the table, the ratios and the goal line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30, help="timed presses per action")
    parser.add_argument(
        "--pace", type=float, default=0.0, help="ms to wait before each press (default 0)"
    )
    parser.add_argument("--pack", type=Path, default=None, help="pack (default: starter)")
    args = parser.parse_args()
    from simulator import paths
    from simulator.codebook.build import build_index

    pack = args.pack or paths.builtin_pack("starter")
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        build_index(cache)
        Frames.pace = args.pace / 1000
        bare = asyncio.run(bare_figures(args.runs))
        codedesk = asyncio.run(codedesk_figures(args.runs, pack, cache))

    def ms(values: list[float], p: float) -> float:
        return (statistics.median(values) if p == 50 else percentile(values, p)) * 1000

    pace = f", {args.pace:g} ms between presses" if args.pace else ", no pause between presses"
    print(
        f"key press to updated screen, headless {SIZE[0]}x{SIZE[1]}, {args.runs} presses each"
        + pace
    )
    print(
        f"{'CodeDesk action':36} {'p50':>7} {'p95':>7}   {'bare Textual action':26} "
        f"{'p50':>7} {'p95':>7}   {'ratio p50':>9} {'p95':>6}"
    )
    worst = 0.0
    for ours, label, theirs, bare_label in PAIRS:
        values = codedesk[ours]
        if not values:
            print(f"{label:36} {'n/a':>7} (the pack has no chart with two documents)")
            continue
        c50, c95, b50, b95 = (
            ms(values, 50),
            ms(values, 95),
            ms(bare[theirs], 50),
            ms(bare[theirs], 95),
        )
        worst = max(worst, c95)
        print(
            f"{label:36} {c50:6.1f}ms {c95:6.1f}ms   {bare_label:26} {b50:6.1f}ms {b95:6.1f}ms"
            f"   {c50 / b50:8.1f}x {c95 / b95:5.1f}x"
        )
    verdict = "met" if worst < GOAL_MS else "NOT met"
    print(f"goal: every CodeDesk p95 under {GOAL_MS:g} ms: {verdict} (worst p95 {worst:.1f} ms)")
    collections = codedesk["collections"]
    if collections:
        print(
            f"full garbage collections during CodeDesk key presses: {len(collections)}, "
            f"median {statistics.median(collections) * 1000:.0f} ms, "
            f"longest {max(collections) * 1000:.0f} ms"
        )
        phases: dict[str, int] = {}
        for phase in codedesk["collection phases"]:
            phases[phase] = phases.get(phase, 0) + 1
        print(
            "  by part of the run (any press, timed or not): "
            + ", ".join(f"{phase} {count}" for phase, count in phases.items())
        )
    for generation in (0, 1):
        took = [t for g, t in codedesk["young"] if g == generation]
        if took:
            print(
                f"generation-{generation} collections during CodeDesk key presses: {len(took)}, "
                f"median {statistics.median(took) * 1000:.1f} ms, "
                f"longest {max(took) * 1000:.1f} ms"
            )
    tracked, frozen = codedesk["tracked"]
    print(
        f"gc-tracked objects at the end of the CodeDesk run: {tracked} "
        f"(and {frozen} frozen, which collections skip)"
    )
    print(
        "for reference, Pilot's own press() + pause() for the bare Static update take "
        f"{ms(bare['pilot'], 50):.0f} ms (p50): its idle detection sleeps in 20 ms steps"
    )


if __name__ == "__main__":
    main()
