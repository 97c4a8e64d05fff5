"""The chart screen: documents on the left, the note in the middle, the coding pane on the right."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.text_area import Selection

from simulator.codebook.search import Hit
from simulator.shift.encoder import EncoderView, encoder_view
from simulator.shift.session import ChartState, CodedLine, Session, SessionError, Status
from simulator.tui.masking import identifier_line, mask
from simulator.tui.text import clean, literal, reflow
from simulator.tui.widgets.breakpoints import preset_breakpoints
from simulator.tui.widgets.longlived import freeze_long_lived
from simulator.tui.widgets.release import KeyFooter, ReleasedOnClose
from simulator.tui.widgets.shiftbar import ShiftBar
from simulator.tui.widgets.table import Table, cell


def find_all(text: str, query: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Return the (row, column) start and end of every case-insensitive match of query."""
    needle = query.strip().lower()
    if not needle:
        return []
    found = []
    for row, line in enumerate(text.split("\n")):
        lowered = line.lower()
        col = lowered.find(needle)
        while col >= 0:
            found.append(((row, col), (row, col + len(needle))))
            col = lowered.find(needle, col + 1)
    return found


def verdict_cell(line: CodedLine) -> object:
    """Mark a line with a word and a symbol, not colour alone."""
    if line.validation.ok:
        return cell("✓ valid")
    return literal(f"✗ {line.validation.verdict.value}", "bold")


class ChartScreen(ReleasedOnClose, Screen[None]):
    """Read the chart and code it; every typed code is checked against the codebook."""

    BINDINGS = [
        Binding(
            "ctrl+k",
            "decide",
            "Decide",
            id="chart.decide",
            tooltip="Query, pend or flag the chart instead of coding it",
            priority=True,
        ),
        Binding(
            "f6",
            "query",
            "Query",
            id="chart.query",
            tooltip="Write a physician query on this chart",
            show=False,
            priority=True,
        ),
        Binding(
            "f7",
            "pend",
            "Pend",
            id="chart.pend",
            tooltip="Pend the chart with a reason (it stays in the queue)",
            show=False,
            priority=True,
        ),
        Binding(
            "f8",
            "flag",
            "Flag",
            id="chart.flag",
            tooltip="Flag a misfiled document, wrong patient or conflict of interest",
            show=False,
            priority=True,
        ),
        Binding(
            "f4",
            "reveal",
            "Reveal",
            id="chart.reveal",
            tooltip="Reveal a masked identifier (SSN, address, phone, member ID); logged",
            show=False,
            priority=True,
        ),
        Binding(
            "ctrl+f",
            "find",
            "Find",
            id="chart.find",
            tooltip="Find a word in the chart",
            priority=True,
        ),
        Binding(
            "f3",
            "find_next(1)",
            "Next match",
            id="chart.find_next",
            tooltip="Next match",
            show=False,
        ),
        Binding(
            "shift+f3",
            "find_next(-1)",
            "Previous match",
            id="chart.find_previous",
            tooltip="Previous match",
            show=False,
        ),
        Binding(
            "ctrl+s",
            "submit",
            "Submit",
            id="chart.submit",
            tooltip="Submit the codes and see the grade",
        ),
        Binding(
            "escape",
            "back",
            "Queue",
            id="chart.back",
            tooltip="Back to the queue (the chart stays in progress)",
        ),
        Binding(
            "ctrl+d",
            "focus_dx",
            "Dx",
            id="chart.dx",
            tooltip="Type a diagnosis code",
            priority=True,
            show=False,
        ),
        Binding(
            "ctrl+r",
            "focus_px",
            "Px",
            id="chart.px",
            tooltip="Type a procedure code (CPT, HCPCS, PCS)",
            show=False,
        ),
        Binding(
            "ctrl+o",
            "focus_docs",
            "Docs",
            id="chart.docs",
            tooltip="Choose a document",
            show=False,
        ),
        Binding(
            "ctrl+l",
            "lookup",
            "Lookup",
            id="chart.lookup",
            tooltip="Search the code sets and add a code",
        ),
        Binding(
            "ctrl+t",
            "tabular",
            "Tabular",
            id="chart.tabular",
            tooltip="Browse the ICD-10-CM tabular list",
            show=False,
        ),
        Binding(
            "p",
            "cycle_poa",
            "POA",
            id="chart.poa",
            tooltip="Cycle the POA of the highlighted diagnosis",
            show=False,
        ),
        Binding(
            "delete",
            "remove_line",
            "Remove",
            id="chart.remove",
            tooltip="Remove the highlighted code",
            show=False,
        ),
        Binding(
            "shift+up",
            "move_line(-1)",
            "Up",
            id="chart.up",
            tooltip="Move the highlighted code up",
            show=False,
        ),
        Binding(
            "shift+down",
            "move_line(1)",
            "Down",
            id="chart.down",
            tooltip="Move the highlighted code down",
            show=False,
        ),
    ]

    HELP = (
        "Read the documents (Ctrl+O picks one, Ctrl+F finds a word) and code: diagnoses in the "
        "first entry (principal or first-listed first; I50.23:Y sets POA), procedures after "
        "Ctrl+R. Ctrl+L looks a code up, Ctrl+T browses the tabular list. Instead of coding, "
        "Ctrl+K queries the physician, pends the chart with a reason or flags a problem. "
        "Identifiers a coder does not need are masked; F4 reveals one with a reason (logged)."
    )

    class Submitted(Message):
        """The chart was submitted, pended, queried or flagged (and graded)."""

        def __init__(self, chart_id: str) -> None:
            """Carry the chart id."""
            self.chart_id = chart_id
            super().__init__()

    _noted_find = ""
    """The last find-in-chart text recorded as an event."""
    _noted_document = 0
    """The document last shown in the viewer, counting from 0 (the first shows on opening)."""

    def __init__(self, session: Session, state: ChartState) -> None:
        """Show one chart of the session."""
        super().__init__()
        self.session = session
        self.state = state
        self._styled_at: int | None = None
        """The app's CSS update count when the widgets were styled (see on_screen_resume)."""

    SCREEN_NAME = "chart"
    """The name the app's chart screen is installed under (see for_chart)."""

    @classmethod
    def for_chart(cls, app: App[object], session: Session, state: ChartState) -> ChartScreen:
        """The app's chart screen, showing state.

        Made and installed once a session, then loaded with each chart opened: opening a chart
        updates these widgets instead of composing, styling and laying out ~40 new ones (and
        leaving the old ones to the garbage collector). A fresh, uninstalled screen is made if
        the installed one is on the screen stack (it is not reloaded under the trainee).
        """
        name = cls.SCREEN_NAME
        installed = app.get_screen(name) if app.is_screen_installed(name) else None
        if installed is not None and installed in app.screen_stack:
            return cls(session, state)
        if isinstance(installed, cls) and installed.session is session and installed.is_mounted:
            installed.load(state)
            return installed
        if installed is not None:  # another session's (or never shown): replace it
            app.uninstall_screen(name)
            if installed.is_mounted:
                installed.remove()
        screen = cls(session, state)
        app.install_screen(screen, name)
        return screen

    def load(self, state: ChartState) -> None:
        """Show another chart of the session, as a new chart screen shows it."""
        self.state = state
        self._noted_document = 0  # before the list moves: opening implies the first document
        preset_breakpoints(self, update=True)
        self.query_one("#chart-header", Static).update(literal(self._header()))
        self._refresh_header()
        documents = self.query_one("#doc-list", OptionList)
        documents.clear_options()
        documents.add_options(self._document_options())
        documents.action_first()  # as a new OptionList highlights its first option
        viewer = self.query_one("#doc-viewer", TextArea)
        first = self._document_text(0)
        if viewer.text != first:  # else _show_document showed it as the highlight moved
            viewer.load_text(first)
        viewer.scroll_home(animate=False)
        find = self.query_one("#find-input", Input)
        find.value = ""
        find.display = False
        status = self.query_one("#find-status", Static)
        status.update("")
        status.display = False
        self.matches = []
        self.match_index = -1
        self._noted_find = ""
        dx_input = self.query_one("#dx-input", Input)
        dx_input.value = ""
        dx_input.placeholder = self._dx_hint()
        self.query_one("#px-input", Input).value = ""
        self._message("")
        self.query_one("#encoder", Static).update("")
        self._refresh_tables()
        self.query_one(ShiftBar).refresh_now()
        dx_input.focus()

    @property
    def chart_id(self) -> str:
        """The id of the chart shown."""
        return self.state.chart.chart_id

    def compose(self) -> ComposeResult:
        """Three panes under the shift bar."""
        preset_breakpoints(self)
        self._styled_at = self.app._css_update_count  # the widgets are styled as they mount
        bar = ShiftBar()
        bar.session = self.session
        yield bar
        yield Static(literal(self._header()), id="chart-header")
        yield Static(literal(self._identifiers()), id="chart-identifiers")
        yield Static(literal(self._banner()), id="chart-banner")
        with Horizontal(id="chart-body"):
            with Vertical(id="doc-pane"):
                yield Static("Documents", classes="pane-title")
                yield OptionList(*self._document_options(), id="doc-list")
            with Vertical(id="viewer-pane"):
                yield Input(placeholder="find in chart (Enter: next, F3/Shift+F3)", id="find-input")
                yield Static("", id="find-status")
                viewer = TextArea(
                    self._document_text(0),
                    read_only=True,
                    soft_wrap=True,
                    show_line_numbers=False,
                    id="doc-viewer",
                )
                viewer.cursor_blink = False
                yield viewer
            with Vertical(id="code-pane"):
                yield Static("Diagnoses (ICD-10-CM)", classes="pane-title")
                yield Input(placeholder=self._dx_hint(), id="dx-input")
                yield Table(id="dx-table", cursor_type="row", show_header=False, cell_padding=0)
                yield Static("Procedures (CPT/HCPCS/PCS)", classes="pane-title")
                yield Input(placeholder="e.g. 99283, 12002-59, J1100 x2", id="px-input")
                yield Table(id="px-table", cursor_type="row", show_header=False, cell_padding=0)
                yield Static("", id="code-message")
                yield Static("", id="encoder")
        yield KeyFooter(compact=True)

    def _header(self) -> str:
        """The chart line of the header."""
        chart = self.state.chart
        return (
            f"{chart.title} · {chart.setting.value} · {chart.claim_type.value} · "
            f"acct {chart.patient.account} · standard {chart.time_standard_minutes:g} min"
        )

    def _document_options(self) -> list[Option]:
        """One option a document: number, type, date, signed or not."""
        return [
            Option(
                literal(
                    f"{d.index + 1}. {d.type}\n{d.date:%m/%d} {'signed' if d.signed else 'UNSIGNED'}"
                ),
                id=str(d.index),
            )
            for d in self.state.chart.documents
        ]

    def _dx_hint(self) -> str:
        """The placeholder of the diagnosis entry (inpatient charts take a POA)."""
        inpatient = self.state.chart.setting.value == "inpatient"
        return "e.g. E11.65" + (" or I50.23:Y" if inpatient else "")

    def _identifiers(self) -> str:
        """The patient line of the header, with the identifiers not revealed masked."""
        hint = "" if len(self.state.revealed) == 4 else " (F4 reveals)"
        return identifier_line(self.state.chart, self.state.revealed) + hint

    def _banner(self) -> str:
        """What the coder must know about the chart's status, or nothing."""
        state = self.state
        if state.status is Status.PENDED:
            return f"PENDED: {state.pend_reason}. Ctrl+K releases the pend once it clears."
        if state.query is not None and state.query.answer is not None:
            last = len(state.chart.documents)
            return (
                f"Query answered: {state.query.answer}. The addendum is document {last}; "
                "code from it."
            )
        return ""

    def _document_text(self, index: int) -> str:
        """A document as shown: identifiers masked, control characters made visible."""
        chart = self.state.chart
        return reflow(clean(mask(chart.documents[index].text, chart, self.state.revealed)))

    def _refresh_header(self) -> None:
        self.query_one("#chart-identifiers", Static).update(literal(self._identifiers()))
        banner = self._banner()
        widget = self.query_one("#chart-banner", Static)
        widget.update(literal(banner))
        widget.display = bool(banner)

    def action_find(self) -> None:
        """Show the find bar."""
        entry = self.query_one("#find-input", Input)
        entry.display = True
        self.query_one("#find-status", Static).display = True
        entry.focus()

    @on(Input.Changed, "#find-input")
    def _find_changed(self, event: Input.Changed) -> None:
        self.matches = find_all(self.query_one("#doc-viewer", TextArea).text, event.value)
        self.match_index = -1
        self.action_find_next(1)

    @on(Input.Submitted, "#find-input")
    def _find_submitted(self) -> None:
        self.action_find_next(1)
        self._note_find()

    def _note_find(self) -> None:
        """Record the words searched for (once per new search, on Enter or closing the bar)."""
        text = self.query_one("#find-input", Input).value
        if text.strip() and text != self._noted_find:
            self._noted_find = text
            hits = len(self.matches)
            self._run(lambda: self.session.note_find(self.chart_id, text, hits), done=False)

    def action_find_next(self, step: int = 1) -> None:
        """Select the next (or previous) match in the document and scroll to it."""
        status = self.query_one("#find-status", Static)
        query = self.query_one("#find-input", Input).value
        if not self.matches:
            status.update(literal(f"no match for {query!r}" if query else ""))
            return
        self.match_index = (self.match_index + step) % len(self.matches)
        start, end = self.matches[self.match_index]
        viewer = self.query_one("#doc-viewer", TextArea)
        viewer.selection = Selection(start, end)
        viewer.scroll_cursor_visible(center=True)
        status.update(literal(f"match {self.match_index + 1} of {len(self.matches)}"))

    def on_mount(self) -> None:
        """Set up the code tables and put the cursor in the diagnosis entry."""
        self.matches: list[tuple[tuple[int, int], tuple[int, int]]] = []
        self.match_index = -1
        self.query_one("#find-input", Input).display = False
        self.query_one("#find-status", Static).display = False
        self._refresh_header()
        for table_id in ("#dx-table", "#px-table"):
            table = self.query_one(table_id, DataTable)
            table.add_columns("#", "Code", "Check")
        self._refresh_tables()
        self.watch(self.query_one("#doc-list", OptionList), "highlighted", self._show_document)
        self.query_one("#dx-input", Input).focus()
        if self.app.is_screen_installed(self):  # the app's chart screen, kept for the session
            freeze_long_lived("chart screen")

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Skip the full restyle of a resume when the app's CSS (its theme) has not changed
        since the widgets were last styled: after the mount a moment ago, or when the chart
        screen comes back for another chart. It cost ~7-10 ms of every chart opened and made
        every widget draw again. After a theme change the restyle runs as Textual does it."""
        current = self.app._css_update_count
        if self._styled_at == current:
            event.refresh_styles = False
        self._styled_at = current

    @work(thread=True, exclusive=True, exit_on_error=False, group="encoder")
    def refresh_encoder(self) -> None:
        """Group the chart and check its edits in a thread; post the lines to show."""
        state = self.state
        view = encoder_view(state, self.session.book, self.session.pack.pack.code_year)
        self.post_message(self.EncoderUpdated(state.chart.chart_id, view))

    @dataclass
    class EncoderUpdated(Message):
        """New encoder lines (DRG, edits) for a chart."""

        chart_id: str
        view: EncoderView

    @on(EncoderUpdated)
    def _show_encoder(self, message: EncoderUpdated) -> None:
        if message.chart_id != self.chart_id:
            return  # worked out for the chart shown before this one
        lines = ([message.view.drg] if message.view.drg else []) + list(message.view.edits)
        self.query_one("#encoder", Static).update(literal("\n".join(lines)))

    def _refresh_tables(self) -> None:
        for part, table_id in (("diagnoses", "#dx-table"), ("procedures", "#px-table")):
            table = self.query_one(table_id, DataTable)
            table.clear()
            for i, line in enumerate(self.state.lines(part), start=1):
                label = line.code
                if line.poa:
                    label += f" POA {line.poa}"
                if line.modifiers:
                    label += "-" + "-".join(line.modifiers)
                if line.units != 1:
                    label += f" x{line.units}"
                table.add_row(cell(f"{i} "), cell(f"{label} "), verdict_cell(line))
        self.refresh_encoder()

    def _message(self, text: str) -> None:
        self.query_one("#code-message", Static).update(literal(text))

    def _show_document(self, highlighted: int | None) -> None:
        """Show the document highlighted in the list. This watches the list's `highlighted`
        (see on_mount), so it runs inside the key's own handler and the document is drawn in
        the same frame as the moved highlight; an OptionHighlighted handler runs a message
        later, in a second frame at least 1/60 s after the first (widgets/frames.py)."""
        documents = self.query_one("#doc-list", OptionList)
        if highlighted is None or not 0 <= highlighted < documents.option_count:
            return
        index = int(documents.get_option_at_index(highlighted).id or 0)
        document = self.state.chart.documents[index]
        viewer = self.query_one("#doc-viewer", TextArea)
        text = self._document_text(document.index)
        if viewer.text == text:
            return  # shown already: the first document, highlighted as the chart opens
        viewer.load_text(text)
        if index != self._noted_document:  # the first document is implied by opening
            number = index + 1
            self._run(lambda: self.session.note_document(self.chart_id, number), done=False)
        self._noted_document = index
        query = self.query_one("#find-input", Input).value
        self.matches = find_all(viewer.text, query)
        self.match_index = -1
        viewer.scroll_home(animate=False)

    @on(Input.Submitted, "#dx-input")
    def _add_dx(self, event: Input.Submitted) -> None:
        self._add("diagnoses", event.input)

    @on(Input.Submitted, "#px-input")
    def _add_px(self, event: Input.Submitted) -> None:
        self._add("procedures", event.input)

    def _add(self, part: str, entry: Input) -> None:
        raw = entry.value.strip()
        if not raw:
            return
        try:
            line = self.session.add_code(self.chart_id, part, raw)
        except SessionError as exc:
            self._message(f"✗ {exc}")
            return
        entry.value = ""
        self._refresh_tables()
        mark = "✓" if line.validation.ok else "✗"
        detail = line.validation.message
        for warning in line.validation.warnings:
            detail += f"\n! {warning}"
        self._message(f"{mark} {line.code}: {detail}")

    def _focused_table(self) -> tuple[str, DataTable[object]] | None:
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id in ("dx-table", "px-table"):
            return ("diagnoses" if focused.id == "dx-table" else "procedures"), focused
        return None

    def action_remove_line(self) -> None:
        """Remove the highlighted code line."""
        found = self._focused_table()
        if found is None or not found[1].row_count:
            return
        part, table = found
        line = self.session.remove_code(self.chart_id, part, table.cursor_row)
        self._refresh_tables()
        self._message(f"removed {line.code}")

    def action_move_line(self, delta: int) -> None:
        """Move the highlighted code up or down (the first diagnosis is the principal)."""
        found = self._focused_table()
        if found is None or not found[1].row_count:
            return
        part, table = found
        target = self.session.move_code(self.chart_id, part, table.cursor_row, delta)
        self._refresh_tables()
        table.move_cursor(row=target)

    def action_lookup(self, query: str = "") -> None:
        """Open the code lookup; the chosen code goes on the chart."""
        from simulator.tui.screens.lookup import LookupScreen

        lookup = LookupScreen(self.session.book, query, session=self.session)

        def looked_up(hit: Hit | None) -> None:
            if lookup.shown_query.strip():  # one event per lookup used, not per keystroke
                picked = hit.code if hit is not None else None
                self._run(
                    lambda: self.session.note_lookup(
                        self.chart_id, lookup.shown_query, len(lookup.hits), picked
                    ),
                    done=False,
                )
            self.add_hit(hit)

        self.app.push_screen(lookup, looked_up)

    def action_tabular(self) -> None:
        """Open the tabular browser; the chosen code goes on the chart."""
        from simulator.tui.screens.tabular import TabularScreen

        def browsed(hit: Hit | None) -> None:
            picked = hit.code if hit is not None else None
            self._run(lambda: self.session.note_browse(self.chart_id, picked), done=False)
            self.add_hit(hit)

        self.app.push_screen(TabularScreen(self.session.book), browsed)

    def add_hit(self, hit: Hit | None) -> None:
        """Add a code picked in the lookup or the browser to the right list."""
        if hit is None:
            return
        part = "diagnoses" if hit.system == "icd10cm" else "procedures"
        entry = self.query_one("#dx-input" if part == "diagnoses" else "#px-input", Input)
        entry.value = hit.code
        self._add(part, entry)
        entry.focus()

    def action_cycle_poa(self) -> None:
        """Cycle the highlighted diagnosis's POA: Y, N, U, W, 1 (exempt), none."""
        found = self._focused_table()
        if found is None or found[0] != "diagnoses" or not found[1].row_count:
            return
        index = found[1].cursor_row
        current = self.state.diagnoses[index].poa
        order = ["Y", "N", "U", "W", "1", None]
        following = order[(order.index(current) + 1) % len(order)] if current in order else "Y"
        self.session.set_poa(self.chart_id, index, following)
        self._refresh_tables()
        found[1].move_cursor(row=index)

    def action_focus_dx(self) -> None:
        """Put the cursor in the diagnosis entry."""
        self.query_one("#dx-input", Input).focus()

    def action_focus_px(self) -> None:
        """Put the cursor in the procedure entry."""
        self.query_one("#px-input", Input).focus()

    def action_focus_docs(self) -> None:
        """Put the cursor in the document list."""
        self.query_one("#doc-list", OptionList).focus()

    def action_back(self) -> None:
        """Close the find bar if open; otherwise return to the queue (the chart stays open)."""
        entry = self.query_one("#find-input", Input)
        if entry.display:
            self._note_find()
            entry.display = False
            self.query_one("#find-status", Static).display = False
            self.query_one("#doc-viewer", TextArea).focus()
            return
        self.session.close_chart()
        self.app.pop_screen()

    def action_decide(self) -> None:
        """Choose to query, pend or flag the chart (or release its pend)."""
        from simulator.tui.screens.decide import DecideScreen

        pended = self.state.status is Status.PENDED
        self.app.push_screen(DecideScreen(pended), self._decided)

    def _decided(self, choice: str | None) -> None:
        if choice == "query":
            self.action_query()
        elif choice == "pend":
            self.action_pend()
        elif choice == "flag":
            self.action_flag()
        elif choice == "release":
            self._run(lambda: self.session.release_pend(self.chart_id), done=False)
            self._refresh_header()
            self._message("✓ pend released: code the chart and submit it")

    def _run(self, step: Callable[[], object], done: bool = True) -> bool:
        """Run a session action; show its error, or tell the app the chart left the coder."""
        try:
            step()
        except SessionError as exc:
            self._message(f"✗ {exc}")
            return False
        if done:
            self.post_message(self.Submitted(self.chart_id))
        return True

    def action_query(self) -> None:
        """Write a physician query; sending it puts the chart in 'query sent'."""
        from simulator.tui.screens.query import QueryDraft, QueryScreen

        def sent(draft: QueryDraft | None) -> None:
            if draft is not None:
                self._run(lambda: self.session.send_query(self.chart_id, draft.text, draft.options))

        screen = QueryScreen(self.session, self.state.chart, self.state.revealed)
        self.app.push_screen(screen, sent)

    def action_pend(self) -> None:
        """Pend the chart with a reason; it stays in the queue as 'pended: reason'."""
        from simulator.tui.screens.decide import PendScreen

        def pended(reason: str | None) -> None:
            if reason:
                self._run(lambda: self.session.pend(self.chart_id, reason))

        self.app.push_screen(PendScreen(), pended)

    def action_flag(self) -> None:
        """Flag a problem in a document of the chart instead of coding from it."""
        from simulator.tui.screens.decide import FlagScreen

        def flagged(choice: tuple[str, int | None] | None) -> None:
            if choice is not None:
                kind, document = choice
                self._run(lambda: self.session.flag(self.chart_id, kind, document))

        self.app.push_screen(FlagScreen(self.state.chart), flagged)

    def action_reveal(self) -> None:
        """Reveal a masked identifier; the reason is asked for and logged."""
        from simulator.tui.screens.reveal import RevealScreen

        def revealed(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            identifier, reason = choice
            if self._run(
                lambda: self.session.reveal(self.chart_id, identifier, reason), done=False
            ):
                self._refresh_header()
                highlighted = self.query_one("#doc-list", OptionList).highlighted or 0
                self.query_one("#doc-viewer", TextArea).load_text(self._document_text(highlighted))
                self._message("✓ revealed; the reveal and your reason are logged")

        self.app.push_screen(RevealScreen(self.state.revealed), revealed)

    def action_submit(self) -> None:
        """Submit the chart for grading."""
        self._run(lambda: self.session.submit(self.chart_id))
