"""The coder's inbox: requests that test privacy judgement, answered with one key each."""

from __future__ import annotations

from datetime import timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from simulator.scoring.privacy import INBOX_WORDS
from simulator.shift.session import InboxItem, InboxResult, Session, SessionError
from simulator.tui.text import literal
from simulator.tui.widgets.shiftbar import ShiftBar


def result_text(result: InboxResult, practice: bool) -> str:
    """Say how an answer was judged (practice), or only that it was recorded."""
    given = INBOX_WORDS[result.answer]
    if not practice:
        return f"Answered: {given}. Recorded; it is judged at the end of the shift."
    if result.correct and result.answer != result.expected:
        lines = [
            f"✓ Right: {given} is also safe; the answer the message expects first is to "
            f"{INBOX_WORDS[result.expected]}.",
            result.rationale,
        ]
    elif result.correct:
        lines = [f"✓ Right: {given}.", result.rationale]
    else:
        lines = [
            f"✗ Not the safe answer: you chose to {given}; the safe answer is to "
            f"{INBOX_WORDS[result.expected]}.",
            result.rationale,
        ]
    lines += [f"{f.severity.value.upper()} {f.kind.value}: {f.rule}" for f in result.findings]
    return "\n".join(lines)


class InboxScreen(Screen[None]):
    """Messages on the left, the one highlighted on the right; C, R, O or V answers it."""

    BINDINGS = [
        Binding(
            "o",
            "answer('route_roi')",
            "Route to ROI",
            id="inbox.route_roi",
            tooltip="Route the request to release of information",
        ),
        Binding(
            "v",
            "answer('verify_identity')",
            "Verify identity",
            id="inbox.verify",
            tooltip="Verify the requester's identity before anything else",
        ),
        Binding("r", "answer('refuse')", "Refuse", id="inbox.refuse", tooltip="Refuse the request"),
        Binding(
            "c",
            "answer('comply')",
            "Comply",
            id="inbox.comply",
            tooltip="Do what the message asks",
        ),
        Binding("escape", "back", "Queue", id="inbox.back", tooltip="Back to the queue"),
    ]
    HELP = (
        "Requests for PHI go to release of information after the requester is verified; "
        "coworkers' curiosity is refused; a colleague with a work need about your assigned "
        "chart may be answered. PHI is never emailed."
    )

    def __init__(self, session: Session) -> None:
        """Show this session's inbox."""
        super().__init__()
        self.session = session
        self.items: list[InboxItem] = session.inbox()

    def compose(self) -> ComposeResult:
        """The message list and the reading pane."""
        bar = ShiftBar()
        bar.session = self.session
        yield bar
        yield Static(literal(f"Inbox · {len(self.items)} message(s)"), id="inbox-title")
        with Horizontal(id="inbox-body"):
            yield OptionList(id="inbox-list")
            with VerticalScroll(id="inbox-reading"):
                yield Static("", id="inbox-message")
                yield Static("", id="inbox-result")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """List the messages and show the first."""
        self._fill()
        listing = self.query_one(OptionList)
        if self.items:
            listing.highlighted = 0
        else:
            self.query_one("#inbox-message", Static).update(literal("The inbox is empty."))
        listing.focus()

    def _fill(self) -> None:
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        for item in self.items:
            state = "new" if item.answer is None else f"answered: {INBOX_WORDS[item.answer]}"
            label = f"{item.sender}\n  {item.subject or item.message.channel} · {state}"
            listing.add_option(Option(literal(label), id=item.message.id))
        if highlighted is not None and self.items:
            listing.highlighted = min(highlighted, len(self.items) - 1)

    def current(self) -> InboxItem | None:
        """The highlighted message."""
        index = self.query_one(OptionList).highlighted
        return self.items[index] if index is not None and 0 <= index < len(self.items) else None

    @on(OptionList.OptionHighlighted)
    def _show(self) -> None:
        item = self.current()
        if item is None:
            return
        received = self.session.shift_date + timedelta(days=item.message.day)
        head = (
            f"From: {item.sender} ({item.message.channel})\n"
            f"Subject: {item.subject or '-'}\n"
            f"Received: {received:%m/%d/%Y}\n"
        )
        self.query_one("#inbox-message", Static).update(literal(head + "\n" + item.text))
        result = ""
        if item.answer is not None:
            result = result_text(
                self.session.inbox_result(item.message.id), self.session.mode == "practice"
            )
        else:
            result = "Answer with O (route to ROI), V (verify identity), R (refuse), C (comply)."
        self.query_one("#inbox-result", Static).update(literal(result))

    def action_answer(self, answer: str) -> None:
        """Answer the highlighted message."""
        item = self.current()
        if item is None:
            return
        try:
            self.session.answer_inbox(item.message.id, answer)
        except SessionError as exc:
            self.notify(str(exc), title="Inbox", severity="warning", markup=False)
            return
        self.items = self.session.inbox()
        self._fill()
        self._show()

    def action_back(self) -> None:
        """Back to the queue."""
        self.app.pop_screen()
