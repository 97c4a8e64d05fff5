"""F1 help: the keys of the screen it was opened from, with what each one does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from simulator.tui.text import literal


def screen_keys(screen: Screen[object]) -> list[tuple[str, str, str]]:
    """The (key, action, what it does) rows of a screen's own and the app's bindings."""
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    app = screen.app
    for active in screen.active_bindings.values():
        node, binding = active.node, active.binding
        if node is not screen and node is not app:
            continue
        if binding.action in seen or binding.action == "help":
            continue
        seen.add(binding.action)
        key = app.get_key_display(binding)
        rows.append((key, binding.description, active.tooltip or binding.tooltip))
    rows.append(("F1", "Help", "These keys (Esc closes)"))
    return rows


class HelpScreen(ModalScreen[None]):
    """Lists the keys of one screen; Escape or F1 closes it."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="help.close", tooltip="Close the help"),
        Binding("f1", "close", "Close", id="help.close_f1", tooltip="Close the help", show=False),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    #help-box { width: 100; max-width: 96%; height: auto; max-height: 92%;
                border: round $primary; background: $surface; padding: 0 1; }
    #help-title { text-style: bold; color: $primary; }
    #help-about { color: $text-muted; margin-bottom: 1; }
    #help-keys { height: auto; max-height: 30; }
    """

    def __init__(self, target: Screen[object]) -> None:
        """Explain target's keys."""
        super().__init__()
        self.target = target
        self.rows = screen_keys(target)

    def compose(self) -> ComposeResult:
        """What the screen is for and its keys."""
        name = type(self.target).__name__.removesuffix("Screen") or "CodeDesk"
        about = getattr(self.target, "HELP", "") or ""
        with Vertical(id="help-box"):
            yield Static(literal(f"Help · {name} screen"), id="help-title")
            if about:
                yield Static(literal(" ".join(about.split())), id="help-about")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """Fill the key table."""
        table = self.query_one(DataTable)
        table.add_columns("Key", "Action", "What it does")
        for key, action, what in self.rows:
            table.add_row(literal(key), literal(action), literal(what))
        table.focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
