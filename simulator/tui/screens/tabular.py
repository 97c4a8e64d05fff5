"""The tabular browser: chapter, block, category, code, as in the ICD-10-CM book."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from simulator.codebook.index import Codebook, CodeEntry
from simulator.codebook.search import Hit
from simulator.tui.screens.lookup import describe
from simulator.tui.text import literal
from simulator.tui.widgets.release import KeyFooter, ReleasedOnClose


class TabularScreen(ReleasedOnClose, ModalScreen[Hit | None]):
    """Browse ICD-10-CM by chapter; Enter on a billable code returns it."""

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="tabular.close", tooltip="Close the browser")
    ]
    HELP = "The ICD-10-CM tabular list: chapter, block, category, code. Enter opens a branch; Enter on a billable code adds it to the chart."
    DEFAULT_CSS = """
    TabularScreen { align: center middle; }
    #tabular-box { width: 95%; height: 90%; border: round $primary; background: $surface; }
    #tabular-tree { width: 3fr; }
    #tabular-detail { width: 2fr; padding: 0 1; border-left: solid $panel; overflow-y: auto; }
    """

    def __init__(self, book: Codebook) -> None:
        """Browse this codebook."""
        super().__init__()
        self.book = book

    def compose(self) -> ComposeResult:
        """The tree and the detail pane."""
        tree: Tree[CodeEntry] = Tree(
            literal(f"ICD-10-CM FY{self.book.icd10cm_year}"), id="tabular-tree"
        )
        tree.show_root = False
        with Vertical(id="tabular-box"), Horizontal():
            yield tree
            yield Static("", id="tabular-detail")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        """Load the chapters (children load when a node is opened)."""
        tree = self.query_one(Tree)
        for chapter in self.book.chapters():
            self._add(tree.root, chapter)
        tree.cursor_line = 0
        tree.focus()

    def _add(self, parent: TreeNode[CodeEntry], entry: CodeEntry) -> None:
        label = literal(f"{entry.code}{'' if entry.billable else ' '} {entry.title}")
        has_children = not entry.billable or bool(self.book.children(entry.code))
        if has_children:
            parent.add(label, data=entry)
        else:
            parent.add_leaf(label, data=entry)

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded[CodeEntry]) -> None:
        node = event.node
        if node.data is None or node.children:
            return
        for child in self.book.children(node.data.code):
            self._add(node, child)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[CodeEntry]) -> None:
        entry = event.node.data
        if entry is not None:
            hit = Hit(entry.system, entry.code, entry.title, entry.billable, 0.0)
            self.query_one("#tabular-detail", Static).update(literal(describe(self.book, hit)))

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[CodeEntry]) -> None:
        entry = event.node.data
        if entry is not None and entry.billable:
            self.dismiss(Hit(entry.system, entry.code, entry.title, True, 0.0))

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
