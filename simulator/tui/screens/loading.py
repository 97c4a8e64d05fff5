"""The first screen: builds or opens the codebook and loads the pack, with progress."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from simulator.tui.text import literal


class LoadingScreen(Screen[None]):
    """Shows what is being prepared; problems are shown literally, never as a traceback."""

    BINDINGS = [
        Binding("q", "app.quit", "Quit", id="loading.quit", tooltip="Leave CodeDesk"),
        Binding(
            "ctrl+n",
            "app.new_session",
            "New session",
            id="loading.new_session",
            tooltip="Choose another pack, mode or trainee",
        ),
    ]
    HELP = "CodeDesk opens (or builds, the first time) the codebook index and checks the pack."

    def compose(self) -> ComposeResult:
        """Lay out the status line, the progress bar and the problem area."""
        with Vertical(id="loading-box"):
            yield Static("CodeDesk", id="loading-title")
            yield Static(literal("Opening the codebook and the pack…"), id="loading-step")
            yield ProgressBar(total=100, show_eta=False, id="loading-bar")
            yield Static("", id="loading-problems")
        yield Footer(compact=True)

    def show_step(self, step: str, fraction: float) -> None:
        """Show the current step of the build or load."""
        self.query_one("#loading-step", Static).update(literal(step))
        self.query_one("#loading-bar", ProgressBar).update(progress=fraction * 100)

    def show_problems(self, title: str, problems: list[str]) -> None:
        """Show why CodeDesk cannot start, one located problem a line."""
        self.query_one("#loading-step", Static).update(literal(title))
        self.query_one("#loading-bar", ProgressBar).display = False
        self.query_one("#loading-problems", Static).update(literal("\n".join(problems)))
