"""A key's whole result is ready in the key's own handler, so it is drawn in one frame.

Work done a message later (a handler of OptionHighlighted or Input.Changed, a worker's result)
reaches the screen in a second frame, which after a pause of input comes 17-33 ms after the
first (Textual's screen-update timer). These tests change the widget the way its key does and
look at the result before anything else runs: no await in between.
"""

from __future__ import annotations

import sqlite3

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, TextArea

from simulator.config import Settings
from simulator.tui.screens.lookup import LookupScreen
from tests.tui.helpers import build_app, open_chart, until_ready


async def open_lookup(pilot: Pilot[None], chart_id: str) -> LookupScreen:
    """Open the chart, then its lookup (Ctrl+L)."""
    await open_chart(pilot, chart_id)
    await pilot.press("ctrl+l")
    await pilot.pause()
    lookup = pilot.app.screen
    assert isinstance(lookup, LookupScreen)
    return lookup


async def test_the_next_document_shows_as_the_highlight_moves(settings: Settings) -> None:
    app = build_app(settings, seed=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        assert app.session is not None
        state = next(c for c in app.session.charts if len(c.chart.documents) >= 2)
        screen = await open_chart(pilot, state.chart.chart_id)
        screen.query_one("#doc-list", OptionList).action_cursor_down()
        assert screen.query_one("#doc-viewer", TextArea).text == screen._document_text(1)


async def test_lookup_results_come_with_the_keystroke(settings: Settings) -> None:
    app = build_app(settings, seed=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        assert app.session is not None
        lookup = await open_lookup(pilot, app.session.charts[0].chart.chart_id)
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
        lookup = await open_lookup(pilot, app.session.charts[0].chart.chart_id)

        def broken(*args: object, **kwargs: object) -> None:
            raise sqlite3.DatabaseError("database disk image is malformed")

        monkeypatch.setattr(app.session.book, "search", broken)
        lookup.query_one(Input).insert_text_at_cursor("afib")
        await pilot.pause()
        assert app.screen is lookup and lookup.hits == []
        status = str(lookup.query_one("#lookup-status").render())
        assert "the code search failed: database disk image is malformed" in status
