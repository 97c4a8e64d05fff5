"""The workqueue grid (sort, filter, next chart) and find-in-chart, driven with keys."""

from __future__ import annotations

from textual.widgets import DataTable, Static, TextArea

from simulator.config import Settings
from simulator.tui.screens.chart import ChartScreen, find_all
from simulator.tui.screens.queue import QueueScreen
from tests.tui.helpers import build_app, until_ready


def _column(table: DataTable[object], name: str) -> list[str]:
    index = [str(c.key.value) for c in table.ordered_columns].index(name)
    return [str(table.get_row_at(i)[index]) for i in range(table.row_count)]


async def test_sort_and_filter_the_queue(settings: Settings) -> None:
    app = build_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        table = queue.query_one(DataTable)
        priorities = [int(p) for p in _column(table, "Pri")]
        assert priorities == sorted(priorities)
        while queue.sort_column != "Payer":
            await pilot.press("s")
        payers = _column(table, "Payer")
        assert payers == sorted(payers)
        await pilot.press("r")
        assert _column(table, "Payer") == sorted(payers, reverse=True)
        await pilot.press("slash", *"Inpatient")
        await pilot.pause()
        types = _column(table, "Type")
        assert types and set(types) == {"Inpatient"}
        status = str(queue.query_one("#queue-status", Static).render())
        assert f"{len(types)} of {len(app.session.charts)} charts" in status
        await pilot.press("escape")
        assert table.row_count == len(app.session.charts)


async def test_find_in_chart(settings: Settings) -> None:
    app = build_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        state = next(c for c in app.session.charts if c.chart.case_id == "ip-chf-exacerbation")
        app.open_chart(state.chart.chart_id)
        await pilot.pause()
        chart = app.screen
        assert isinstance(chart, ChartScreen)
        await pilot.press("ctrl+f", *"apixaban")
        await pilot.pause()
        viewer = chart.query_one("#doc-viewer", TextArea)
        status = str(chart.query_one("#find-status", Static).render())
        total = len(find_all(viewer.text, "apixaban"))
        assert total >= 2 and status == f"match 1 of {total}"
        assert viewer.selected_text.lower() == "apixaban"
        await pilot.press("enter")
        assert str(chart.query_one("#find-status", Static).render()) == f"match 2 of {total}"
        await pilot.press("escape")
        assert not chart.query_one("#find-input").display
        assert app.screen is chart


def test_find_all_is_case_insensitive() -> None:
    assert find_all("Gout\nno gout flare; GOUT", "gout") == [
        ((0, 0), (0, 4)),
        ((1, 3), (1, 7)),
        ((1, 15), (1, 19)),
    ]
    assert find_all("text", "  ") == []


async def test_pend_a_chart_instead_of_coding(settings: Settings) -> None:
    from textual.widgets import OptionList

    from simulator.tui.screens.decide import DecideScreen, PendScreen
    from simulator.tui.screens.feedback import FeedbackScreen

    app = build_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        state = next(
            c
            for c in app.session.charts
            if c.chart.case_id == "pend-ops-back-lesion-excision-awaiting-pathology"
        )
        app.open_chart(state.chart.chart_id)
        await pilot.pause()
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert isinstance(app.screen, DecideScreen)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PendScreen)
        options = app.screen.query_one(OptionList)
        target = options.get_option_index("awaiting pathology")
        while options.highlighted != target:
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        grade = app.screen.grade
        assert grade.decision_submitted == "pend" and grade.decision_correct
        summary = str(app.screen.query_one("#feedback-summary", Static).render())
        assert "Decision: pend (right)" in summary
        assert "stays in the queue as pended: awaiting pathology" in str(
            app.screen.query_one("#feedback-title", Static).render()
        )


async def test_pend_with_a_typed_reason(settings: Settings) -> None:
    from simulator.tui.screens.decide import PendScreen

    app = build_app(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        chart = app.screen
        assert isinstance(chart, ChartScreen)
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, PendScreen)
        await pilot.press("up", "enter", *"coding clinic question [/x]", "enter")
        await pilot.pause()
        assert chart.state.status_label == "pended: coding clinic question [/x]"
