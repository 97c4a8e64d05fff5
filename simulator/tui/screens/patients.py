"""The hospital's patient search, as in an EHR: it finds anyone, and opening is logged.

A coder opens the charts assigned to them. The search finds every patient of the hospital,
and opening a chart that is not in the coder's queue is recorded as a privacy event
(minimum necessary, 45 CFR 164.502(b)): the classic snooping violation.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from simulator.charts.render import Chart
from simulator.shift.session import DirectoryEntry, Session, SessionError
from simulator.tui.masking import identifier_line, mask
from simulator.tui.screens.queue import SETTING_LABELS
from simulator.tui.text import clean, literal, reflow
from simulator.tui.widgets.shiftbar import ShiftBar

SNOOPING = (
    "This patient is not in your queue. Opening a chart you are not assigned is recorded "
    "and reviewed (minimum necessary, 45 CFR 164.502(b)); staff have lost their jobs for "
    "looking up celebrities, coworkers and family."
)
"""The warning shown before an unassigned chart opens."""


class FindPatientScreen(Screen[str | None]):
    """Search patients by name, MRN, account or DOB; returns an assigned chart to open."""

    BINDINGS = [
        Binding("escape", "back", "Queue", id="patients.back", tooltip="Back to the queue"),
        Binding(
            "down",
            "results",
            "Results",
            id="patients.results",
            tooltip="Go to the results",
            show=False,
        ),
    ]
    HELP = SNOOPING

    @dataclass
    class Results(Message):
        """Patients found for one search, from the worker."""

        text: str
        entries: list[DirectoryEntry]

    def __init__(self, session: Session) -> None:
        """Search this session's hospital."""
        super().__init__()
        self.session = session
        self.entries: list[DirectoryEntry] = []

    def compose(self) -> ComposeResult:
        """The search entry, the results and the warning."""
        bar = ShiftBar()
        bar.session = self.session
        yield bar
        yield Static(
            literal("Patient search · every chart opened from here is logged"),
            id="patients-title",
        )
        yield Input(
            placeholder="name, MRN, account or DOB (at least 2 characters)", id="patients-input"
        )
        yield DataTable(id="patients-table", cursor_type="row", zebra_stripes=True)
        yield Static(
            literal("Type to search; Enter on a row opens that chart."), id="patients-status"
        )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Set up the results and focus the entry."""
        table = self.query_one(DataTable)
        table.add_columns("Patient", "DOB", "MRN", "Encounter", "Date", "Yours?")
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_results()

    @work(thread=True, exclusive=True, exit_on_error=False, group="patients")
    def search(self, text: str) -> None:
        """Search in a thread (the first search renders the hospital's other patients)."""
        self.post_message(self.Results(text, self.session.find_patients(text)))

    @on(Results)
    def _show(self, message: Results) -> None:
        if message.text != self.query_one(Input).value:
            return
        self.entries = message.entries
        table = self.query_one(DataTable)
        table.clear()
        for entry in message.entries:
            chart = entry.chart
            patient = chart.patient
            when = chart.encounter.discharge_date or chart.encounter.service_date
            table.add_row(
                literal(patient.name),
                literal(f"{patient.dob:%m/%d/%Y}"),
                literal(patient.mrn),
                literal(SETTING_LABELS.get(chart.setting.value, chart.setting.value)),
                literal(f"{when:%m/%d}"),
                literal("✓ your queue" if entry.assigned else "✗ NOT ASSIGNED"),
            )
        found = f"{len(message.entries)} patient(s) found" if message.text.strip() else ""
        self.query_one("#patients-status", Static).update(literal(found))

    def action_results(self) -> None:
        """Move from the entry to the results."""
        if self.entries:
            self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        if not 0 <= event.cursor_row < len(self.entries):
            return
        entry = self.entries[event.cursor_row]
        if entry.assigned:
            self.dismiss(entry.chart.chart_id)
            return
        from simulator.tui.screens.confirm import ConfirmScreen

        def opened(go: bool | None) -> None:
            if not go:
                return
            try:
                chart = self.session.open_unassigned(entry.chart.chart_id)
            except SessionError as exc:
                self.notify(str(exc), title="Patient search", severity="error", markup=False)
                return
            self.app.push_screen(BrowseChartScreen(self.session, chart))

        self.app.push_screen(
            ConfirmScreen("Not your patient", SNOOPING, "open anyway (logged)"), opened
        )

    def action_back(self) -> None:
        """Back to the queue."""
        self.dismiss(None)


class BrowseChartScreen(Screen[None]):
    """A chart opened outside the queue: read only, identifiers masked, access logged."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="browse.back", tooltip="Close this chart"),
    ]
    HELP = "This chart is not assigned to you: nothing can be coded here, and the access is logged."

    def __init__(self, session: Session, chart: Chart) -> None:
        """Show this chart."""
        super().__init__()
        self.session = session
        self.chart = chart

    def compose(self) -> ComposeResult:
        """A warning header, the documents and the viewer."""
        bar = ShiftBar()
        bar.session = self.session
        yield bar
        yield Static(
            literal(f"NOT ASSIGNED TO YOU · access logged · {self.chart.title}"),
            id="browse-header",
        )
        yield Static(literal(identifier_line(self.chart)), id="browse-identifiers")
        with Horizontal(id="browse-body"):
            with Vertical(id="browse-docs"):
                yield OptionList(
                    *[
                        Option(literal(f"{d.type}\n{d.date:%m/%d}"), id=str(d.index))
                        for d in self.chart.documents
                    ],
                    id="browse-list",
                )
            viewer = TextArea(self._text(0), read_only=True, soft_wrap=True, id="browse-viewer")
            viewer.cursor_blink = False
            yield viewer
        yield Footer(compact=True)

    def _text(self, index: int) -> str:
        return reflow(clean(mask(self.chart.documents[index].text, self.chart)))

    def on_mount(self) -> None:
        """Focus the document list."""
        self.query_one(OptionList).focus()

    @on(OptionList.OptionHighlighted)
    def _document(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one(TextArea).load_text(self._text(int(event.option.id or 0)))

    def action_back(self) -> None:
        """Close the chart."""
        self.app.pop_screen()
