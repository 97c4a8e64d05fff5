"""Helpers for driving the app in tests."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from textual.pilot import Pilot

from simulator.config import Settings
from simulator.factory import make_app
from simulator.shift import FakeClock
from simulator.store import MemoryStore
from simulator.tui.app import CodeDeskApp
from simulator.tui.screens.chart import ChartScreen


def build_app(settings: Settings, seed: int = 7) -> CodeDeskApp:
    """The app as the CLI builds it, with a fake clock and an in-memory store."""
    return make_app(settings, seed=seed, clock=FakeClock(), store=MemoryStore())


async def until_ready(pilot: Pilot[None]) -> None:
    """Wait for the start-up worker and the switch to the queue."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def open_chart(pilot: Pilot[None], chart_id: str) -> ChartScreen:
    """Open a chart as Enter on the queue does; return its screen once drawn (the store's
    worker done, which opening a chart waits for)."""
    app = pilot.app
    assert isinstance(app, CodeDeskApp)
    app.open_chart(chart_id)
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ChartScreen)
    return screen


@contextmanager
def collector_off() -> Iterator[None]:
    """The garbage collector off (so a test can count what only it would free), then as before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
