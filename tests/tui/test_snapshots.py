"""Snapshot tests: what a person sees on each screen, at 80x24 and 160x48, and in high contrast.

They use a fixed three-case pack (tests/data/packs/mini) so edits to the starter library do not
change the pictures. After an intended change, look at snapshot_report.html before re-blessing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from simulator.config import Settings
from tests.tui.helpers import build_app, until_ready

MINI = Path(__file__).parent.parent / "data" / "packs" / "mini"


@pytest.fixture
def mini(settings: Settings) -> Settings:
    """Settings for the fixed snapshot pack."""
    return settings.model_copy(update={"pack": MINI})


async def _chart(pilot: Pilot[None]) -> None:
    await until_ready(pilot)
    app: Any = pilot.app
    state = next(c for c in app.session.charts if c.chart.case_id == "ip-chf-exacerbation")
    app.open_chart(state.chart.chart_id)
    await pilot.pause()
    await pilot.press(*"I13.0:Y", "enter", *"E11", "enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _feedback(pilot: Pilot[None]) -> None:
    await until_ready(pilot)
    app: Any = pilot.app
    state = next(c for c in app.session.charts if c.chart.case_id == "clinic-diabetes-followup")
    app.open_chart(state.chart.chart_id)
    await pilot.pause()
    await pilot.press(*"E11.9", "enter", *"I10", "enter", *"R73.9", "enter", "ctrl+s")
    await pilot.pause()


async def _lookup(pilot: Pilot[None]) -> None:
    await _chart(pilot)
    await pilot.press("ctrl+l", *"lap chole")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_queue(snap_compare: Any, mini: Settings, size: tuple[int, int]) -> None:
    assert snap_compare(build_app(mini, seed=3), terminal_size=size, run_before=until_ready)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_chart(snap_compare: Any, mini: Settings, size: tuple[int, int]) -> None:
    assert snap_compare(build_app(mini, seed=3), terminal_size=size, run_before=_chart)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_feedback(snap_compare: Any, mini: Settings, size: tuple[int, int]) -> None:
    assert snap_compare(build_app(mini, seed=3), terminal_size=size, run_before=_feedback)


def test_lookup(snap_compare: Any, mini: Settings) -> None:
    assert snap_compare(build_app(mini, seed=3), terminal_size=(100, 30), run_before=_lookup)


def test_high_contrast_queue_and_chart(snap_compare: Any, mini: Settings) -> None:
    high = mini.model_copy(update={"theme": "codedesk-high-contrast"})
    assert snap_compare(build_app(high, seed=3), terminal_size=(80, 24), run_before=_chart)
