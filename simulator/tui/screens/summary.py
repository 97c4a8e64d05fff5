"""The end-of-shift summary: every accuracy lens, productivity, privacy, weakest topics."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from simulator.scoring.privacy import INBOX_WORDS
from simulator.scoring.report import summary_lines
from simulator.shift.session import Session
from simulator.tui.text import literal
from simulator.tui.widgets.shiftbar import ShiftBar


def shift_report(session: Session) -> list[str]:
    """The summary as text lines: the lenses and study list, then the inbox and the queue."""
    summary = session.summary()
    if summary is None:
        return [
            "Your work is handed in. An assessment shows no score; the screener receives the "
            "report."
        ]
    lines = summary_lines(summary)
    answered = [session.inbox_result(m) for m in session.inbox_answers]
    if session.pack.inbox:
        safe = sum(1 for r in answered if r.correct)
        lines.append(
            f"  inbox: {len(answered)} of {len(session.pack.inbox)} message(s) answered, "
            f"{safe} safely"
        )
        for result in answered:
            mark = "✓" if result.correct else "✗"
            lines.append(
                f"    {mark} {result.message_id}: you chose to {INBOX_WORDS[result.answer]}"
                + ("" if result.correct else f"; safe: {INBOX_WORDS[result.expected]}")
            )
    left = [c for c in session.charts if c.grade is None]
    if left:
        lines.append(f"  not submitted: {len(left)} chart(s)")
        lines += [f"    {c.chart.case_id}: {c.status_label}" for c in left]
    return lines


class SummaryScreen(Screen[None]):
    """Shows the shift's summary once the shift has ended."""

    BINDINGS = [
        Binding("q", "app.quit", "Quit", id="summary.quit", tooltip="Leave CodeDesk"),
        Binding(
            "ctrl+n",
            "app.new_session",
            "New session",
            id="summary.new",
            tooltip="Start another session",
        ),
    ]
    HELP = (
        "Accuracy is measured several ways at once (code-over-code, record, principal, POA, "
        "MS-DRG, decisions, query quality) against the 95% goal line; the study list names the "
        "guideline points behind the lost credit, heaviest first."
    )

    @dataclass
    class Ready(Message):
        """The summary lines, computed in a worker."""

        lines: list[str]

    def __init__(self, session: Session) -> None:
        """Summarize this session."""
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        """The title and the report."""
        bar = ShiftBar()
        bar.session = self.session
        yield bar
        yield Static(
            literal(f"End of {self.session.mode} · {self.session.done_count()} chart(s) done"),
            id="summary-title",
        )
        with VerticalScroll(id="summary-scroll"):
            yield Static(literal("Grading the shift…"), id="summary-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Compute the summary off the event loop."""
        self.query_one(VerticalScroll).focus()
        self.compute()

    @work(thread=True, exclusive=True, exit_on_error=False, group="summary")
    def compute(self) -> None:
        """Summarize in a thread."""
        self.post_message(self.Ready(shift_report(self.session)))

    @on(Ready)
    def _show(self, message: Ready) -> None:
        self.query_one("#summary-text", Static).update(literal("\n".join(message.lines)))
