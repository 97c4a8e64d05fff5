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
