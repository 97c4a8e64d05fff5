"""Decide instead of coding: query the physician, pend the chart with a reason, flag a problem."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from simulator.charts.render import Chart
from simulator.shift.session import FLAG_KINDS, PEND_REASONS
from simulator.tui.text import literal

DECISIONS: tuple[tuple[str, str], ...] = (
    ("query", "F6 Query the physician: the documentation is conflicting, incomplete or vague"),
    ("pend", "F7 Pend with a reason: a document is missing, unsigned or awaited"),
    ("flag", "F8 Flag a problem: a misfiled document, the wrong patient, a conflict of interest"),
)
"""(choice, label) for each decision a coder can take instead of coding."""

RELEASE = ("release", "Release the pend: the reason has cleared, code the chart now")
"""The extra choice offered on a pended chart."""

MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 84; max-width: 96%; height: auto; max-height: 90%;
    border: round $primary; background: $surface; padding: 0 1;
}}
{name} OptionList {{ height: auto; max-height: 12; }}
{name} .modal-title {{ text-style: bold; color: $primary; }}
{name} .modal-hint {{ color: $text-muted; }}
"""
"""The layout every small decision dialog shares; {name} is the screen's class name."""


class DecideScreen(ModalScreen[str | None]):
    """Pick a decision; Enter returns its name, Escape returns nothing."""

    BINDINGS = [Binding("escape", "cancel", "Close", id="decide.close", tooltip="Back to coding")]
    DEFAULT_CSS = MODAL_CSS.format(name="DecideScreen")
    HELP = "Choose what to do instead of coding the chart; each choice opens its own form."

    def __init__(self, pended: bool = False) -> None:
        """Offer the release of the pend too when the chart is pended."""
        super().__init__()
        self.choices = (RELEASE, *DECISIONS) if pended else DECISIONS

    def compose(self) -> ComposeResult:
        """The list of decisions."""
        with Vertical(id="decide-box"):
            yield Static(literal("Instead of coding this chart, I will:"), classes="modal-title")
            yield OptionList(
                *[Option(literal(label), id=name) for name, label in self.choices],
                id="decide-list",
            )
            yield Static(literal("Enter chooses · Esc goes back"), classes="modal-hint")

    def on_mount(self) -> None:
        """Focus the list."""
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Go back without deciding."""
        self.dismiss(None)


class PendScreen(ModalScreen[str | None]):
    """Pick the pending reason, or type another one; returns the reason."""

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="pend.close", tooltip="Back without pending")
    ]
    DEFAULT_CSS = MODAL_CSS.format(name="PendScreen")
    HELP = "A pended chart stays in the queue as 'pended: reason' until the reason clears."

    def compose(self) -> ComposeResult:
        """The facility's reasons and a free-text entry."""
        with Vertical(id="pend-box"):
            yield Static(literal("Pend this chart because:"), classes="modal-title")
            yield OptionList(
                *[Option(literal(reason), id=reason) for reason in PEND_REASONS],
                Option(literal("another reason (type it below)"), id=""),
                id="pend-list",
            )
            yield Input(
                placeholder="another reason, e.g. discharge summary not dictated", id="pend-other"
            )
            yield Static(literal("Enter pends the chart · Esc goes back"), classes="modal-hint")

    def on_mount(self) -> None:
        """Focus the list."""
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)
        else:
            self.query_one(Input).focus()

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        reason = " ".join(event.value.split())
        if reason:
            self.dismiss(reason)

    def action_cancel(self) -> None:
        """Go back without pending."""
        self.dismiss(None)


class FlagScreen(ModalScreen[tuple[str, int | None] | None]):
    """Pick the kind of problem, then the document concerned; returns (kind, document)."""

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="flag.close", tooltip="Back without flagging")
    ]
    DEFAULT_CSS = MODAL_CSS.format(name="FlagScreen")
    HELP = (
        "Flag instead of coding: a document that belongs to another patient, an encounter on "
        "the wrong patient, or a record you must not code (conflict of interest, VIP)."
    )

    def __init__(self, chart: Chart) -> None:
        """Flag a problem in this chart."""
        super().__init__()
        self.chart = chart
        self.kind: str | None = None

    def compose(self) -> ComposeResult:
        """The kinds of problem and the chart's documents."""
        with Vertical(id="flag-box"):
            yield Static(literal("1. What is wrong?"), classes="modal-title")
            yield OptionList(
                *[Option(literal(label), id=kind) for kind, label in FLAG_KINDS.items()],
                id="flag-kinds",
            )
            yield Static(literal("2. Which document?"), classes="modal-title")
            yield OptionList(
                *[
                    Option(
                        literal(f"{d.index + 1}. {d.type} · {d.date:%m/%d} · {d.author}"),
                        id=str(d.index + 1),
                    )
                    for d in self.chart.documents
                ],
                Option(literal("the whole record (no single document)"), id="0"),
                id="flag-documents",
            )
            yield Static(
                literal("Enter chooses · the second Enter flags the chart · Esc goes back"),
                classes="modal-hint",
            )

    def on_mount(self) -> None:
        """Focus the kinds."""
        self.query_one("#flag-kinds", OptionList).focus()

    @on(OptionList.OptionSelected, "#flag-kinds")
    def _kind(self, event: OptionList.OptionSelected) -> None:
        self.kind = event.option.id
        self.query_one("#flag-documents", OptionList).focus()

    @on(OptionList.OptionSelected, "#flag-documents")
    def _document(self, event: OptionList.OptionSelected) -> None:
        if self.kind is None:
            self.query_one("#flag-kinds", OptionList).focus()
            return
        number = int(event.option.id or 0)
        self.dismiss((self.kind, number or None))

    def action_cancel(self) -> None:
        """Go back without flagging."""
        self.dismiss(None)
