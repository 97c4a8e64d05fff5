"""The bar at the top of every screen: shift clock, time left, chart timer, pace, accuracy."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

from simulator.shift.session import Session
from simulator.tui.text import literal


def hms(seconds: float) -> str:
    """Format seconds as H:MM:SS."""
    total = max(int(seconds), 0)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def ms(seconds: float) -> str:
    """Format seconds as M:SS (minutes may pass 59)."""
    total = max(int(seconds), 0)
    return f"{total // 60}:{total % 60:02d}"


def bar_segments(session: Session) -> list[tuple[int, str]]:
    """The bar's pieces as (rank, text); a narrow screen drops the highest ranks first."""
    left = session.seconds_left()
    clock = f"shift {hms(session.elapsed_seconds())}"
    clock += f" · {hms(left)} left" if left > 0 else " · SHIFT OVER"
    segments = [(0, "SYNTHETIC DATA"), (3, session.mode), (0, clock)]
    current = session.current
    if current is not None:
        worked = session.worked_seconds(current)
        standard = current.chart.time_standard_minutes * 60
        over = " OVER" if worked > standard else ""
        segments.append((1, f"chart {ms(worked)}/{ms(standard)}{over}"))
    segments.append((1, f"{session.done_count()}/{len(session.charts)} done"))
    pace = session.pace()
    segments.append((2, f"{pace.charts_per_hour:.1f}/h (target {pace.target_charts_per_hour:.1f})"))
    segments.append(
        (4, f"{pace.units_per_hour:.2f} WU/h (target {pace.target_units_per_hour:.2f})")
    )
    if session.grading:
        accuracy = session.accuracy()
        segments.append((2, f"accuracy {accuracy:.0%}" if accuracy is not None else "accuracy -"))
    segments.append((5, f"FY{session.book.icd10cm_year} ICD-10-CM"))
    return segments


def fit(segments: list[tuple[int, str]], width: int, head: str = "CodeDesk") -> str:
    """Join the segments that fit in width, dropping the highest-ranked ones first."""
    kept = list(segments)
    while True:
        text = " · ".join([head, *(t for _r, t in kept)])
        if len(text) <= width or not kept:
            return text
        worst = max(rank for rank, _t in kept)
        if worst == 0:
            return text
        index = max(i for i, (rank, _t) in enumerate(kept) if rank == worst)
        kept.pop(index)


class ShiftBar(Static):
    """Shows the shift from the session's injected clock, refreshed every second."""

    DEFAULT_CSS = """
    ShiftBar {
        dock: top;
        width: 100%;
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

    def on_resize(self) -> None:
        """Fit the bar to the new width."""
        self._tick()

    def refresh_now(self) -> None:
        """Redraw at once (a screen coming back shows the state of now, not of its last tick)."""
        self._tick()

    def _tick(self) -> None:
        session = self.session
        if session is None:
            self.update(literal("CodeDesk · SYNTHETIC TRAINING DATA"))
            return
        width = max(self.size.width, 20) if self.size.width else 200
        # One line, as wide as the screen: a new text never changes the layout, so the
        # once-a-second redraw repaints the bar alone, not the whole screen.
        self.update(literal(fit(bar_segments(session), width)), layout=not self.size.width)
