"""Snapshot tests: what a person sees, pixel for pixel (SVG)."""

from __future__ import annotations

from typing import Any

from simulator.config import Settings
from tests.tui.helpers import build_app, until_ready


def test_queue_screen(snap_compare: Any, settings: Settings) -> None:
    assert snap_compare(
        build_app(settings, seed=3), terminal_size=(100, 24), run_before=until_ready
    )
