"""`codedesk` offers to resume the session a trainee left unfinished (issue #9)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from simulator.config import Settings
from simulator.factory import make_app
from simulator.shift import FakeClock
from simulator.tui.app import CodeDeskApp
from simulator.tui.screens.chart import ChartScreen
from simulator.tui.screens.confirm import ConfirmScreen
from simulator.tui.screens.queue import QueueScreen

CASE = "clinic-diabetes-followup"


async def settle(app: CodeDeskApp, pilot: object) -> None:
    """Let the start-up and store workers finish and the screen catch up."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]


async def leave_unfinished(settings: Settings) -> tuple[str, str]:
    """Work part of a chart (two codes, two minutes), then quit: return session and chart ids."""
    clock = FakeClock()
    app = make_app(settings, seed=9, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.session is not None
        state = next(c for c in app.session.charts if c.chart.case_id == CASE)
        app.open_chart(state.chart.chart_id)
        await settle(app, pilot)
        clock.advance(120)
        await pilot.press(*"E11.65", "enter", *"I10", "enter")
        await settle(app, pilot)
        return app.session.session_id, state.chart.chart_id


def stored_sessions(settings: Settings) -> list[str]:
    with sqlite3.connect(settings.data_dir / "codedesk.sqlite3") as con:
        return [row[0] for row in con.execute("SELECT id FROM sessions ORDER BY started_at, id")]


async def test_accepting_the_offer_restores_the_queue_the_open_chart_and_codes(
    settings: Settings,
) -> None:
    session_id, chart_id = await leave_unfinished(settings)
    later = FakeClock(datetime(2026, 11, 24, 13, 0, tzinfo=UTC))  # five hours away
    app = make_app(settings, seed=4, clock=later)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        offer = app.screen
        assert isinstance(offer, ConfirmScreen)
        assert offer.title_text == "Resume your unfinished session?"
        assert session_id in offer.detail and "0 of " in offer.detail
        assert "2026-11-24 08:00 UTC" in offer.detail
        await pilot.press("enter")
        await settle(app, pilot)
        session = app.session
        assert session is not None and session.session_id == session_id and session.seed == 9
        screen = app.screen
        assert isinstance(screen, ChartScreen) and screen.state.chart.chart_id == chart_id
        assert [line.code for line in screen.state.diagnoses] == ["E11.65", "I10"]
        assert session.worked_seconds(screen.state) == 120.0  # the five hours away not counted
    assert stored_sessions(settings) == [session_id]  # the declined-to-be new one never written


async def test_declining_starts_a_new_session_and_the_offer_is_not_repeated(
    settings: Settings,
) -> None:
    session_id, _ = await leave_unfinished(settings)
    app = make_app(settings, seed=4, clock=FakeClock(datetime(2026, 11, 24, 13, tzinfo=UTC)))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, QueueScreen)
        assert app.store_ready()
        assert app.session is not None and app.session.session_id != session_id
        new_id = app.session.session_id
    assert stored_sessions(settings) == [session_id, new_id]
    # The latest session (the new one) holds no work: the next start asks nothing.
    again = make_app(settings, seed=4, clock=FakeClock(datetime(2026, 11, 24, 14, tzinfo=UTC)))
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(again, pilot)
        assert isinstance(again.screen, QueueScreen)
        assert again.session is not None and again.session.session_id not in {session_id, new_id}


async def test_a_chart_opened_while_the_offer_waits_opens_after_declining(
    settings: Settings,
) -> None:
    await leave_unfinished(settings)
    app = make_app(settings, seed=4, clock=FakeClock(datetime(2026, 11, 24, 13, tzinfo=UTC)))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.session is not None
        first = app.session.charts[0].chart.chart_id
        app.open_chart(first)  # e.g. Enter pressed on the queue just before the offer
        assert not isinstance(app.screen, ChartScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, ChartScreen) and app.screen.state.chart.chart_id == first
