"""The workqueue: one row a chart, the way a coding workqueue grid shows it."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from simulator.shift.session import ChartState, Session, Status
from simulator.tui.text import literal
from simulator.tui.widgets.longlived import freeze_long_lived
from simulator.tui.widgets.release import KeyFooter
from simulator.tui.widgets.shiftbar import ShiftBar
from simulator.tui.widgets.table import Table, cell

SETTING_LABELS = {
    "inpatient": "Inpatient",
    "outpatient_surgery": "OP surgery",
    "emergency": "Emergency",
    "clinic": "Clinic",
    "radiology": "Radiology",
    "ancillary": "Ancillary",
}
COLUMNS = ("Account", "Patient", "Type", "Date", "LOS", "Payer", "DNFB", "Pri", "Std", "Status")
HEADERS = {"Patient": "Pt"}
"""Column headers shortened so the grid fits 80 columns (sort keys keep the long names)."""


def sort_value(state: ChartState, column: str, session: Session) -> tuple[object, ...]:
    """The value a column sorts by (numbers as numbers, dates as dates)."""
    chart = state.chart
    enc = chart.encounter
    when = enc.discharge_date or enc.service_date
    values: dict[str, object] = {
        "Account": chart.patient.account,
        "Patient": chart.patient.initials,
        "Type": chart.setting.value,
        "Date": when,
        "LOS": enc.los or 0,
        "Payer": enc.payer,
        "DNFB": (session.shift_date - when).days,
        "Pri": enc.priority,
        "Status": status_cell(state),
        "Std": chart.time_standard_minutes,
    }
    return (values[column], enc.priority, chart.chart_id)


PAYER_SHORT = {
    "Blue Cross Blue Shield": "BCBS",
    "UnitedHealthcare": "UHC",
}
"""Payer names as workqueue grids abbreviate them."""


def dates(state: ChartState) -> str:
    """Admission and discharge dates (inpatient, 11/19-22) or the date of service."""
    enc = state.chart.encounter
    if enc.admit_date is not None and enc.discharge_date is not None:
        end = f"{enc.discharge_date:%d}"
        if (enc.admit_date.year, enc.admit_date.month) != (
            enc.discharge_date.year,
            enc.discharge_date.month,
        ):
            end = f"{enc.discharge_date:%m/%d}"
        return f"{enc.admit_date:%m/%d}-{end}"
    return f"{enc.service_date:%m/%d}"


def status_cell(state: ChartState) -> str:
    """The status as the grid shows it; a graded done chart carries its accuracy."""
    if state.status is Status.DONE and state.grade is not None:
        if not state.grade.graded_codes:
            return f"done ({state.grade.decision_submitted})"
        return f"done {state.grade.code_over_code:.0%}"
    return state.status_label


def row_for(state: ChartState, session: Session) -> list[object]:
    """Return the grid cells of one chart; the patient is masked to initials."""
    chart = state.chart
    enc = chart.encounter
    when = enc.discharge_date or enc.service_date
    dnfb = (session.shift_date - when).days
    cells = (
        chart.patient.account,
        chart.patient.initials,
        SETTING_LABELS.get(chart.setting.value, chart.setting.value),
        dates(state),
        str(enc.los) if enc.los else "-",
        PAYER_SHORT.get(enc.payer, enc.payer),
        str(dnfb),
        str(enc.priority),
        f"{chart.time_standard_minutes:g}m",
        status_cell(state),
    )
    return [cell(text) for text in cells]


class QueueScreen(Screen[None]):
    """Lists the charts of the session; Enter opens one, N opens the next by priority."""

    BINDINGS = [
        Binding(
            "enter", "open_selected", "Open", id="queue.open", tooltip="Open the highlighted chart"
        ),
        Binding(
            "n",
            "next_chart",
            "Next chart",
            id="queue.next",
            tooltip="Open the highest-priority chart not done",
        ),
        Binding("s", "sort_next", "Sort", id="queue.sort", tooltip="Sort by the next column"),
        Binding(
            "r",
            "sort_reverse",
            "Reverse",
            id="queue.reverse",
            tooltip="Reverse the sort order",
            show=False,
        ),
        Binding(
            "slash", "filter", "Filter", id="queue.filter", tooltip="Show only rows with some text"
        ),
        Binding(
            "i",
            "app.inbox",
            "Inbox",
            id="queue.inbox",
            tooltip="Read and answer the inbox messages",
        ),
        Binding(
            "f",
            "app.find_patient",
            "Find patient",
            id="queue.find_patient",
            tooltip="Search the hospital's patients (opening a chart not yours is logged)",
            show=False,
        ),
        Binding(
            "ctrl+n",
            "app.new_session",
            "New session",
            id="queue.new_session",
            tooltip="Start a new session: trainee, mode, pack, shift length",
            show=False,
        ),
        Binding(
            "e",
            "app.end_shift",
            "End shift",
            id="queue.end_shift",
            tooltip="End the shift and see the summary",
            show=False,
        ),
        Binding(
            "q",
            "app.quit",
            "Quit",
            id="queue.quit",
            tooltip="Leave CodeDesk (work is saved as you go)",
        ),
    ]
    HELP = (
        "Your workqueue: one row a chart (patients shown by initials). Status is new, in "
        "progress, pended with its reason, query sent, answered (the physician's addendum is in "
        "the chart) or done. DNFB counts days since discharge or service; Std is the time "
        "standard. Enter opens the highlighted chart; N opens the most urgent workable one."
    )

    class OpenChart(Message):
        """Asks the app to open a chart."""

        def __init__(self, chart_id: str) -> None:
            """Carry the chart id."""
            self.chart_id = chart_id
            super().__init__()

    def __init__(self, session: Session) -> None:
        """Keep the session whose queue is shown."""
        super().__init__()
        self.session = session
        self.sort_column = "Pri"
        self.sort_descending = False
        self.filter_text = ""
        self._shown: dict[str, list[str]] = {}
        """The rows on the grid, in order: chart id to the text of each cell."""
        self._status = ""

    def compose(self) -> ComposeResult:
        """The shift bar, the grid and the footer."""
        bar = ShiftBar()
        bar.session = self.session
        yield bar
        yield Input(placeholder="filter: any text in a row (Esc clears)", id="queue-filter")
        yield Static("", id="queue-status")
        yield Table(id="queue-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        """Fill the grid."""
        self.query_one("#queue-filter", Input).display = False
        table = self.query_one(DataTable)
        for name in COLUMNS:
            table.add_column(HEADERS.get(name, name), key=name)
        self.refresh_rows()
        table.focus()
        self.call_after_refresh(self.warm_up)

    @work(thread=True, exclusive=True, exit_on_error=False, group="warm-up")
    def warm_up(self) -> None:
        """Once the queue is drawn, load the lookup's search data in a thread, so no keystroke
        waits for it (~90 ms); then, start-up being over, freeze what it left alive (see
        widgets/longlived.py)."""
        self.session.book.warm_search()
        self.app.call_from_thread(freeze_long_lived, "start-up")

    def on_screen_resume(self) -> None:
        """Refresh statuses and the shift bar when coming back from a chart."""
        self.refresh_rows()
        self.query_one(ShiftBar).refresh_now()

    def refresh_rows(self) -> None:
        """Show every row from the session state.

        When the same charts are shown in the same order (coming back from a chart), only
        the cells that changed are updated; the grid is rebuilt only when the rows or their
        order change (sort, filter, a status that moves a row).
        """
        table = self.query_one(DataTable)
        states = sorted(
            self.session.charts,
            key=lambda st: sort_value(st, self.sort_column, self.session),
            reverse=self.sort_descending,
        )
        needle = self.filter_text.lower()
        rows: dict[str, list[object]] = {}
        for state in states:
            cells = row_for(state, self.session)
            if needle and not any(needle in str(cell).lower() for cell in cells):
                continue
            rows[state.chart.chart_id] = cells
        if list(rows) == list(self._shown):
            changed = [
                (key, column, cell)
                for key, cells in rows.items()
                for column, cell, before in zip(COLUMNS, cells, self._shown[key], strict=True)
                if str(cell) != before
            ]
            for key, column, cell in changed:
                table.update_cell(key, column, cell, update_width=True)
            if changed:
                # Any update outdates every cached rendering of the grid (the caches are keyed
                # by an update count), but they stay in their LRU caches (up to 10,000 cells,
                # ~130,000 objects for the collector to scan) until pushed out: drop them now,
                # as clear() does.
                table._clear_caches()
        else:
            cursor = table.cursor_row
            table.clear()
            for key, cells in rows.items():
                table.add_row(*cells, key=key)
            if table.row_count:
                table.move_cursor(row=min(max(cursor, 0), table.row_count - 1))
        self._shown = {key: [str(cell) for cell in cells] for key, cells in rows.items()}
        order = "descending" if self.sort_descending else "ascending"
        status = f"{len(rows)} of {len(states)} charts · sorted by {self.sort_column} ({order})"
        if self.filter_text:
            status += f" · filter: {self.filter_text}"
        if status != self._status:
            self._status = status
            self.query_one("#queue-status", Static).update(literal(status))

    def action_sort_next(self) -> None:
        """Sort by the next column."""
        index = (COLUMNS.index(self.sort_column) + 1) % len(COLUMNS)
        self.sort_by(COLUMNS[index])

    def sort_by(self, column: str, descending: bool = False) -> None:
        """Sort the grid by a column."""
        self.sort_column, self.sort_descending = column, descending
        self.refresh_rows()

    def action_sort_reverse(self) -> None:
        """Reverse the sort order."""
        self.sort_descending = not self.sort_descending
        self.refresh_rows()

    def action_filter(self) -> None:
        """Show the filter entry."""
        entry = self.query_one("#queue-filter", Input)
        entry.display = True
        entry.focus()

    @on(Input.Changed, "#queue-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.refresh_rows()

    @on(Input.Submitted, "#queue-filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()

    def key_escape(self) -> None:
        """Clear and hide the filter."""
        entry = self.query_one("#queue-filter", Input)
        if entry.display:
            entry.value = ""
            entry.display = False
            self.query_one(DataTable).focus()

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        self.sort_by(column, not self.sort_descending if column == self.sort_column else False)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.post_message(self.OpenChart(str(event.row_key.value)))

    def action_open_selected(self) -> None:
        """Open the highlighted chart."""
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            self.post_message(self.OpenChart(str(key.value)))

    def action_next_chart(self) -> None:
        """Open the highest-priority chart that is not done."""
        state = self.session.next_chart()
        if state is None:
            self.notify("Every chart in the queue is done.", title="Queue empty")
            return
        self.post_message(self.OpenChart(state.chart.chart_id))
