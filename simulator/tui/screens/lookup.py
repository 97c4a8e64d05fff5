"""The code lookup: search as you type, read the notes, pick a code for the chart."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from simulator.codebook.index import Codebook
from simulator.codebook.search import Hit
from simulator.shift.session import Session
from simulator.tui.text import literal
from simulator.tui.widgets.release import KeyFooter, ReleasedOnClose
from simulator.tui.widgets.shiftbar import ShiftBar
from simulator.tui.widgets.table import Table, cell

SYSTEM_LABELS = {"icd10cm": "CM", "icd10pcs": "PCS", "cpt": "CPT", "hcpcs": "HCPCS"}


def describe(book: Codebook, hit: Hit) -> str:
    """The detail pane text for a code: title, hierarchy, notes and 7th characters."""
    lines = [f"{hit.code}  {hit.title}", "billable" if hit.billable else "NOT billable: a heading"]
    if hit.system == "icd10cm":
        for ancestor in book.ancestors(hit.code)[:3]:
            lines.append(f"in {ancestor.code} {ancestor.title}")
        for note in book.notes(hit.code):
            where = "" if note.source == hit.code else f" ({note.source})"
            lines.append(f"{note.kind.replace('_', ' ')}{where}: {' '.join(note.text.split())}")
        seventh = book.seventh_characters(hit.code)
        if seventh and not hit.billable:
            lines.append("7th characters:")
            lines += [f"  {char}  {meaning}" for char, meaning in seventh.items()]
    else:
        for note in book.notes(hit.code, hit.system, inherited=False):
            lines.append(f"{note.kind.replace('_', ' ')}: {note.text}")
    return "\n".join(lines)


class LookupScreen(ReleasedOnClose, ModalScreen[Hit | None]):
    """Search every code set; Enter returns the highlighted code, Escape returns nothing."""

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="lookup.close", tooltip="Close the lookup"),
        Binding(
            "down",
            "results",
            "Results",
            show=False,
            id="lookup.results",
            tooltip="Go to the results",
        ),
    ]
    HELP = "Search every code set as coders type: words, abbreviations (lap chole, afib), typos, code prefixes. Down goes to the results; Enter adds the highlighted code to the chart."
    DEFAULT_CSS = """
    LookupScreen { align: center middle; background: $background; }
    #lookup-box { width: 95%; height: 90%; border: round $primary; background: $surface; }
    #lookup-input { margin: 0 1; }
    #lookup-body { height: 1fr; }
    #lookup-results { width: 3fr; height: 1fr; }
    #lookup-detail { width: 2fr; height: 1fr; padding: 0 1; border-left: solid $panel; overflow-y: auto; }
    #lookup-status { height: 1; padding: 0 1; color: $text-muted; }
    """

    @dataclass
    class Results(Message):
        """Search results for one query, from the worker."""

        query: str
        hits: list[Hit]
        problem: str = ""
        """Why there are no results when the search failed (an unreadable codebook index)."""

    def __init__(
        self,
        book: Codebook,
        query: str = "",
        systems: tuple[str, ...] | None = None,
        session: Session | None = None,
    ) -> None:
        """Search the given code sets (all when None), starting from query; with a session,
        its shift bar (clocks and pace) stays on top."""
        super().__init__()
        self.book = book
        self.session = session
        self.query_text = query
        self.systems = systems
        self.hits: list[Hit] = []
        self.shown_query = ""
        """The query whose results are on screen (what the chart records when the lookup closes)."""
        self._detailed: Hit | None = None
        """The hit the detail pane shows."""

    def compose(self) -> ComposeResult:
        """The shift bar, then entry, results, detail."""
        if self.session is not None:
            bar = ShiftBar()
            bar.session = self.session
            yield bar
        with Vertical(id="lookup-box"):
            yield Input(
                self.query_text,
                placeholder="search: words, abbreviations, codes (e.g. lap chole, afib, S52.5)",
                id="lookup-input",
            )
            with Horizontal(id="lookup-body"):
                yield Table(id="lookup-results", cursor_type="row", show_header=False)
                yield Static("", id="lookup-detail")
            yield Static(
                literal(f"FY{self.book.icd10cm_year} ICD-10-CM · * = heading, not billable"),
                id="lookup-status",
            )
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        """Set up the results table, follow the entry and run the first search."""
        self.query_one(DataTable).add_columns("Code", "Set", "Title")
        entry = self.query_one(Input)
        entry.focus()
        self.watch(entry, "value", self._typed, init=False)
        if self.query_text:
            self._typed(self.query_text)

    def _typed(self, query: str) -> None:
        """Search for what is typed, inside the keystroke's own handler once the search data is
        loaded: a search then takes ~1 ms (p99 ~3 ms), so its results are drawn in the same
        frame as the typed character. Until then (the queue's warm-up still loading it, ~90 ms
        after start) the search runs in a worker and typing never waits for it."""
        if self.book.search_is_warm:
            self._show(self._search(query))
        else:
            self.run_search(query)

    def _search(self, query: str) -> Results:
        """The results for query; a codebook that cannot be read is said, not raised."""
        try:
            hits = self.book.search(query, self.systems, limit=30) if query.strip() else []
        except sqlite3.Error as exc:
            return self.Results(query, [], f"the code search failed: {exc}")
        return self.Results(query, hits)

    @on(Input.Submitted, "#lookup-input")
    def _submitted(self) -> None:
        if self.hits:
            self.dismiss(self.hits[self.query_one(DataTable).cursor_row or 0])

    @work(thread=True, exclusive=True, exit_on_error=False, group="lookup")
    def run_search(self, query: str) -> None:
        """Search in a thread (while the search data loads); typing never waits for it."""
        self.post_message(self._search(query))

    @on(Results)
    def _show(self, message: Results) -> None:
        if message.query != self.query_one(Input).value:
            return
        self.hits = message.hits
        self.shown_query = message.query
        table = self.query_one(DataTable)
        table.clear()
        for hit in message.hits:
            code = hit.code + ("" if hit.billable else "*")
            table.add_row(
                cell(code), cell(SYSTEM_LABELS.get(hit.system, hit.system)), cell(hit.title)
            )
        status = message.problem or (
            f"{len(message.hits)} result(s)" if message.hits else "no codes found"
        )
        self.query_one("#lookup-status", Static).update(literal(status))
        self._detail(0)

    @on(DataTable.RowHighlighted, "#lookup-results")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    @on(DataTable.RowSelected, "#lookup-results")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.hits):
            self.dismiss(self.hits[event.cursor_row])

    def _detail(self, index: int) -> None:
        hit = self.hits[index] if 0 <= index < len(self.hits) else None
        if hit == self._detailed:
            return  # shown already (new results highlight their first row, which _show showed)
        self._detailed = hit
        detail = self.query_one("#lookup-detail", Static)
        detail.update(literal(describe(self.book, hit)) if hit is not None else "")

    def action_results(self) -> None:
        """Move from the entry to the results."""
        self.query_one(DataTable).focus()

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
