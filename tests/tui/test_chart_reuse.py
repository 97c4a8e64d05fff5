"""The chart screen is made once a session and loaded with each chart opened: nothing of the
chart shown before may stay on it (codes, typed text, the find bar, the document shown)."""

from __future__ import annotations

from textual.widgets import DataTable, Input, OptionList, Static, TextArea

from simulator.config import Settings
from simulator.tui.screens.chart import ChartScreen
from tests.tui.helpers import build_app, until_ready


def _shown(screen: ChartScreen) -> dict[str, object]:
    """What the trainee sees of the chart that could belong to another one."""
    header = screen.query_one("#chart-header", Static)
    return {
        "header": str(header.render()),
        "documents": screen.query_one("#doc-list", OptionList).option_count,
        "highlighted": screen.query_one("#doc-list", OptionList).highlighted,
        "viewer": screen.query_one("#doc-viewer", TextArea).text,
        "dx typed": screen.query_one("#dx-input", Input).value,
        "find shown": screen.query_one("#find-input", Input).display,
        "find typed": screen.query_one("#find-input", Input).value,
        "dx lines": screen.query_one("#dx-table", DataTable).row_count,
    }


async def test_a_chart_opened_after_another_shows_only_itself(settings: Settings) -> None:
    app = build_app(settings, seed=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        assert app.session is not None
        first, second = [c for c in app.session.charts if len(c.chart.documents) >= 2][:2]

        # The second chart as a chart screen of its own shows it (the reference).
        app.open_chart(second.chart.chart_id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChartScreen)
        reference = _shown(screen)
        await pilot.press("escape")
        await pilot.pause()

        # Work on the first chart: a code added, a document switched, a find, a half-typed code.
        app.open_chart(first.chart.chart_id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen  # the same screen, loaded with another chart
        await pilot.press("ctrl+d", *"R10.9", "enter")
        await pilot.press("ctrl+o", "down")
        await pilot.press("ctrl+f", *"the")
        await pilot.press("ctrl+d", *"E11")
        await pilot.pause()
        assert first.diagnoses, "the code was added to the first chart"
        assert _shown(screen)["viewer"] != reference["viewer"]
        app.pop_screen()
        await pilot.pause()

        app.open_chart(second.chart.chart_id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen
        assert _shown(screen) == reference
        assert screen.query_one("#dx-input", Input).has_focus
