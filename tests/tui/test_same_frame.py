"""A key's whole result is ready in the key's own handler, so it is drawn in one frame.

Work done a message later (a handler of OptionHighlighted or Input.Changed, a worker's result)
reaches the screen in a second frame, which after a pause of input comes 17-33 ms after the
first (Textual's screen-update timer). These tests change the widget the way its key does and
look at the result before anything else runs: no await in between.
"""

from __future__ import annotations

import sqlite3

import pytest
from textual.widgets import Input, OptionList, TextArea

from simulator.config import Settings
from simulator.tui.screens.chart import ChartScreen
from simulator.tui.screens.lookup import LookupScreen
from tests.tui.helpers import build_app, until_ready


async def test_the_next_document_shows_as_the_highlight_moves(settings: Settings) -> None:
    app = build_app(settings, seed=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        assert app.session is not None
        state = next(c for c in app.session.charts if len(c.chart.documents) >= 2)
        app.open_chart(state.chart.chart_id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChartScreen)
        screen.query_one("#doc-list", OptionList).action_cursor_down()
        assert screen.query_one("#doc-viewer", TextArea).text == screen._document_text(1)


async def test_lookup_results_come_with_the_keystroke(settings: Settings) -> None:
    app = build_app(settings, seed=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        assert app.session is not None
        app.open_chart(app.session.charts[0].chart.chart_id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        lookup = app.screen
        assert isinstance(lookup, LookupScreen)
        assert app.session.book.search_is_warm  # the queue's warm-up has run
        lookup.query_one(Input).insert_text_at_cursor("afib")
        assert lookup.shown_query == "afib"
        assert lookup.hits and lookup.hits[0].code == "I48.91"


async def test_a_failed_search_is_said_not_raised(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Searching inside the keystroke must not let an unreadable index crash the app."""
    app = build_app(settings, seed=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        assert app.session is not None
        app.open_chart(app.session.charts[0].chart.chart_id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        lookup = app.screen
        assert isinstance(lookup, LookupScreen)

        def broken(*args: object, **kwargs: object) -> None:
            raise sqlite3.DatabaseError("database disk image is malformed")

        monkeypatch.setattr(app.session.book, "search", broken)
        lookup.query_one(Input).insert_text_at_cursor("afib")
        await pilot.pause()
        assert app.screen is lookup and lookup.hits == []
        status = str(lookup.query_one("#lookup-status").render())
        assert "the code search failed: database disk image is malformed" in status
