"""Pilot tests: queue -> chart -> codes -> submit -> feedback, with keys only."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from simulator.config import Settings
from simulator.scoring import LineVerdict
from simulator.tui.screens.chart import ChartScreen
from simulator.tui.screens.feedback import FeedbackScreen
from simulator.tui.screens.loading import LoadingScreen
from simulator.tui.screens.queue import QueueScreen
from tests.tui.helpers import build_app, until_ready


def _static_text(widget: Static) -> str:
    return str(widget.render())


async def test_code_submit_and_feedback(settings: Settings) -> None:
    app = build_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        assert isinstance(app.screen, QueueScreen)
        session = app.session
        assert session is not None
        clinic = next(c for c in session.charts if c.chart.case_id == "clinic-diabetes-followup")
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(clinic.chart.chart_id))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChartScreen)
        assert app.screen.state is clinic
        for code in ("E11.65", "Z79.4", "I10", "J45.909"):
            await pilot.press(*code, "enter")
        await pilot.press("ctrl+r")
        await pilot.press(*"99214", "enter")
        assert [line.code for line in clinic.diagnoses] == ["E11.65", "Z79.4", "I10", "J45.909"]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        grade = app.screen.grade
        verdicts = {(g.expected, g.submitted): g.verdict for g in grade.lines}
        assert verdicts[("E11.65", "E11.65")] is LineVerdict.CORRECT
        assert verdicts[("Z79.84", None)] is LineVerdict.MISSING
        assert verdicts[("E78.5", None)] is LineVerdict.MISSING
        assert verdicts[(None, "J45.909")] is LineVerdict.EXTRA
        assert verdicts[("99214", "99214")] is LineVerdict.CORRECT
        # 4 credited of 6 key lines + 1 extra
        assert abs(grade.code_over_code - 4 / 7) < 1e-9
        summary = _static_text(app.screen.query_one("#feedback-summary", Static))
        assert "Code-over-code accuracy 57%" in summary
        rows = app.screen.query_one(DataTable)
        cells = [str(rows.get_row_at(i)[1]) for i in range(rows.row_count)]
        assert cells.count("missing") == 2 and "extra" in cells and "correct" in cells
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ChartScreen)
        assert app.screen.state is not clinic


async def test_invalid_codes_get_clear_messages(settings: Settings) -> None:
    app = build_app(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChartScreen)
        message = screen.query_one("#code-message", Static)
        await pilot.press(*"E11", "enter")
        assert "not billable" in _static_text(message) and "E11.6" in _static_text(message)
        await pilot.press(*"[/bold]x", "enter")
        assert "not shaped like an ICD-10-CM code" in _static_text(message)
        await pilot.press(*"Q99.99", "enter")
        assert "not in ICD-10-CM" in _static_text(message)
        entry = screen.query_one("#dx-input", Input)
        assert entry.value == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChartScreen)
        assert "fix or remove the invalid code" in _static_text(message)


async def test_broken_pack_shows_located_problems(settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pack = tmp_path / "broken"
    (pack / "cases").mkdir(parents=True)
    (pack / "pack.yaml").write_text("id: broken\ntitle: [x\n")
    app = build_app(settings.model_copy(update={"pack": pack}))
    async with app.run_test() as pilot:
        text = ""
        for _ in range(200):  # the start-up worker fails on its own schedule
            await pilot.pause(0.02)
            if isinstance(app.screen, LoadingScreen):
                text = str(app.screen.query_one("#loading-problems", Static).render())
                if text:
                    break
        assert isinstance(app.screen, LoadingScreen)
        assert "broken/pack.yaml:3:1: YAML syntax" in text
