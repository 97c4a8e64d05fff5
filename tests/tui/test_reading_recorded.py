"""Reading and searching a chart are recorded: documents shown, finds, lookups (issue #10)."""

from __future__ import annotations

from simulator.config import Settings
from simulator.tui.screens.chart import ChartScreen
from simulator.tui.screens.lookup import LookupScreen
from tests.tui.helpers import build_app, open_chart, until_ready


async def test_documents_finds_and_lookups_become_events(settings: Settings) -> None:
    app = build_app(settings, seed=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        assert app.session is not None
        store = app.session.store
        state = next(c for c in app.session.charts if len(c.chart.documents) >= 2)
        chart_id = state.chart.chart_id
        app.open_chart(chart_id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ChartScreen)
        await pilot.press("ctrl+o", "down")  # the second document
        await pilot.press("ctrl+f", *"pain", "enter", "enter")  # the same search twice: once
        await pilot.press("escape")  # closes the find bar
        await pilot.press("ctrl+l", *"afib")
        await app.workers.wait_for_complete()
        await pilot.pause()
        lookup = app.screen
        assert isinstance(lookup, LookupScreen) and lookup.hits
        first, found = lookup.hits[0].code, len(lookup.hits)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+l", *"zzqx")  # found nothing, closed
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+t")  # the tabular browser, left without taking a code
        await pilot.pause()
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        events = [
            (e.kind, e.payload)
            for e in store.events(app.session.session_id)
            if e.kind in {"document_viewed", "chart_searched", "code_looked_up", "tabular_browsed"}
        ]
    hits = events[1][1]["hits"]
    assert events == [
        ("document_viewed", {"chart": chart_id, "document": 2}),
        ("chart_searched", {"chart": chart_id, "text": "pain", "hits": hits}),
        ("code_looked_up", {"chart": chart_id, "query": "afib", "results": found, "picked": first}),
        ("code_looked_up", {"chart": chart_id, "query": "zzqx", "results": 0, "picked": None}),
        ("tabular_browsed", {"chart": chart_id, "picked": None}),
    ]


async def test_opening_the_next_chart_records_no_document(settings: Settings) -> None:
    """The chart screen is reused: showing the next chart's first document (implied by opening
    it) is not recorded as a document viewed, whatever the last chart showed."""
    app = build_app(settings, seed=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        assert app.session is not None
        first, second = [c for c in app.session.charts if len(c.chart.documents) >= 2][:2]
        await open_chart(pilot, first.chart.chart_id)
        await pilot.press("ctrl+o", "down")  # the first chart's second document
        await pilot.press("escape")  # back to the queue
        await pilot.pause()
        screen = await open_chart(pilot, second.chart.chart_id)
        assert isinstance(screen, ChartScreen) and screen.chart_id == second.chart.chart_id
        viewer_text = screen.query_one("#doc-viewer").text  # type: ignore[attr-defined]
        assert viewer_text == screen._document_text(0)
        viewed = [
            e.payload
            for e in app.session.store.events(app.session.session_id)
            if e.kind == "document_viewed"
        ]
    assert viewed == [{"chart": first.chart.chart_id, "document": 2}]
