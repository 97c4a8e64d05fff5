"""Cohorts: groups of trainees a trainer follows together, and their side-by-side comparison."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from simulator.reports.history import TraineeHistory, group_dict, history_from_reports, pace_dict
from simulator.reports.load import ReportError, SessionReport
from simulator.store.base import Store

MAX_NAME = 128
"""Longest cohort or trainee name the store keeps."""


def check_name(kind: str, name: str) -> str:
    """Return a cohort or trainee name trimmed, or raise ReportError when it cannot be kept."""
    trimmed = name.strip()
    if not trimmed:
        raise ReportError(f"a {kind} name cannot be empty")
    if len(trimmed) > MAX_NAME:
        raise ReportError(f"a {kind} name has at most {MAX_NAME} characters: {trimmed[:20]}...")
    if any(ord(ch) < 32 for ch in trimmed):
        raise ReportError(f"a {kind} name cannot hold control characters")
    return trimmed


def add_to_cohort(store: Store, cohort: str, trainees: Iterable[str]) -> list[str]:
    """Put trainees in a cohort (moving them from any other); return the names added."""
    name = check_name("cohort", cohort)
    added = [check_name("trainee", trainee) for trainee in trainees]
    if not added:
        raise ReportError("name at least one trainee to add")
    for trainee in added:
        store.set_cohort(trainee, name)
    return added


def remove_from_cohort(store: Store, trainees: Iterable[str]) -> list[str]:
    """Take trainees out of their cohort; ReportError for a trainee the store does not know."""
    known = {row["trainee"] for row in store.trainees()}
    removed = []
    for trainee in trainees:
        if trainee not in known:
            raise ReportError(f"no trainee {trainee!r} in the store")
        store.set_cohort(trainee, None)
        removed.append(trainee)
    return removed


def cohorts(store: Store) -> dict[str, list[str]]:
    """Return every cohort with its trainees, by name."""
    found: dict[str, list[str]] = {}
    for row in store.trainees():
        if row["cohort"] is not None:
            found.setdefault(str(row["cohort"]), []).append(str(row["trainee"]))
    return dict(sorted(found.items()))


def cohort_members(store: Store, cohort: str) -> list[dict[str, Any]]:
    """Return a cohort's trainees with their session counts; ReportError for an unknown cohort."""
    members = [str(row["trainee"]) for row in store.trainees(cohort=cohort)]
    if not members:
        raise ReportError(f"no cohort {cohort!r} in the store")
    sessions = Counter(str(row["trainee"]) for row in store.sessions(cohort=cohort))
    return [{"trainee": name, "sessions": sessions[name]} for name in members]


def compare(cohort: str, found: Mapping[str, Sequence[SessionReport]]) -> list[TraineeHistory]:
    """Return each trainee's history in the cohort, weakest accuracy first (no data last)."""
    histories = [history_from_reports(name, cohort, reports) for name, reports in found.items()]

    def key(history: TraineeHistory) -> tuple[int, float, str]:
        """Trainees with graded work first, weakest accuracy first, then by name."""
        accuracy = history.accuracy
        return (accuracy is None, accuracy if accuracy is not None else 0.0, history.trainee)

    return sorted(histories, key=key)


def comparison_dict(history: TraineeHistory) -> dict[str, Any]:
    """Return one trainee's line of the cohort comparison as JSON-ready data."""
    return {
        "trainee": history.trainee,
        "sessions": len(history.rows),
        "charts_graded": history.charts_graded,
        "accuracy": None if history.accuracy is None else round(history.accuracy, 4),
        "original_accuracy": None
        if history.original_accuracy is None
        else round(history.original_accuracy, 4),
        "accuracy_goal": history.accuracy_goal,
        "record_accuracy": None if history.record_rate is None else round(history.record_rate, 4),
        "productivity": pace_dict(history.pace),
        "productivity_goal": history.productivity_goal,
        "privacy_events": history.privacy_events,
        "weakest_topics": [group_dict(g) for g in history.weakest_topics],
    }
