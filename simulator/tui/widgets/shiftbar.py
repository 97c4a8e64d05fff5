"""The bar at the top of every screen: shift clock, progress and the code year."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

from simulator.shift.session import Session
from simulator.tui.text import literal


def hms(seconds: float) -> str:
    """Format seconds as H:MM:SS."""
    total = max(int(seconds), 0)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


class ShiftBar(Static):
    """Shows the shift clock from the session's injected clock, refreshed every second."""

    DEFAULT_CSS = """
    ShiftBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    session: reactive[Session | None] = reactive(None, always_update=True)

    def on_mount(self) -> None:
        """Refresh the display once a second; the time itself comes from the session clock."""
        self.set_interval(1.0, self._tick)
        self._tick()

    def watch_session(self) -> None:
        """Redraw when the session is set."""
        self._tick()

    def _tick(self) -> None:
        session = self.session
        if session is None:
            self.update(literal("CodeDesk · SYNTHETIC TRAINING DATA"))
            return
        hours = session.elapsed_seconds()
        accuracy = session.accuracy()
        acc = f"{accuracy:.0%}" if accuracy is not None else "-"
        text = (
            f"CodeDesk · SYNTHETIC DATA · {session.mode} · shift {hms(hours)} · "
            f"{session.done_count()}/{len(session.charts)} done · accuracy {acc} · "
            f"FY{session.book.icd10cm_year} ICD-10-CM"
        )
        self.update(literal(text))
