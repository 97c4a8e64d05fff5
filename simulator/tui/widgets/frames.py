"""Frames drawn when they are due: a fix to the pacing of Textual's screen updates (8.2.8).

A screen draws its changes on a timer, at most MAX_FPS (60) times a second: a key press marks
widgets dirty, the screen resumes its update timer when its messages are handled, the timer
ticks, the screen draws, and the timer pauses until the next change. A change that comes long
after the last frame is drawn at once; one that comes sooner should wait only until 1/60 s
after that frame began.

Textual's Timer keeps to a fixed grid instead (ticks at start + n/60 s), and when a tick ends
after the next grid point (a frame that took a while to draw, as most of CodeDesk's do when a
key changes a screen) it skips ahead two grid points, not one. So after such a frame the next
one waits 17-33 ms from its end, whatever the moment the change came: in a real terminal, a
keystroke typed right after a frame (a held key, a fast typist, a paste) was drawn up to 33 ms
later than needed, and in benchmarks/tui.py, where each key is pressed the moment the previous
one's frame is drawn, that wait was most of the p95 of a lookup keystroke (39-49 ms before,
22-25 ms after).

`FrameTimer` is a Timer that paces instead: it ticks as soon as it is resumed, unless the last
tick began less than its interval ago (then it waits for the rest of it) or ended less than
REST ago (then it waits for that): frames are never more than MAX_FPS a second, and when they
take longer than 1/60 s to draw the loop still gets a rest between them, as Textual's grid gave
it. It serves only as a screen's update timer, which uses none of Timer's other features
(`reset()`, `repeat`, `skip`, a tick's count). `install()` makes every Screen's update timer a
FrameTimer; it is called once by the app. tests/tui/test_textual_fixes.py checks the pacing on
a fake clock, and that Textual's own Timer still skips (when an upgrade fixes it, the test says
this module can go).
"""

from __future__ import annotations

from typing import Any

from textual import _time
from textual.screen import UPDATE_PERIOD, Screen
from textual.timer import EventTargetGone, Timer

REST = UPDATE_PERIOD / 4
"""Seconds between the end of one tick and the next, at least (when frames are slow)."""


class FrameTimer(Timer):
    """A repeating timer that ticks when resumed, but never twice within its interval."""

    async def _run(self) -> None:
        """Tick each time the timer is resumed: at once if the last tick began an interval ago
        and ended REST ago, else when both are so."""
        began = ended = float("-inf")
        while True:
            await self._active.wait()
            wait = max(began + self._interval, ended + REST) - _time.get_time()
            if wait > 0:
                await _time.sleep(wait)  # (may wake up to a millisecond early: no matter)
                if not self._active.is_set():
                    continue  # paused meanwhile: wait to be resumed again
            began = _time.get_time()
            try:
                await self._tick(next_timer=began, count=0)
            except EventTargetGone:
                break
            ended = _time.get_time()


def _update_timer(self: Screen[Any]) -> Timer:
    """Screen._update_timer, made a FrameTimer."""
    timer: Timer | None = self._Screen__update_timer  # type: ignore[attr-defined]
    if timer is None:
        timer = FrameTimer(
            self, UPDATE_PERIOD, name="screen_update", callback=self._on_timer_update, pause=True
        )
        timer._start()
        self._timers.add(timer)
        self._Screen__update_timer = timer  # type: ignore[attr-defined]
    return timer


def install() -> None:
    """Give every screen a FrameTimer for its updates (idempotent)."""
    Screen._update_timer = property(_update_timer)  # type: ignore[method-assign,assignment]
