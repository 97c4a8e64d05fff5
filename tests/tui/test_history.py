"""The history screen: opened by its key and from the command palette, it shows the trainee's
sessions, plots and weakest topics, and its keys are in the F1 help."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from simulator.codebook import Codebook
from simulator.config import Settings
from simulator.factory import make_app
from simulator.packs import LoadedPack
from simulator.shift import FakeClock, Session
from simulator.store import MemoryStore
from simulator.tui.screens.help import HelpScreen
from simulator.tui.screens.history import HistoryScreen
from simulator.tui.screens.queue import QueueScreen
from tests.tui.helpers import until_ready


def _earlier_session(store: MemoryStore, starter: LoadedPack, book: Codebook) -> None:
    """Record a finished session of the default trainee: three charts, one with an extra code."""
    clock = FakeClock(datetime(2026, 11, 20, 8, 0, tzinfo=UTC))
    session = Session(starter, book, clock, store, seed=3, trainee="trainee")
    for n, state in enumerate([c for c in session.charts if c.chart.diagnoses][:3]):
        chart = state.chart
        session.open_chart(chart.chart_id)
        clock.advance(240)
        suffix = ":Y" if chart.setting.value == "inpatient" else ""
        for line in chart.diagnoses:
            session.add_code(chart.chart_id, "diagnoses", line.code + suffix)
        if n == 0:
            session.add_code(chart.chart_id, "diagnoses", "Z79.899")
        session.submit(chart.chart_id)
    session.end()


async def test_history_opens_from_its_key_and_the_palette(
    settings: Settings, starter: LoadedPack, book: Codebook
) -> None:
    store = MemoryStore()
    _earlier_session(store, starter, book)
    app = make_app(settings, seed=7, clock=FakeClock(), store=store)
    async with app.run_test(size=(140, 48)) as pilot:
        await until_ready(pilot)
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("ctrl+g")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        assert screen.history is not None
        sessions = screen.query_one("#history-sessions", DataTable)
        assert sessions.row_count == 2  # the earlier session and the one just started
        topics = screen.query_one("#history-topics", DataTable)
        assert topics.row_count == len(screen.history.topics) > 0
        summary = str(screen.query_one("#history-summary", Static).render())
        assert "2 session(s)" in summary and "3 chart(s) graded" in summary
        assert len(screen.query(PlotextPlot)) == 2
        first = topics.get_row_at(0)
        assert float(str(first[2]).rstrip("%")) < 100  # the weakest topic comes first

        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one(DataTable)
        actions = [str(keys.get_row_at(i)[1]) for i in range(keys.row_count)]
        assert {"Back", "Reload", "Topics", "History"} <= set(actions)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"History")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)


async def test_history_of_a_trainee_with_no_graded_chart(settings: Settings) -> None:
    app = make_app(settings, seed=7, clock=FakeClock(), store=MemoryStore())
    async with app.run_test(size=(140, 48)) as pilot:
        await until_ready(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        assert screen.query_one("#history-sessions", DataTable).row_count == 1
        summary = str(screen.query_one("#history-summary", Static).render())
        assert "0 chart(s) graded" in summary and "accuracy n/a" in summary
