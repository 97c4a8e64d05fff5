"""Reveal a masked identifier: the coder must say why, and the reveal is logged."""

from __future__ import annotations

from collections.abc import Collection

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from simulator.shift.session import MASKED_IDENTIFIERS
from simulator.tui.screens.decide import MODAL_CSS
from simulator.tui.text import literal


class RevealScreen(ModalScreen[tuple[str, str] | None]):
    """Pick the identifier to reveal and give the reason; returns (identifier, reason)."""

    BINDINGS = [Binding("escape", "cancel", "Close", id="reveal.close", tooltip="Keep it masked")]
    DEFAULT_CSS = MODAL_CSS.format(name="RevealScreen")
    HELP = (
        "Minimum necessary (45 CFR 164.514(d)): a coder rarely needs the SSN, address, phone "
        "or member ID. Revealing one is logged with your reason and reviewed."
    )

    def __init__(self, revealed: Collection[str]) -> None:
        """Offer the identifiers still masked."""
        super().__init__()
        self.hidden = [key for key in MASKED_IDENTIFIERS if key not in revealed]
        self.identifier: str | None = None

    def compose(self) -> ComposeResult:
        """The masked identifiers, the reason and what happens."""
        with Vertical(id="reveal-box"):
            yield Static(literal("Reveal a masked identifier"), classes="modal-title")
            yield Static(
                literal(
                    "Coders rarely need these. Revealing one is logged with your reason "
                    "(minimum necessary, 45 CFR 164.514(d))."
                ),
                classes="modal-hint",
            )
            yield OptionList(
                *[Option(literal(MASKED_IDENTIFIERS[key]), id=key) for key in self.hidden],
                id="reveal-list",
            )
            yield Input(
                placeholder="why you need it, e.g. payer requires the member ID", id="reveal-reason"
            )
            yield Static("", id="reveal-message", classes="modal-hint")

    def on_mount(self) -> None:
        """Focus the identifiers."""
        if not self.hidden:
            self.query_one("#reveal-message", Static).update(
                literal("Every identifier is already revealed on this chart.")
            )
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.identifier = event.option.id
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _reason(self, event: Input.Submitted) -> None:
        message = self.query_one("#reveal-message", Static)
        reason = " ".join(event.value.split())
        if self.identifier is None:
            message.update(literal("✗ choose the identifier first (Up/Down, Enter)"))
            self.query_one(OptionList).focus()
            return
        if not reason:
            message.update(literal("✗ a reason is required: it is logged with the reveal"))
            return
        self.dismiss((self.identifier, reason))

    def action_cancel(self) -> None:
        """Keep everything masked."""
        self.dismiss(None)
