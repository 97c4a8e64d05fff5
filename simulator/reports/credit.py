"""Manual credit: a trainer changes the credit of one graded line; the original is kept.

Credits are appended (never edited); the latest one per line is in force. A line is named by
its number in the report (from 1), which is its place in the stored grade's `lines` plus one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulator.reports.deid import contains_identifier
from simulator.reports.load import (
    Packs,
    ReportError,
    grade_from_dict,
    latest_credits,
    session_report,
)
from simulator.store.base import ManualCredit, Store

MAX_COMMENT = 2000
"""Longest comment kept with a credit."""


def resolve_chart(store: Store, session_id: str, chart: str) -> str:
    """Return the chart id a user named: a chart id, or a case id graded once in the session."""
    if store.session_info(session_id) is None:
        raise ReportError(f"no session {session_id!r} in the store")
    grades = store.grades(session_id)
    if chart in grades:
        return chart
    matches = [chart_id for chart_id, entry in grades.items() if entry.get("case_id") == chart]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ReportError(
            f"case {chart!r} was graded more than once in session {session_id}: name the chart "
            f"({', '.join(sorted(matches))})"
        )
    raise ReportError(f"no graded chart {chart!r} in session {session_id}")


def parse_credit(text: str) -> float:
    """Read a credit from 0 to 1 as typed (0, 0.5, 1); ReportError otherwise."""
    try:
        value = float(text)
    except ValueError:
        raise ReportError(f"--credit must be a number from 0 to 1, not {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise ReportError(f"--credit must be from 0 to 1, not {text}")
    return value


def grant_credit(
    store: Store,
    session_id: str,
    chart: str,
    line_number: int,
    *,
    credit: float,
    comment: str,
    by: str,
    at: datetime,
    packs: Packs | None = None,
) -> ManualCredit:
    """Record a trainer's credit on one line (numbered from 1); the original credit is kept.

    The comment must not carry a patient identifier: reports print it.
    """
    chart_id = resolve_chart(store, session_id, chart)
    grade = grade_from_dict(store.grades(session_id)[chart_id]["grade"])
    if not 1 <= line_number <= len(grade.lines):
        raise ReportError(
            f"chart {chart_id} has lines 1 to {len(grade.lines)}, not {line_number}"
            if grade.lines
            else f"chart {chart_id} has no graded lines"
        )
    line = grade.lines[line_number - 1]
    if not line.counts:
        raise ReportError(
            f"line {line_number} of {chart_id} ({line.verdict.value}) is not counted in "
            "code-over-code accuracy, so a credit would change nothing"
        )
    if not 0.0 <= credit <= 1.0:
        raise ReportError(f"--credit must be from 0 to 1, not {credit:g}")
    comment = " ".join(comment.split())
    by = " ".join(by.split())
    if not comment:
        raise ReportError("--comment is required: say why the credit changes")
    if len(comment) > MAX_COMMENT:
        raise ReportError(f"--comment is {len(comment)} characters; keep it under {MAX_COMMENT}")
    if not by:
        raise ReportError("--by is required: the trainer's name or ID")
    report = session_report(store, session_id, packs or Packs())
    found = contains_identifier(comment, report.identifiers)
    if found:
        raise ReportError(
            f"the comment carries {', '.join(found)}: reports print it, so leave patient "
            "identifiers out"
        )
    return store.add_credit(
        session_id,
        chart_id,
        line_number - 1,
        credit=credit,
        original=line.credit,
        comment=comment,
        by=by,
        at=at,
    )


@dataclass(frozen=True)
class CreditEntry:
    """A manual credit as listed: the line it is on and whether it is still in force."""

    credit: ManualCredit
    verdict: str
    expected: str | None
    submitted: str | None
    in_force: bool


def list_credits(store: Store, session_id: str) -> list[CreditEntry]:
    """Return every manual credit of a session, oldest first, with the line it changed."""
    if store.session_info(session_id) is None:
        raise ReportError(f"no session {session_id!r} in the store")
    grades = {
        chart_id: grade_from_dict(entry["grade"])
        for chart_id, entry in store.grades(session_id).items()
    }
    credits = store.credits(session_id)
    latest = {c.id for c in latest_credits(credits).values()}
    entries = []
    for credit in credits:
        grade = grades.get(credit.chart_id)
        line = (
            grade.lines[credit.line]
            if grade is not None and 0 <= credit.line < len(grade.lines)
            else None
        )
        entries.append(
            CreditEntry(
                credit=credit,
                verdict=line.verdict.value if line else "?",
                expected=line.expected if line else None,
                submitted=line.submitted if line else None,
                in_force=credit.id in latest,
            )
        )
    return entries


def credit_dict(entry: CreditEntry) -> dict[str, Any]:
    """Return a listed credit as JSON-ready data (the line numbered from 1)."""
    credit = entry.credit
    return {
        "id": credit.id,
        "session": credit.session_id,
        "chart": credit.chart_id,
        "line": credit.line + 1,
        "verdict": entry.verdict,
        "expected": entry.expected,
        "submitted": entry.submitted,
        "original_credit": credit.original,
        "credit": credit.credit,
        "by": credit.by,
        "at": credit.at.isoformat(),
        "comment": credit.comment,
        "in_force": entry.in_force,
    }


def credit_lines(entries: list[CreditEntry]) -> list[str]:
    """Return listed credits as text lines."""
    if not entries:
        return ["no manual credits"]
    lines = []
    for entry in entries:
        c = entry.credit
        state = "in force" if entry.in_force else "replaced"
        lines.append(
            f"#{c.id} {c.chart_id} line {c.line + 1} ({entry.verdict}, key "
            f"{entry.expected or '-'}, coded {entry.submitted or '-'}): {c.original:g} -> "
            f"{c.credit:g} by {c.by} at {c.at:%Y-%m-%d %H:%M} UTC [{state}]: {c.comment}"
        )
    return lines
