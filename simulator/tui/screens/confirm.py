"""A yes/no question before an action that cannot be taken back."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from simulator.tui.screens.decide import MODAL_CSS
from simulator.tui.text import literal


class ConfirmScreen(ModalScreen[bool]):
    """Ask once; Enter returns True, Escape returns False."""

    BINDINGS = [
        Binding("enter", "answer(True)", "Yes", id="confirm.yes", tooltip="Go ahead"),
        Binding("escape", "answer(False)", "No", id="confirm.no", tooltip="Go back"),
    ]
    DEFAULT_CSS = MODAL_CSS.format(name="ConfirmScreen")

    def __init__(self, title: str, detail: str, yes: str = "go ahead", no: str = "go back") -> None:
        """Ask title, explained by detail; yes names what Enter does, no what Escape does."""
        super().__init__()
        self.title_text = title
        self.detail = detail
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        """The question, why it matters and the two keys."""
        with Vertical(id="confirm-box"):
            yield Static(literal(self.title_text), classes="modal-title")
            yield Static(literal(self.detail), id="confirm-detail")
            yield Static(literal(f"Enter: {self.yes} · Esc: {self.no}"), classes="modal-hint")

    def action_answer(self, answer: bool) -> None:
        """Close with the answer."""
        self.dismiss(answer)
