"""The time box of an assessment and handing it in: the rules, without any screen.

The time box runs from the session's start in wall-clock time: time away from the app counts,
so quitting and coming back never stops the clock. At zero, or when the candidate hands in
early, every chart is handed in as it stands: a chart with codes is submitted as it is, a
chart pended or queried keeps that decision, and an untouched chart is handed in as not done.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.shift.session import Session

WARNINGS_MINUTES: tuple[int, ...] = (10, 5, 1)
"""Minutes left at which the candidate is warned."""

HANDED_IN = "assessment_handed_in"
"""The event kind that records a hand-in and what became of every chart."""

SUBMITTED = "submitted"
"""A chart the candidate submitted (or flagged) before the hand-in."""
SUBMITTED_AT_HAND_IN = "submitted at hand-in"
"""A chart with codes, submitted as it was when the time box closed."""
PENDED = "pended"
"""A chart the candidate pended: the pend is the decision handed in."""
QUERIED = "query sent"
"""A chart the candidate queried: the query is the decision handed in."""
NOT_SUBMITTABLE = "handed in unfinished"
"""A chart with codes that could not be submitted (an invalid code, or no diagnosis)."""
NOT_DONE = "not done"
"""A chart with no codes and no decision."""


def deadline(started_at: datetime, limit_minutes: float) -> datetime:
    """The moment the time box closes."""
    from datetime import timedelta

    return started_at + timedelta(minutes=limit_minutes)


def seconds_left(started_at: datetime, limit_minutes: float, now: datetime) -> float:
    """Seconds left in the time box (negative once it has closed)."""
    return (deadline(started_at, limit_minutes) - now).total_seconds()


def due_warnings(left: float, given: set[int]) -> list[int]:
    """Return the warnings (minutes) whose moment has come and that were not given yet."""
    return [m for m in WARNINGS_MINUTES if left <= m * 60 and m not in given]


def passed_warnings(left: float) -> set[int]:
    """Warnings whose moment had already passed when the time box was opened (not repeated)."""
    return {m for m in WARNINGS_MINUTES if left < m * 60}


def hand_in(session: Session, reason: str) -> dict[str, str]:
    """Hand every chart in as it stands, record what became of each, and end the session.

    reason is "time up" or "handed in"; returns chart id -> outcome (the constants above).
    """
    from simulator.shift.session import SessionError, Status

    outcomes: dict[str, str] = {}
    errors: dict[str, str] = {}
    for state in session.charts:
        chart_id = state.chart.chart_id
        status = state.status.value
        if state.status is Status.DONE:
            outcomes[chart_id] = SUBMITTED
        elif status == "pended":
            outcomes[chart_id] = PENDED
        elif status == "query sent":
            outcomes[chart_id] = QUERIED
        elif state.diagnoses or state.procedures:
            try:
                session.submit(chart_id)
                outcomes[chart_id] = SUBMITTED_AT_HAND_IN
            except SessionError as exc:
                outcomes[chart_id] = NOT_SUBMITTABLE
                errors[chart_id] = str(exc)
        elif state.query is not None:
            outcomes[chart_id] = QUERIED
        else:
            outcomes[chart_id] = NOT_DONE
    if session.current is not None:
        session.close_chart()
    session.store.append(
        session.session_id,
        session.clock.now(),
        HANDED_IN,
        {"reason": reason, "charts": outcomes, "errors": errors},
    )
    session.end()
    return outcomes
