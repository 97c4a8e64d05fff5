"""The session store failed: say what was kept and let the coder quit; nothing more is taken."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from simulator.tui.screens.decide import MODAL_CSS
from simulator.tui.text import literal


class StoreFailedScreen(ModalScreen[None]):
    """Blocks the work once a write to the session store has failed; only quitting is offered.

    Everything committed before the failure is in the store; resuming rebuilds exactly that, so
    no action the coder saw acknowledged is lost and none that failed is half-kept.
    """

    BINDINGS = [
        Binding("ctrl+q", "app.quit", "Quit", id="storefailed.quit", tooltip="Leave CodeDesk"),
        Binding("escape", "nothing", show=False),
    ]
    DEFAULT_CSS = MODAL_CSS.format(name="StoreFailedScreen")

    def __init__(self, problem: str, *, resume_hint: str) -> None:
        """Show the store's message and how to resume."""
        super().__init__()
        self.problem = problem
        self.resume_hint = resume_hint

    def compose(self) -> ComposeResult:
        """What failed, what is kept, what to do."""
        with Vertical(id="storefailed-box"):
            yield Static(
                literal("The session store failed: work can't be saved"), classes="modal-title"
            )
            yield Static(literal(self.problem), id="storefailed-problem")
            yield Static(
                literal(
                    "Everything saved before this is kept; the last action was not saved. "
                    f"Quit, fix the problem, then resume with: {self.resume_hint}"
                ),
                id="storefailed-detail",
            )
            yield Static(literal("Ctrl+Q: quit"), classes="modal-hint")

    def action_nothing(self) -> None:
        """Escape does not hide the problem."""
