"""The idle collector runs the garbage collector in pauses of input, not inside key presses."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from simulator.config import Settings
from simulator.tui.widgets import longlived
from simulator.tui.widgets.longlived import IDLE_MINIMUM, IDLE_SECONDS, IdleCollector
from tests.tui.helpers import build_app, until_ready


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """Stand in for time.monotonic in the collector. The automatic collections are kept off
    (and their young threshold out of reach) so the young count is the test's to set."""
    fake = Clock()
    monkeypatch.setattr(longlived.time, "monotonic", fake)
    was_enabled = gc.isenabled()
    thresholds = gc.get_threshold()
    gc.disable()
    gc.set_threshold(1_000_000, *thresholds[1:])
    try:
        yield fake
    finally:
        gc.set_threshold(*thresholds)
        if was_enabled:
            gc.enable()


def allocate(n: int) -> list[list[int]]:
    """Make n container objects (each counts as one young allocation)."""
    return [[i] for i in range(n)]


@contextmanager
def collecting() -> Iterator[None]:
    """The collector on (as in the app) for the block; its young threshold stays out of reach."""
    gc.enable()
    try:
        yield
    finally:
        gc.disable()


def piled_up(collector: IdleCollector, clock: Clock, since_input: float) -> list[list[int]]:
    """Allocate 3 x IDLE_MINIMUM objects (returned, to keep them), then let since_input
    seconds pass after a key."""
    gc.collect()
    kept = allocate(IDLE_MINIMUM * 3)
    collector.note_input()
    clock.now += since_input
    return kept


def test_no_collection_while_input_keeps_coming(clock: Clock) -> None:
    collector = IdleCollector()
    kept = piled_up(collector, clock, IDLE_SECONDS / 2)
    with collecting():
        assert collector.poll() is None  # input came 25 ms ago: a key press may be under way
    assert collector.collections == [0, 0, 0]
    assert kept


def test_a_pause_collects_the_young_generation(clock: Clock) -> None:
    collector = IdleCollector()
    kept = piled_up(collector, clock, IDLE_SECONDS * 2)
    with collecting():
        assert gc.get_count()[0] >= IDLE_MINIMUM
        assert collector.poll() == 0
        assert gc.get_count()[0] < IDLE_MINIMUM  # the young count starts again near zero
        assert collector.poll() is None  # nothing piled up since
    assert collector.collections == [1, 0, 0]
    assert kept


def test_a_pause_with_little_allocated_does_nothing(clock: Clock) -> None:
    collector = IdleCollector()
    gc.collect()
    clock.now += 10
    with collecting():
        assert collector.poll() is None


def test_the_generation_is_the_one_the_thresholds_pick(clock: Clock) -> None:
    collector = IdleCollector()
    thresholds = gc.get_threshold()
    gc.collect()
    clock.now += 10
    picked = []
    kept = []
    with collecting():
        # Each young collection counts one for the middle generation, each middle one for the
        # oldest: after thresholds[1] young ones a middle one is due, and so on.
        for _ in range((thresholds[1] + 1) * thresholds[2] + 1):
            kept.append(allocate(IDLE_MINIMUM + 10))
            picked.append(collector.poll())
    assert picked[: thresholds[1]] == [0] * thresholds[1]
    assert picked[thresholds[1]] == 1
    assert picked[-1] == 2  # after thresholds[2] middle ones, the full collection
    assert picked.count(2) == 1 and picked.count(1) == thresholds[2]
    assert collector.collections == [picked.count(0), picked.count(1), 1]


def test_nothing_happens_when_the_collector_is_off(clock: Clock) -> None:
    collector = IdleCollector()
    kept = allocate(IDLE_MINIMUM * 3)
    clock.now += 10
    assert collector.poll() is None  # gc.disable() by someone else is respected
    assert kept


async def test_the_app_tells_the_collector_of_every_key(settings: Settings) -> None:
    app = build_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        before = app.collector.last_input
        await pilot.press("down")
        assert app.collector.last_input > before
