"""widgets/caches.py and widgets/frames.py: Textual's cleared caches free their entries, and a
screen draws a change as soon as its frame is due; and the app installs all three fixes (with
widgets/strips.py)."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
import textual._time
import textual.timer
from textual._context import active_app
from textual.cache import LRUCache
from textual.strip import Strip
from textual.timer import Timer

from simulator.config import Settings
from simulator.tui.widgets import caches, frames, strips
from tests.tui.helpers import build_app, collector_off, until_ready

# Cleared caches


def filled() -> LRUCache[str, list[str]]:
    cache: LRUCache[str, list[str]] = LRUCache(10)
    for key in "abcdef":
        cache.set(key, [key] * 3)
    cache.get("b")  # moves "b" to the head: the links are re-ordered, as in use
    return cache


def cleared_leaves_garbage(clear: Any) -> bool:
    """True when clearing a filled cache leaves objects only the collector can free."""
    with collector_off():
        gc.collect()
        cache = filled()
        clear(cache)
        del cache
        return gc.collect() > 0


def test_textual_still_leaves_a_cleared_cache_in_a_ring() -> None:
    """When this fails, Textual's clear frees its entries: remove widgets/caches.py."""
    assert cleared_leaves_garbage(caches._textual_clear)


def test_the_fixed_clear_leaves_nothing_to_the_collector() -> None:
    assert not cleared_leaves_garbage(caches.clear)


def test_a_cache_cleared_so_still_works() -> None:
    cache = filled()
    caches.clear(cache)
    assert len(cache) == 0 and cache.get("a") is None and "a" not in cache
    for key in "xyz" * 4:
        cache.set(key, [key])
    assert sorted(cache.keys()) == ["x", "y", "z"]
    assert cache.get("y") == ["y"] and cache["z"] == ["z"]
    caches.clear(cache)
    caches.clear(cache)  # clearing an empty cache is harmless
    assert len(cache) == 0 and cache.get("x") is None


# Frames when due

INTERVAL = 1 / 60
STEP = 0.0001
"""The fake clock's resolution, in seconds."""


class FakeTime:
    """A clock the test moves on; sleepers wake when it reaches their time."""

    def __init__(self) -> None:
        self.now = 0.0

    def get_time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        until = self.now + seconds
        while self.now < until:
            await asyncio.sleep(0)

    async def run_until(self, done: Any, limit: float = 0.2) -> None:
        """Move the clock on in small steps, letting the tasks run, until done() or limit."""
        end = self.now + limit
        while not done() and self.now < end:
            self.now += STEP
            for _ in range(4):
                await asyncio.sleep(0)


class Target:
    """What a timer needs of its target (a weak reference), and what its ticks record."""

    def __init__(self) -> None:
        self.ticks: list[float] = []


class RunningApp:
    """What a timer's tick asks of the running app."""

    _exit = False
    features: frozenset[str] = frozenset()

    def _handle_exception(self, error: Exception) -> None:
        raise error


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(textual._time, "get_time", fake.get_time)
    monkeypatch.setattr(textual._time, "sleep", fake.sleep)
    monkeypatch.setattr(textual.timer, "sleep", fake.sleep)
    return fake


def started(kind: type[Timer], fake: FakeTime, frame: float) -> tuple[Target, Timer]:
    """A screen-update timer of this kind, paused, used as a screen uses it: each tick pauses
    it and draws a frame taking `frame` seconds (of the fake clock)."""
    target = Target()
    timer: Timer

    def draw() -> None:
        target.ticks.append(fake.now)
        timer.pause()
        fake.now += frame  # drawing takes the loop this long

    active_app.set(RunningApp())  # type: ignore[arg-type]  # in this test's own context
    timer = kind(target, INTERVAL, callback=draw, pause=True)
    timer._start()
    return target, timer


async def delays(kind: type[Timer], fake: FakeTime, frame: float, gap: float) -> list[float]:
    """Resume the timer `gap` seconds after each frame is drawn, six times; return how long
    each tick waited after its resume (the first not counted)."""
    target, timer = started(kind, fake, frame)
    waits = []
    try:
        for _ in range(6):
            resumed, ticks = fake.now, len(target.ticks)
            timer.resume()
            await fake.run_until(lambda before=ticks: len(target.ticks) > before)
            assert len(target.ticks) == ticks + 1, "the timer never ticked"
            waits.append(target.ticks[-1] - resumed)
            await fake.run_until(lambda: False, limit=gap)
    finally:
        timer.stop()
    return waits[1:]


def about(seconds: float) -> tuple[float, float]:
    """The range a wait of so many seconds falls in, on the fake clock."""
    return seconds - 2 * STEP, seconds + 2 * STEP


async def test_a_change_after_a_slow_frame_is_drawn_at_once(fake_time: FakeTime) -> None:
    """A key pressed 5 ms after a 20 ms frame: its frame is due already."""
    waits = await delays(frames.FrameTimer, fake_time, frame=0.020, gap=0.005)
    assert max(waits) <= 2 * STEP, waits


async def test_slow_frames_still_get_a_rest_between_them(fake_time: FakeTime) -> None:
    """A change 1 ms after a 20 ms frame waits until REST after it."""
    waits = await delays(frames.FrameTimer, fake_time, frame=0.020, gap=0.001)
    low, high = about(frames.REST - 0.001)
    assert all(low <= wait <= high for wait in waits), waits


async def test_frames_never_come_sooner_than_the_interval(fake_time: FakeTime) -> None:
    """A change 2 ms after a 2 ms frame waits for the rest of the 1/60 s since it began."""
    waits = await delays(frames.FrameTimer, fake_time, frame=0.002, gap=0.002)
    low, high = about(INTERVAL - 0.004)
    assert all(low <= wait <= high for wait in waits), waits


async def test_a_timer_paused_while_it_waits_ticks_when_resumed(fake_time: FakeTime) -> None:
    """Resumed too soon after a frame, then paused before its tick is due (as a screen's
    layout refresh pauses it): no tick until it is resumed, and then at once."""
    target, timer = started(frames.FrameTimer, fake_time, frame=0.002)
    try:
        timer.resume()
        await fake_time.run_until(lambda: len(target.ticks) == 1)
        timer.resume()  # 2 ms after the frame began: its tick is due in 14.7 ms
        await fake_time.run_until(lambda: False, limit=0.005)
        timer.pause()
        await fake_time.run_until(lambda: False, limit=0.05)
        assert len(target.ticks) == 1
        resumed = fake_time.now
        timer.resume()
        await fake_time.run_until(lambda: len(target.ticks) == 2)
        assert target.ticks[1] - resumed <= 2 * STEP
    finally:
        timer.stop()


async def test_textual_still_waits_for_a_later_grid_point(fake_time: FakeTime) -> None:
    """When this fails, Textual's Timer draws a due frame at once: remove widgets/frames.py."""
    waits = await delays(Timer, fake_time, frame=0.020, gap=0.005)
    assert min(waits) > INTERVAL / 2, waits


# Installed by the app


async def test_the_app_installs_the_fixes(settings: Settings) -> None:
    app = build_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        assert Strip.divide is strips.divide
        assert Strip.crop_extend is strips.crop_extend
        assert Strip.__init__ is strips.init
        assert all(
            isinstance(Strip.__dict__[name], strips.LazyCache) for name in strips.CACHE_SIZES
        )
        assert LRUCache.clear is caches.clear
        assert isinstance(app.screen._update_timer, frames.FrameTimer)
