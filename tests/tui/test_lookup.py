"""The lookup, the tabular browser and the palette provider, driven with keys."""

from __future__ import annotations

from textual.widgets import DataTable, Static, Tree

from simulator.config import Settings
from simulator.tui.commands import CodeLookupProvider
from simulator.tui.screens.chart import ChartScreen
from simulator.tui.screens.lookup import LookupScreen
from simulator.tui.screens.tabular import TabularScreen
from tests.tui.helpers import build_app, until_ready


async def _open_clinic_chart(pilot) -> ChartScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    session = app.session
    clinic = next(c for c in session.charts if c.chart.case_id == "clinic-diabetes-followup")
    app.open_chart(clinic.chart.chart_id)
    await pilot.pause()
    assert isinstance(app.screen, ChartScreen)
    return app.screen


async def test_lookup_adds_the_chosen_code(settings: Settings) -> None:
    app = build_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        chart = await _open_clinic_chart(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        await pilot.press(*"t2dm with hyperglycemia")
        await app.workers.wait_for_complete()
        await pilot.pause()
        lookup = app.screen
        assert isinstance(lookup, LookupScreen)
        codes = [hit.code for hit in lookup.hits]
        assert codes[0] == "E11.65"
        detail = str(lookup.query_one("#lookup-detail", Static).render())
        assert "use additional code" in detail and "Z79.4" in detail
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is chart
        assert [line.code for line in chart.state.diagnoses] == ["E11.65"]
        await pilot.press("ctrl+l")
        await pilot.press(*"99214")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert [line.code for line in chart.state.procedures] == ["99214"]


async def test_lookup_escape_adds_nothing(settings: Settings) -> None:
    app = build_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        chart = await _open_clinic_chart(pilot)
        await pilot.press("ctrl+l", *"[/bold] [link=x]", "escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is chart and chart.state.diagnoses == []


async def test_tabular_browser_expands_and_picks(settings: Settings) -> None:
    app = build_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        chart = await _open_clinic_chart(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        browser = app.screen
        assert isinstance(browser, TabularScreen)
        tree = browser.query_one(Tree)
        assert len(tree.root.children) == 22
        # chapter 1 -> first block -> A00 -> A00.0 (billable)
        for _ in range(3):
            await pilot.press("enter", "down")
            await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is chart
        assert [line.code for line in chart.state.diagnoses] == ["A00.0"]


async def test_palette_provider_finds_codes(settings: Settings) -> None:
    app = build_app(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        provider = CodeLookupProvider(app.screen)
        hits = [hit async for hit in provider.search("afib")]
        assert "I48.91" in str(hits[0].prompt) or any("I48.91" in str(h.prompt) for h in hits[:5])
        assert not [table for table in app.screen.query(DataTable) if table.id == "lookup-results"]
