"""The query composer: cite the record, ask the question, offer the options, with live advice."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from simulator.charts.render import Chart
from simulator.shift.session import Session
from simulator.tui.masking import mask
from simulator.tui.querycheck import (
    OTHER_OPTION,
    UNDETERMINED_OPTION,
    compose,
    query_advice,
    query_form,
)
from simulator.tui.text import clean, literal, reflow
from simulator.tui.widgets.shiftbar import ShiftBar

_SENTENCE = re.compile(r"(?<=[.;!?])\s+(?=[A-Z0-9(])")


@dataclass(frozen=True)
class QueryDraft:
    """A query ready to send: the text (indicators and question) and the options."""

    text: str
    options: tuple[str, ...]
    indicators: tuple[str, ...]


def record_lines(chart: Chart, revealed: Collection[str] = ()) -> list[tuple[int, str]]:
    """Split the chart's documents into citable sentences: (document number, text) each."""
    found: list[tuple[int, str]] = []
    for document in chart.documents:
        text = reflow(clean(mask(document.text, chart, revealed)))
        for line in text.split("\n"):
            for sentence in _SENTENCE.split(line.strip()):
                sentence = sentence.strip()
                if len(sentence) > 2:
                    found.append((document.index + 1, sentence))
    return found


class IndicatorList(OptionList):
    """The record's sentences; Space (or Enter) cites or un-cites the highlighted one.

    Each line says "[✓]" or "[ ]", so what is cited never depends on colour, and long
    sentences wrap instead of being cut.
    """

    BINDINGS = [
        Binding(
            "space",
            "toggle",
            "Cite",
            id="query.cite",
            tooltip="Cite (or stop citing) the highlighted line of the record",
        )
    ]

    @dataclass
    class Changed(Message):
        """The cited lines changed."""

        indicators: IndicatorList

    def __init__(self, lines: list[tuple[int, str]], *, id: str | None = None) -> None:
        """List these (document number, sentence) lines, none cited."""
        self.lines = lines
        self.cited: set[int] = set()
        super().__init__(*[Option(self._prompt(i), id=str(i)) for i in range(len(lines))], id=id)

    def _prompt(self, index: int) -> Text:
        """One line as listed: its mark, its document and its words."""
        number, sentence = self.lines[index]
        mark = "[✓]" if index in self.cited else "[ ]"
        return literal(f"{mark} D{number} {sentence}")

    def select(self, index: int, cite: bool = True) -> None:
        """Cite (or stop citing) the line at index."""
        if cite:
            self.cited.add(index)
        else:
            self.cited.discard(index)
        self.replace_option_prompt_at_index(index, self._prompt(index))
        self.post_message(self.Changed(self))

    def action_toggle(self) -> None:
        """Cite or un-cite the highlighted line."""
        index = self.highlighted
        if index is not None:
            self.select(index, index not in self.cited)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_toggle()


class QueryScreen(Screen[QueryDraft | None]):
    """Write a compliant physician query; Ctrl+S sends it, Escape returns to the chart."""

    BINDINGS = [
        Binding(
            "ctrl+s",
            "send",
            "Send",
            id="query.send",
            tooltip="Send the query to the physician",
            priority=True,
        ),
        Binding(
            "ctrl+o",
            "add_standard_options",
            "Other+undetermined",
            id="query.options",
            tooltip="Add the 'Other' and 'Clinically undetermined' options",
            priority=True,
        ),
        Binding(
            "escape", "cancel", "Back", id="query.cancel", tooltip="Back to the chart, send nothing"
        ),
    ]
    HELP = (
        "A compliant query (AHIMA/ACDIS) cites the clinical indicators in this record, asks "
        "without leading (no 'please document', no payment, DRG or quality words, never one "
        "diagnosis as the only choice), offers clinically reasonable options with 'Other' and "
        "'Clinically undetermined', and carries no SSN, address or phone. Space selects a line "
        "of the record; Tab moves between the parts."
    )

    def __init__(self, session: Session, chart: Chart, revealed: Collection[str] = ()) -> None:
        """Compose a query on this chart."""
        super().__init__()
        self.session = session
        self.chart = chart
        self.lines = record_lines(chart, revealed)

    def compose(self) -> ComposeResult:
        """Indicators on the left; question, options and advice on the right."""
        bar = ShiftBar()
        bar.session = self.session
        yield bar
        yield Static(literal(f"Physician query · {self.chart.title}"), id="query-title")
        with Horizontal(id="query-body"):
            with Vertical(id="query-left"):
                yield Static(literal("Indicators: Space cites"), classes="pane-title")
                yield IndicatorList(self.lines, id="query-indicators")
            with Vertical(id="query-right"):
                yield Static(literal("Question"), classes="pane-title")
                question = TextArea(
                    "",
                    soft_wrap=True,
                    show_line_numbers=False,
                    placeholder="e.g. Based on these indicators, can the diagnosis be clarified?",
                    id="query-question",
                )
                question.cursor_blink = False
                yield question
                yield Static(literal("Options, one a line"), classes="pane-title")
                options = TextArea(
                    "",
                    soft_wrap=True,
                    show_line_numbers=False,
                    placeholder="e.g. a diagnosis\nanother diagnosis\nOther (please specify)\n"
                    "Clinically undetermined",
                    id="query-options",
                )
                options.cursor_blink = False
                yield options
                yield Static("", id="query-advice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start in the indicators and show the first advice."""
        self.query_one(IndicatorList).focus()
        self._advise()

    def indicators(self) -> list[str]:
        """The selected lines of the record, in record order."""
        return [self.lines[i][1] for i in sorted(self.query_one(IndicatorList).cited)]

    def question(self) -> str:
        """The question as typed."""
        return self.query_one("#query-question", TextArea).text

    def options(self) -> list[str]:
        """The options as typed, one a line, blanks left out."""
        text = self.query_one("#query-options", TextArea).text
        return [" ".join(line.split()) for line in text.split("\n") if line.strip()]

    @on(TextArea.Changed)
    @on(IndicatorList.Changed)
    def _changed(self) -> None:
        self._advise()

    def _advise(self) -> None:
        advice = query_advice(self.question(), self.options(), self.indicators(), self.chart)
        form = query_form(self.options())
        head = f"{len(self.indicators())} indicator(s) cited · {form}"
        lines = [head] + [str(a) for a in advice]
        if not advice:
            lines.append("✓ no problem found: ready to send (Ctrl+S)")
        self.query_one("#query-advice", Static).update(literal("\n".join(lines)))

    def action_add_standard_options(self) -> None:
        """Add the 'Other' and 'Clinically undetermined' options when missing."""
        area = self.query_one("#query-options", TextArea)
        present = {o.lower() for o in self.options()}
        extra = [o for o in (OTHER_OPTION, UNDETERMINED_OPTION) if o.lower() not in present]
        if extra:
            text = area.text.rstrip("\n")
            area.load_text("\n".join([text, *extra]) if text else "\n".join(extra))
            self._advise()

    def action_send(self) -> None:
        """Send the query (a question is required; the rest is graded by the rubric)."""
        if not self.question().strip():
            self.notify("Write the question first.", title="Query", severity="warning")
            self.query_one("#query-question", TextArea).focus()
            return
        indicators = tuple(self.indicators())
        self.dismiss(
            QueryDraft(compose(indicators, self.question()), tuple(self.options()), indicators)
        )

    def action_cancel(self) -> None:
        """Back to the chart without sending."""
        self.dismiss(None)
