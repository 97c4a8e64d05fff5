"""Snapshot tests: what a person sees on each screen at 80x24 and 160x48, and in high contrast.

They use a fixed three-case pack (tests/data/packs/mini, with one inbox message) so edits to
the starter library do not change the pictures. After an intended change, look at
snapshot_report.html (or convert the SVGs to PNG) before re-blessing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, TextArea

from simulator.config import Settings
from simulator.shift import FakeClock
from simulator.tui.screens.query import IndicatorList
from tests.tui.helpers import build_app, until_ready

MINI = Path(__file__).parent.parent / "data" / "packs" / "mini"

VIEWS = {
    "80x24": ((80, 24), "codedesk-dark"),
    "160x48": ((160, 48), "codedesk-dark"),
    "high-contrast": ((80, 24), "codedesk-high-contrast"),
}
"""The three ways every screen is photographed."""

Steps = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def mini(settings: Settings) -> Settings:
    """Settings for the fixed snapshot pack."""
    return settings.model_copy(update={"pack": MINI})


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and the screen redraw."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def open_case(pilot: Pilot[None], case_id: str) -> None:
    """Open the chart of a case, as Enter on its row does."""
    app: Any = pilot.app
    state = next(c for c in app.session.charts if c.chart.case_id == case_id)
    app.open_chart(state.chart.chart_id)
    await pilot.pause()


async def queue(pilot: Pilot[None]) -> None:
    await until_ready(pilot)


async def start(pilot: Pilot[None]) -> None:
    await until_ready(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)


async def chart(pilot: Pilot[None]) -> None:
    await until_ready(pilot)
    await open_case(pilot, "ip-chf-exacerbation")
    await pilot.press(*"I13.0:Y", "enter", *"E11", "enter")
    await settle(pilot)


async def masked(pilot: Pilot[None]) -> None:
    await until_ready(pilot)
    await open_case(pilot, "clinic-diabetes-followup")
    await pilot.press("ctrl+o", "down")
    await settle(pilot)


async def reveal(pilot: Pilot[None]) -> None:
    await masked(pilot)
    await pilot.press("f4")
    await settle(pilot)


async def lookup(pilot: Pilot[None]) -> None:
    await chart(pilot)
    await pilot.press("ctrl+l", *"lap chole")
    await settle(pilot)


async def tabular(pilot: Pilot[None]) -> None:
    await chart(pilot)
    await pilot.press("ctrl+t", "enter")
    await settle(pilot)


async def decide(pilot: Pilot[None]) -> None:
    await chart(pilot)
    await pilot.press("ctrl+k")
    await settle(pilot)


async def pend(pilot: Pilot[None]) -> None:
    await chart(pilot)
    await pilot.press("f7")
    await settle(pilot)


async def flag(pilot: Pilot[None]) -> None:
    await chart(pilot)
    await pilot.press("f8", "enter")
    await settle(pilot)


async def query(pilot: Pilot[None]) -> None:
    await until_ready(pilot)
    await open_case(pilot, "ip-chf-exacerbation")
    await pilot.press("f6")
    await settle(pilot)
    screen = pilot.app.screen
    indicators = screen.query_one(IndicatorList)
    wanted = [i for i, (_d, line) in enumerate(getattr(screen, "lines", [])) if "BNP" in line]
    for index in wanted[:2]:
        indicators.select(index)
    screen.query_one("#query-question", TextArea).load_text(
        "Please document the type and acuity of the heart failure."
    )
    screen.query_one("#query-options", TextArea).load_text(
        "Acute on chronic systolic heart failure"
    )
    await settle(pilot)


async def feedback(pilot: Pilot[None]) -> None:
    await until_ready(pilot)
    await open_case(pilot, "clinic-diabetes-followup")
    await pilot.press(*"E11.9", "enter", *"I10", "enter", *"R73.9", "enter", "ctrl+s")
    await settle(pilot)


async def inbox(pilot: Pilot[None]) -> None:
    await until_ready(pilot)
    await pilot.press("i")
    await settle(pilot)
    await pilot.press("o")
    await settle(pilot)


async def patients(pilot: Pilot[None]) -> None:
    await until_ready(pilot)
    app: Any = pilot.app
    stranger = next(e for e in app.session.directory() if not e.assigned)
    await pilot.press("f", *stranger.chart.patient.last_name[:4])
    await settle(pilot)


async def snooping(pilot: Pilot[None]) -> None:
    await patients(pilot)
    screen = pilot.app.screen
    entries = getattr(screen, "entries", [])
    row = next(i for i, e in enumerate(entries) if not e.assigned)
    table = screen.query_one(DataTable)
    table.focus()
    table.move_cursor(row=row)
    await pilot.press("enter")
    await settle(pilot)


async def browse(pilot: Pilot[None]) -> None:
    await snooping(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def lock(pilot: Pilot[None]) -> None:
    await chart(pilot)
    app: Any = pilot.app
    clock = app.clock
    assert isinstance(clock, FakeClock)
    clock.advance(11 * 60)
    app.tick()
    await settle(pilot)


async def summary(pilot: Pilot[None]) -> None:
    await feedback(pilot)
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("e", "enter")
    await settle(pilot)


async def help_keys(pilot: Pilot[None]) -> None:
    await chart(pilot)
    await pilot.press("f1")
    await settle(pilot)


async def pended_queue(pilot: Pilot[None]) -> None:
    await until_ready(pilot)
    await open_case(pilot, "ed-ankle-sprain")
    await pilot.press("f7", "down", "enter")
    await settle(pilot)
    await pilot.press("escape")
    await settle(pilot)
    menu = pilot.app.screen.query(OptionList)
    assert not menu


SCREENS: dict[str, Steps] = {
    "start": start,
    "queue": queue,
    "chart": chart,
    "masked": masked,
    "reveal": reveal,
    "lookup": lookup,
    "tabular": tabular,
    "decide": decide,
    "pend": pend,
    "flag": flag,
    "query": query,
    "feedback": feedback,
    "pended_queue": pended_queue,
    "inbox": inbox,
    "patients": patients,
    "snooping": snooping,
    "browse": browse,
    "lock": lock,
    "summary": summary,
    "help": help_keys,
}
"""Every screen, and the steps that bring it up."""


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare: Any, mini: Settings, screen: str, view: str) -> None:
    size, theme = VIEWS[view]
    app = build_app(mini.model_copy(update={"theme": theme}), seed=3)
    assert snap_compare(app, terminal_size=size, run_before=SCREENS[screen])
