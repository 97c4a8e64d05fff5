"""The default store: the queue appears first, then every action lands in SQLite."""

from __future__ import annotations

import sqlite3

from simulator.config import Settings
from simulator.factory import make_app
from simulator.shift import FakeClock
from simulator.tui.screens.chart import ChartScreen


async def test_actions_are_committed_to_sqlite(settings: Settings) -> None:
    app = make_app(settings, seed=5, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ChartScreen)
        await pilot.press(*"R07.9", "enter")
        assert app.store_ready()
    database = settings.data_dir / "codedesk.sqlite3"
    with sqlite3.connect(database) as con:
        kinds = [row[0] for row in con.execute("SELECT kind FROM events ORDER BY seq")]
        sessions = con.execute("SELECT pack_id, seed FROM sessions").fetchall()
    assert kinds == ["session_started", "chart_opened", "code_added"]
    assert sessions == [("starter", 5)]


async def test_resume_latest_session_in_the_app(settings: Settings) -> None:
    first = make_app(settings, seed=9, clock=FakeClock())
    async with first.run_test(size=(100, 30)) as pilot:
        await first.workers.wait_for_complete()
        await pilot.pause()
        state = next(
            c for c in first.session.charts if c.chart.case_id == "clinic-diabetes-followup"
        )
        first.open_chart(state.chart.chart_id)
        await first.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"E11.65", "enter", *"I10", "enter")
        session_id = first.session.session_id
    again = make_app(settings.model_copy(update={"resume": "latest"}), clock=FakeClock())
    async with again.run_test(size=(100, 30)) as pilot:
        await again.workers.wait_for_complete()
        await pilot.pause()
        resumed = again.session
        assert resumed is not None and resumed.session_id == session_id and resumed.seed == 9
        restored = resumed.state(state.chart.chart_id)
        assert [line.code for line in restored.diagnoses] == ["E11.65", "I10"]
