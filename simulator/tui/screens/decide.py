"""Decide instead of coding: query the physician, pend the chart, or flag a problem."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from simulator.tui.text import literal

DECISIONS: tuple[tuple[str, str, str], ...] = (
    (
        "query",
        "physician query",
        "Query the physician: documentation is conflicting, incomplete or ambiguous",
    ),
    ("pend", "missing documentation", "Pend: a document is missing (e.g. no discharge summary)"),
    ("pend", "document not signed", "Pend: a document is not signed or authenticated"),
    ("pend", "awaiting pathology", "Pend: waiting for the final pathology report"),
    ("flag", "misfiled document", "Flag: a document belongs to another patient"),
    ("flag", "wrong patient", "Flag: the encounter is documented on the wrong patient"),
    ("flag", "conflict of interest", "Flag: conflict of interest or a restricted (VIP) record"),
)
"""(action, reason, label) for each decision a coder can take instead of coding."""


class DecideScreen(ModalScreen[tuple[str, str] | None]):
    """Pick a decision; Enter returns (action, reason), Escape returns nothing."""

    BINDINGS = [Binding("escape", "cancel", "Close", id="decide.close", tooltip="Back to coding")]
    DEFAULT_CSS = """
    DecideScreen { align: center middle; }
    #decide-box { width: 80; max-width: 95%; height: auto; border: round $primary; background: $surface; padding: 0 1; }
    #decide-list { height: auto; max-height: 12; }
    """

    def compose(self) -> ComposeResult:
        """The list of decisions."""
        with Vertical(id="decide-box"):
            yield Static(literal("Instead of coding this chart, I will:"))
            yield OptionList(
                *[Option(literal(label), id=str(i)) for i, (_a, _r, label) in enumerate(DECISIONS)],
                id="decide-list",
            )
            yield Static(literal("Enter submits the chart with this decision · Esc goes back"))

    def on_mount(self) -> None:
        """Focus the list."""
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        action, reason, _label = DECISIONS[int(event.option.id or 0)]
        self.dismiss((action, reason))

    def action_cancel(self) -> None:
        """Go back without deciding."""
        self.dismiss(None)
