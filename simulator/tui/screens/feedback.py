"""The feedback screen: a verdict per line, the score lenses, and the rationale for each line."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from simulator.scoring import Grade, LineVerdict
from simulator.shift.session import ChartState, Session, Status
from simulator.tui.text import literal
from simulator.tui.widgets.shiftbar import ShiftBar

SYMBOLS = {
    LineVerdict.CORRECT: "✓",
    LineVerdict.ALTERNATE: "✓",
    LineVerdict.OPTIONAL: "○",
    LineVerdict.MISSING: "✗",
    LineVerdict.EXTRA: "✗",
    LineVerdict.WRONG: "✗",
    LineVerdict.NOT_BILLABLE: "✗",
}


def summary_text(grade: Grade) -> str:
    """The lenses of one grade, in words and figures."""

    def yes(flag: bool | None) -> str:
        return "n/a" if flag is None else ("yes" if flag else "NO")

    poa = "n/a" if grade.poa_accuracy is None else f"{grade.poa_accuracy:.0%}"
    text = (
        f"Code-over-code accuracy {grade.code_over_code:.0%} "
        f"({grade.credited:g} of {grade.possible} credits)   "
        f"Record correct: {yes(grade.record_correct)}   "
        f"Principal/first-listed: {yes(grade.principal_correct)}   POA: {poa}   "
        f"Decision: {grade.decision_submitted} "
        f"({'right' if grade.decision_correct else 'expected ' + grade.decision_expected})"
    )
    if grade.query is not None:
        passed = sum(1 for c in grade.query.checks if c.passed)
        text += f"   Query rubric: {passed} of {len(grade.query.checks)}"
    if grade.privacy:
        text += f"   Privacy: {'pass' if grade.privacy_passed else 'FAIL'}"
    return text


def status_note(state: ChartState) -> str:
    """What happens next to a chart that is not done: pended, or waiting for an answer."""
    if state.status is Status.PENDED:
        return f" · stays in the queue as pended: {state.pend_reason}"
    if state.status is Status.QUERY_SENT:
        return " · the physician's answer comes back to the queue as 'answered'"
    return ""


class FeedbackScreen(Screen[None]):
    """Shows how a submitted chart was graded and why."""

    BINDINGS = [
        Binding(
            "n",
            "next",
            "Next chart",
            id="feedback.next",
            tooltip="Open the next chart in the queue",
        ),
        Binding("escape", "queue", "Queue", id="feedback.queue", tooltip="Back to the queue"),
    ]

    HELP = (
        "Each line of the answer key and each code you added gets a verdict (✓ full credit, "
        "~ partial, ✗ none) and the reason; highlight a line to read its rationale and the "
        "evidence in the chart. Decisions, the query rubric and privacy are listed after."
    )

    class Next(Message):
        """Asks the app for the next chart."""

    def __init__(self, session: Session, grade: Grade) -> None:
        """Show one grade."""
        if session.mode == "assessment":  # assessment hook (tui/timebox.py): never a grade
            raise RuntimeError("the feedback screen is never shown in assessment mode")
        super().__init__()
        self.session = session
        self.grade = grade

    def compose(self) -> ComposeResult:
        """Summary, verdict table, rationale."""
        bar = ShiftBar()
        bar.session = self.session
        yield bar
        state = self.session.state(self.grade.chart_id)
        yield Static(
            literal(f"Feedback · {state.chart.title}{status_note(state)}"), id="feedback-title"
        )
        yield Static(literal(summary_text(self.grade)), id="feedback-summary")
        yield DataTable(id="feedback-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="feedback-rationale")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Fill the verdict table."""
        table = self.query_one(DataTable)
        table.add_columns("", "Verdict", "Expected", "Yours", "Credit", "Why")
        for i, line in enumerate(self.grade.lines):
            table.add_row(
                literal(SYMBOLS.get(line.verdict, "~")),
                literal(line.verdict.value),
                literal(line.expected or "-"),
                literal(line.submitted or "-"),
                literal(f"{line.credit:g}" if line.counts else "-"),
                literal(line.explanation),
                key=str(i),
            )
        for note in self.grade.notes:
            table.add_row(*(literal(x) for x in ("!", "decision", "", "", "", note)))
        table.focus()
        self._show(0)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.cursor_row)

    def _show(self, index: int) -> None:
        if not 0 <= index < len(self.grade.lines):
            return
        line = self.grade.lines[index]
        parts = []
        if line.rationale:
            parts.append(f"Rationale: {' '.join(line.rationale.split())}")
        if line.evidence:
            parts.append(f"Evidence: \u201c{line.evidence}\u201d")
        self.query_one("#feedback-rationale", Static).update(literal("\n".join(parts)))

    def action_next(self) -> None:
        """Go on to the next chart."""
        self.post_message(self.Next())

    def action_queue(self) -> None:
        """Go back to the queue."""
        self.app.pop_screen()
