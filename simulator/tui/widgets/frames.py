"""Frames drawn when they are due: a fix to the pacing of Textual's screen updates (8.2.8).

A screen draws its changes on a timer, at most MAX_FPS (60) times a second: a key press marks
widgets dirty, the screen resumes its update timer when its messages are handled, the timer
ticks, the screen draws, and the timer pauses until the next change. The pause is meant to
cost nothing: a change that comes a while after the last frame should be drawn at once, and
one that comes sooner should wait only until 1/60 s after that frame.

Textual's Timer keeps to a fixed grid instead (ticks at start + n/60 s), and when a tick comes
late (the timer was paused, or the previous frame took long to draw) it skips ahead two grid
points, not one. So the frame after a late one waits 17-33 ms from it, whatever the moment
the change came: in a real terminal, a keystroke typed right after a frame (a held key, a fast
typist, a paste) was drawn up to 33 ms later than needed, and in benchmarks/tui.py, where each
key is pressed the moment the previous one's frame is drawn, that wait was most of the p95 of
a lookup keystroke (39-49 ms before, 22-25 ms after).

`FrameTimer` is a Timer that paces instead: it ticks as soon as it is resumed, unless the last
tick was less than its interval ago, and then when that interval is up. Frames are still never
more than MAX_FPS a second. `install()` makes every Screen's update timer a FrameTimer; it is
called once by the app. tests/tui/test_textual_fixes.py checks the pacing on a fake clock, and
that Textual's own Timer still skips (when an upgrade fixes it, the test says this module can
go).
"""

from __future__ import annotations

from typing import Any

from textual import _time
from textual.screen import UPDATE_PERIOD, Screen
from textual.timer import EventTargetGone, Timer

PRECISION = 0.0005
"""Seconds early a tick may come: Textual's sleep takes this off every wait, and does not sleep
at all for less (a shorter wait would spin instead of sleeping)."""


class FrameTimer(Timer):
    """A repeating timer that ticks when resumed, but never twice within its interval."""

    async def _run(self) -> None:
        """Tick each time the timer is active, at least an interval after the last tick."""
        last: float | None = None
        while True:
            await self._active.wait()
            if last is not None:
                wait = last + self._interval - _time.get_time()
                if wait > PRECISION:
                    await _time.sleep(wait)
                    continue  # paused meanwhile? then wait to be resumed again
            last = _time.get_time()
            try:
                await self._tick(next_timer=last, count=0)
            except EventTargetGone:
                break


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
