"""Assessment mode in the app: the time box in the header, warnings, the hand-in, the end screen.

The rules live in the core (simulator/assess/handin.py); this module only shows them. In
assessment mode the shift bar (which has an accuracy figure) is hidden on every screen and a
TimeBox takes its place: time left, charts submitted, and the key that hands in early. The
clock is measured from the session's start in wall-clock time, so time away counts.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from simulator.assess import handin
from simulator.tui.text import literal
from simulator.tui.widgets.shiftbar import ShiftBar, hms

if TYPE_CHECKING:
    from simulator.shift.session import Session
    from simulator.tui.app import CodeDeskApp

HAND_IN_KEY = "f2"
"""The key that hands the assessment in early (asks first)."""

BLOCKED_ACTIONS = frozenset({"new_session", "history"})
"""App actions turned off during a sitting: starting another session, and the history of scores."""

ASSESSMENT_CSS = """
ShiftBar { display: none; }
"""
"""Added to the app's style sheet in assessment mode: the shift bar shows accuracy, so it goes."""


class TimeBox(Static):
    """The assessment header: time left in the time box and the charts submitted."""

    DEFAULT_CSS = """
    TimeBox {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    TimeBox.-low {
        background: $warning-muted;
        text-style: bold;
    }
    """

    def __init__(self, clock: AssessmentClock) -> None:
        """Show the given assessment clock."""
        super().__init__(id="timebox")
        self.clock = clock

    def on_mount(self) -> None:
        """Redraw once a second; the time itself comes from the session's clock."""
        self.set_interval(1.0, self.show)
        self.show()

    def show(self) -> None:
        """Draw the current text."""
        self.set_class(self.clock.low, "-low")
        self.update(literal(self.clock.text()))


class HandInScreen(ModalScreen[bool]):
    """Ask before handing in early: nothing can be changed afterwards."""

    BINDINGS = [
        Binding("y", "answer(True)", "Hand in", id="handin.yes", tooltip="Hand the assessment in"),
        Binding(
            "n,escape",
            "answer(False)",
            "Keep working",
            id="handin.no",
            tooltip="Go back to the assessment",
        ),
    ]
    DEFAULT_CSS = """
    HandInScreen { align: center middle; }
    #handin-box { width: 70; max-width: 95%; height: auto; border: round $primary;
                  background: $surface; padding: 1 2; }
    """

    def __init__(self, left: str, open_charts: int) -> None:
        """Show the time left and how many charts are not submitted yet."""
        super().__init__()
        self.left = left
        self.open_charts = open_charts

    def compose(self) -> ComposeResult:
        """The question and the keys."""
        with Vertical(id="handin-box"):
            yield Static(literal("Hand in the assessment now?"), classes="pane-title")
            yield Static(
                literal(
                    f"Time left: {self.left}. {self.open_charts} chart(s) not submitted yet: "
                    "charts with codes are submitted as they are, the others are handed in as "
                    "not done. Nothing can be changed afterwards.\n\n"
                    "y: hand in · n or Esc: keep working"
                )
            )

    def action_answer(self, answer: bool) -> None:
        """Close with the answer."""
        self.dismiss(answer)


class HandedInScreen(Screen[None]):
    """The end of the sitting: handed in, no score, and how to close the app."""

    BINDINGS = [
        Binding("q", "app.quit", "Close", id="handedin.quit", tooltip="Close CodeDesk"),
    ]
    DEFAULT_CSS = """
    HandedInScreen { align: center middle; }
    #handedin-box { width: 76; max-width: 95%; height: auto; border: round $primary;
                    background: $surface; padding: 1 2; }
    """

    def __init__(self, reason: str, outcomes: dict[str, str]) -> None:
        """Show why the sitting ended and what became of the charts (no grades)."""
        super().__init__()
        self.reason = reason
        self.outcomes = outcomes

    def compose(self) -> ComposeResult:
        """The message and the footer."""
        counts: dict[str, int] = {}
        for outcome in self.outcomes.values():
            counts[outcome] = counts.get(outcome, 0) + 1
        why = "The time is up." if self.reason == "time up" else "You handed the assessment in."
        lines = [f"{n} {outcome}" for outcome, n in sorted(counts.items())]
        with Vertical(id="handedin-box"):
            yield Static(literal("Assessment handed in"), classes="pane-title", id="handedin-title")
            yield Static(
                literal(
                    f"{why} Every chart was handed in as it stood:\n  "
                    + "\n  ".join(lines)
                    + "\n\nYour screener reviews the results. Press q to close CodeDesk; the "
                    "result file is written when it closes. Every patient was synthetic."
                ),
                id="handedin-text",
            )
        yield Footer()


class AssessmentClock:
    """Runs the time box over a session: header, warnings at 10, 5 and 1 minutes, the hand-in."""

    def __init__(self, app: CodeDeskApp, session: Session, limit_minutes: float | None) -> None:
        """Keep the app, the session and the time limit (None: no limit); start() starts it."""
        self.app = app
        self.session = session
        self.limit_minutes = limit_minutes
        self.warned: list[int] = []
        """The warnings given so far (minutes left), in order."""
        self.handed_in = session.ended_at is not None
        """True once the sitting is handed in (or it had ended before the app opened)."""
        self._given: set[int] = handin.passed_warnings(self.seconds_left())

    def seconds_left(self) -> float:
        """Seconds left in the time box (negative once it has closed; infinite without one)."""
        if self.limit_minutes is None:
            return math.inf
        return handin.seconds_left(
            self.session.started_at, self.limit_minutes, self.session.clock.now()
        )

    @property
    def low(self) -> bool:
        """True in the last ten minutes."""
        return not self.handed_in and self.seconds_left() <= handin.WARNINGS_MINUTES[0] * 60

    def text(self) -> str:
        """The header's words: no accuracy, no score."""
        done = self.session.done_count()
        total = len(self.session.charts)
        if self.handed_in:
            return f"CodeDesk · ASSESSMENT · SYNTHETIC DATA · handed in · {done}/{total} submitted"
        seconds = self.seconds_left()
        left = "no limit" if math.isinf(seconds) else hms(seconds)
        warn = "⚠ LOW TIME · " if self.low else ""
        key = HAND_IN_KEY.upper()
        return (
            f"{warn}CodeDesk · ASSESSMENT · SYNTHETIC DATA · time left {left} · "
            f"{done}/{total} submitted · {key} hand in"
        )

    def start(self, *, resumed: bool) -> None:
        """Hide the shift bar, put the time box on every screen and start ticking."""
        stylesheet = self.app.stylesheet
        stylesheet.add_source(ASSESSMENT_CSS, read_from=(__file__, "ASSESSMENT_CSS"))
        stylesheet.reparse()
        stylesheet.update(self.app)
        self.app.screen_change_signal.subscribe(self.app, self._screen_changed)
        self._screen_changed(self.app.screen)
        self.app.set_interval(1.0, self.tick)
        if resumed and 0 < self.seconds_left() < math.inf:
            self.app.notify(
                f"Welcome back: {hms(self.seconds_left())} left. The clock kept running while "
                "CodeDesk was closed.",
                title="Assessment",
                timeout=10,
            )
        self.app.call_after_refresh(self.tick)

    def _screen_changed(self, screen: Screen[object]) -> None:
        """Dress a screen with the time box once it is composed."""
        screen.call_after_refresh(self._dress, screen)

    def _dress(self, screen: Screen[object], tries: int = 10) -> None:
        """Mount a time box on a screen that has a shift bar and no time box yet.

        A screen just pushed may not be composed yet: look again after the next refresh.
        """
        if not screen.is_attached or screen.query(TimeBox):
            return
        if screen.query(ShiftBar):
            screen.mount(TimeBox(self))
        elif tries > 0 and not screen.is_mounted:
            screen.call_after_refresh(self._dress, screen, tries - 1)

    def tick(self) -> None:
        """Refresh the header, give the warnings that are due, hand in at zero."""
        if self.handed_in:
            return
        left = self.seconds_left()
        if left <= 0:
            self.hand_in("time up")
            return
        due = handin.due_warnings(left, self._given)
        if due:
            self._given.update(due)
            minutes = min(due)
            self.warned.append(minutes)
            self.app.notify(
                f"{minutes} minute{'s' if minutes > 1 else ''} left. At zero every chart is "
                "handed in as it stands.",
                title="Time box",
                severity="warning",
                timeout=10,
            )
        self._refresh()

    def _refresh(self) -> None:
        """Redraw the time boxes on the screen shown."""
        for box in self.app.screen.query(TimeBox):
            box.show()

    def allows(self, action: str) -> bool:
        """Whether an app action may run during the sitting (the app's check_action asks)."""
        return action not in BLOCKED_ACTIONS and not (self.handed_in and action == "hand_in")

    def confirm_hand_in(self) -> None:
        """Ask, then hand in early."""
        if self.handed_in or isinstance(self.app.screen, HandInScreen):
            return
        open_charts = sum(1 for c in self.session.charts if c.status.value != "done")

        def answered(answer: bool | None) -> None:
            """Hand in when the candidate said yes."""
            if answer:
                self.hand_in("handed in")

        seconds = self.seconds_left()
        left = "no limit" if math.isinf(seconds) else hms(seconds)
        self.app.push_screen(HandInScreen(left, open_charts), answered)

    def hand_in(self, reason: str) -> None:
        """Hand every chart in (the core decides how) and show the end screen."""
        if self.handed_in or not self.app.store_ready():
            return
        self.handed_in = True
        outcomes = handin.hand_in(self.session, reason)
        while len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        self.app.switch_screen(HandedInScreen(reason, outcomes))

    def chart_submitted(self) -> None:
        """After a submit: no feedback, back to the queue, and on to the next chart."""
        self.app.pop_screen()
        if self.session.next_chart() is None:
            self.app.notify(
                f"Every chart is submitted or waiting. Press {HAND_IN_KEY.upper()} to hand in.",
                title="Assessment",
            )
            return
        self.app.auto_load()
