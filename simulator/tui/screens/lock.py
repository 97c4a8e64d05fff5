"""The idle lock: after minutes without input every patient detail is hidden until the
trainee types their ID again."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from simulator.shift.session import Session
from simulator.tui.text import literal


class LockScreen(Screen[None]):
    """An opaque screen over everything; the trainee's ID unlocks it."""

    HELP = "The screen locked itself after a while without input, as EHRs do; no PHI is shown."

    def __init__(self, session: Session, minutes: float) -> None:
        """Lock this session's screen after minutes of idle time."""
        super().__init__()
        self.session = session
        self.minutes = minutes

    def compose(self) -> ComposeResult:
        """What happened and the ID entry; nothing about any patient."""
        with Vertical(id="lock-box"):
            yield Static(literal("Screen locked"), id="lock-title")
            yield Static(
                literal(
                    f"No input for {self.minutes:g} minute(s): patient information is hidden "
                    "(HIPAA workstation security). The chart timer does not count locked time."
                ),
                id="lock-detail",
            )
            yield Input(
                placeholder="type your trainee ID to unlock", password=True, id="lock-input"
            )
            yield Static("", id="lock-message")

    def on_mount(self) -> None:
        """Focus the ID entry."""
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _unlock(self, event: Input.Submitted) -> None:
        if self.session.unlock(event.value):
            self.dismiss(None)
            return
        event.input.value = ""
        self.query_one("#lock-message", Static).update(
            literal("✗ That is not the trainee ID this session was started with.")
        )
