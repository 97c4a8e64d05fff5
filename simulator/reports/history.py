"""A trainee's progress: one row per session over time, totals, and accuracy by topic.

Every figure comes from the stored grades with manual credits applied (see reports.load);
productivity is measured against the targets of each session's own pack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulator.reports.load import Packs, SessionReport, trainee_reports
from simulator.scoring.productivity import Pace
from simulator.scoring.report import pct, pct1
from simulator.scoring.summary import GroupScore, summarize
from simulator.store.base import Store


@dataclass(frozen=True)
class HistoryRow:
    """One session of a trainee, in figures."""

    session_id: str
    started_at: datetime
    pack_id: str
    pack_version: str
    mode: str
    charts_done: int
    """Charts submitted (graded or, in an assessment, kept sealed)."""
    charts_served: int | None
    charts_graded: int
    credited: float
    possible: int
    original_credited: float
    """Credits before any manual credit."""
    records: int
    """Charts right at record level."""
    pace: Pace
    """Charts, hours and workload units against the pack's targets."""
    accuracy_goal: float
    productivity_goal: float
    privacy_events: int
    privacy_passed: bool
    manual_credits: int
    """Lines whose credit a trainer changed (the credit in force)."""
    targets_from: str

    @property
    def accuracy(self) -> float | None:
        """Code-over-code accuracy with manual credits."""
        return self.credited / self.possible if self.possible else None

    @property
    def original_accuracy(self) -> float | None:
        """Code-over-code accuracy as graded."""
        return self.original_credited / self.possible if self.possible else None

    @property
    def record_rate(self) -> float | None:
        """Share of graded charts right at record level."""
        return self.records / self.charts_graded if self.charts_graded else None


@dataclass(frozen=True)
class TraineeHistory:
    """A trainee's sessions over time, the totals, and accuracy by topic (weakest first)."""

    trainee: str
    cohort: str | None
    rows: tuple[HistoryRow, ...]
    topics: tuple[GroupScore, ...]
    settings: tuple[GroupScore, ...]
    accuracy_goal: float
    productivity_goal: float

    @property
    def credited(self) -> float:
        """Credits over every session, manual credits applied."""
        return sum(row.credited for row in self.rows)

    @property
    def possible(self) -> int:
        """Lines in the code-over-code denominator over every session."""
        return sum(row.possible for row in self.rows)

    @property
    def accuracy(self) -> float | None:
        """Code-over-code accuracy over every session."""
        return self.credited / self.possible if self.possible else None

    @property
    def original_accuracy(self) -> float | None:
        """Code-over-code accuracy over every session, as graded."""
        original = sum(row.original_credited for row in self.rows)
        return original / self.possible if self.possible else None

    @property
    def charts_graded(self) -> int:
        """Graded charts over every session."""
        return sum(row.charts_graded for row in self.rows)

    @property
    def record_rate(self) -> float | None:
        """Share of graded charts right at record level, over every session."""
        graded = self.charts_graded
        return sum(row.records for row in self.rows) / graded if graded else None

    @property
    def pace(self) -> Pace:
        """Every session's pace added up (each against its own pack's targets)."""
        return add_paces("all sessions", [row.pace for row in self.rows])

    @property
    def privacy_events(self) -> int:
        """Privacy events over every session."""
        return sum(row.privacy_events for row in self.rows)

    @property
    def weakest_topics(self) -> tuple[GroupScore, ...]:
        """The three weakest topics."""
        return self.topics[:3]


def add_paces(name: str, paces: Sequence[Pace]) -> Pace:
    """Add paces up: charts, counted hours, standard hours, units and target hours."""
    return Pace(
        name=name,
        charts=sum(p.charts for p in paces),
        hours=sum(p.hours for p in paces),
        standard_hours=sum(p.standard_hours for p in paces),
        units=sum(p.units for p in paces),
        target_hours=sum(p.target_hours for p in paces),
    )


def history_row(report: SessionReport) -> HistoryRow:
    """Sum one session into a history row."""
    summary = report.summary
    return HistoryRow(
        session_id=report.session_id,
        started_at=report.started_at,
        pack_id=report.pack_id,
        pack_version=report.pack_version,
        mode=report.mode,
        charts_done=report.charts_submitted,
        charts_served=report.charts_served,
        charts_graded=len(report.charts),
        credited=summary.credited,
        possible=summary.possible,
        original_credited=report.original.credited,
        records=sum(1 for g in report.grades if g.record_correct),
        pace=summary.productivity.overall,
        accuracy_goal=summary.accuracy_goal,
        productivity_goal=summary.productivity.goal,
        privacy_events=len(summary.privacy),
        privacy_passed=summary.privacy_passed,
        manual_credits=sum(len(c.manual) for c in report.charts),
        targets_from=report.pack.source,
    )


def history_from_reports(
    trainee: str, cohort: str | None, reports: Sequence[SessionReport]
) -> TraineeHistory:
    """Build a trainee's history from their session reports (oldest first)."""
    grades = [g for report in reports for g in report.grades]
    overall = summarize(grades)
    latest = reports[-1].summary if reports else None
    return TraineeHistory(
        trainee=trainee,
        cohort=cohort,
        rows=tuple(history_row(report) for report in reports),
        topics=overall.by_topic,
        settings=overall.by_setting,
        accuracy_goal=latest.accuracy_goal if latest else 0.95,
        productivity_goal=latest.productivity.goal if latest else 0.95,
    )


def trainee_history(store: Store, trainee: str, packs: Packs | None = None) -> TraineeHistory:
    """Read a trainee's history from the store; ReportError for an unknown trainee."""
    reports = trainee_reports(store, trainee, packs or Packs(), identify=False)
    cohort = next((row["cohort"] for row in store.trainees() if row["trainee"] == trainee), None)
    return history_from_reports(trainee, cohort, reports)


def _round(value: float | None, digits: int = 4) -> float | None:
    """Round a figure for JSON, keeping None."""
    return None if value is None else round(value, digits)


def pace_dict(pace: Pace) -> dict[str, Any]:
    """Return a pace as JSON-ready data."""
    return {
        "charts": pace.charts,
        "counted_minutes": round(pace.hours * 60, 2),
        "charts_per_hour": _round(pace.charts_per_hour, 3),
        "target_charts_per_hour": _round(pace.target_charts_per_hour, 3),
        "workload_units": round(pace.units, 3),
        "units_per_hour": _round(pace.units_per_hour, 3),
        "target_units_per_hour": _round(pace.target_units_per_hour, 3),
        "productivity": _round(pace.productivity),
    }


def group_dict(group: GroupScore) -> dict[str, Any]:
    """Return a topic's or setting's accuracy as JSON-ready data."""
    return {
        "name": group.name,
        "charts": group.charts,
        "accuracy": _round(group.accuracy),
        "credited": group.credited,
        "possible": group.possible,
        "records_correct": group.records,
    }


def row_dict(row: HistoryRow) -> dict[str, Any]:
    """Return one history row as JSON-ready data."""
    return {
        "session": row.session_id,
        "started_at": row.started_at.isoformat(),
        "pack": row.pack_id,
        "pack_version": row.pack_version,
        "mode": row.mode,
        "charts_done": row.charts_done,
        "charts_served": row.charts_served,
        "charts_graded": row.charts_graded,
        "accuracy": _round(row.accuracy),
        "original_accuracy": _round(row.original_accuracy),
        "accuracy_goal": row.accuracy_goal,
        "record_accuracy": _round(row.record_rate),
        "productivity": pace_dict(row.pace),
        "productivity_goal": row.productivity_goal,
        "targets_from": row.targets_from,
        "privacy_events": row.privacy_events,
        "privacy_passed": row.privacy_passed,
        "manual_credits": row.manual_credits,
    }


def history_dict(history: TraineeHistory) -> dict[str, Any]:
    """Return a trainee's history as JSON-ready data with stable keys."""
    return {
        "format": "codedesk-history/1",
        "trainee": history.trainee,
        "cohort": history.cohort,
        "synthetic": True,
        "sessions": [row_dict(row) for row in history.rows],
        "overall": {
            "sessions": len(history.rows),
            "charts_graded": history.charts_graded,
            "accuracy": _round(history.accuracy),
            "original_accuracy": _round(history.original_accuracy),
            "accuracy_goal": history.accuracy_goal,
            "record_accuracy": _round(history.record_rate),
            "productivity": pace_dict(history.pace),
            "productivity_goal": history.productivity_goal,
            "privacy_events": history.privacy_events,
        },
        "by_topic": [group_dict(g) for g in history.topics],
        "by_setting": [group_dict(g) for g in history.settings],
    }


def rate(value: float | None) -> str:
    """Format a rate per hour with one decimal, or 'n/a'."""
    return "n/a" if value is None else f"{value:.1f}"


def accuracy_words(value: float | None, original: float | None) -> str:
    """Say an accuracy, with the graded figure beside it when manual credit changed it."""
    if value is None:
        return "n/a"
    if original is not None and abs(original - value) > 1e-9:
        return f"{pct1(value)} (graded {pct1(original)})"
    return pct1(value)


def history_lines(history: TraineeHistory) -> list[str]:
    """Return the history as plain text for the terminal."""
    cohort = f", cohort {history.cohort}" if history.cohort else ""
    lines = [f"History of trainee {history.trainee}{cohort} (every patient is synthetic)"]
    if not history.rows:
        return [*lines, "  no sessions yet"]
    head = (
        f"  {'date':<16} {'pack':<18} {'mode':<10} {'charts':>7} {'accuracy':>8} {'record':>6} "
        f"{'charts/h (target)':>17} {'WU/h (target)':>14} {'prod.':>5} {'privacy':>7}"
    )
    lines.append(head)
    for row in history.rows:
        served = f"/{row.charts_served}" if row.charts_served is not None else ""
        pace = row.pace
        lines.append(
            f"  {row.started_at:%Y-%m-%d %H:%M} {row.pack_id + ' ' + row.pack_version:<18.18} "
            f"{row.mode:<10} {str(row.charts_done) + served:>7} {pct1(row.accuracy):>8} "
            f"{pct(row.record_rate):>6} "
            f"{rate(pace.charts_per_hour) + ' (' + rate(pace.target_charts_per_hour) + ')':>17} "
            f"{rate(pace.units_per_hour) + ' (' + rate(pace.target_units_per_hour) + ')':>14} "
            f"{pct(pace.productivity):>5} {row.privacy_events:>7}"
        )
    pace = history.pace
    lines.append(
        f"  overall: {len(history.rows)} session(s), {history.charts_graded} chart(s) graded; "
        f"accuracy {accuracy_words(history.accuracy, history.original_accuracy)} "
        f"(goal {pct(history.accuracy_goal)}), record level {pct(history.record_rate)}; "
        f"{rate(pace.charts_per_hour)} charts/h (target {rate(pace.target_charts_per_hour)}), "
        f"{rate(pace.units_per_hour)} WU/h (target {rate(pace.target_units_per_hour)}), "
        f"{pct(pace.productivity)} of standard (goal {pct(history.productivity_goal)}); "
        f"{history.privacy_events} privacy event(s)"
    )
    if history.topics:
        lines.append("  by topic, weakest first:")
        for group in history.topics:
            lines.append(
                f"    {group.name:<32} {pct1(group.accuracy):>6} code-over-code, "
                f"{group.records}/{group.charts} record-level"
            )
    return lines
