"""The one composition root: builds the app for the command line and for every test."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.config import Settings
from simulator.shift.clock import Clock, SystemClock
from simulator.store.base import Store

if TYPE_CHECKING:
    from simulator.tui.app import CodeDeskApp


def make_app(
    settings: Settings,
    *,
    seed: int | None = None,
    clock: Clock | None = None,
    store: Store | None = None,
) -> CodeDeskApp:
    """Build the CodeDesk app; None for store means the database named in settings."""
    from simulator.tui.app import CodeDeskApp

    return CodeDeskApp(settings, seed=seed, clock=clock or SystemClock(), store=store)
