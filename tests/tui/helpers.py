"""Helpers for driving the app in tests."""

from __future__ import annotations

from textual.pilot import Pilot

from simulator.config import Settings
from simulator.factory import make_app
from simulator.shift import FakeClock
from simulator.store import MemoryStore
from simulator.tui.app import CodeDeskApp


def build_app(settings: Settings, seed: int = 7) -> CodeDeskApp:
    """The app as the CLI builds it, with a fake clock and an in-memory store."""
    return make_app(settings, seed=seed, clock=FakeClock(), store=MemoryStore())


async def until_ready(pilot: Pilot[None]) -> None:
    """Wait for the start-up worker and the switch to the queue."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()
