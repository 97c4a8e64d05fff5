"""A trainee's history: per-session figures against the pack's targets, totals, weakest topics,
privacy events from the log, sealed assessments and cohort comparisons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from simulator.codebook import Codebook
from simulator.packs import LoadedPack, Setting
from simulator.reports.cohort import compare
from simulator.reports.history import history_dict, history_lines, trainee_history
from simulator.reports.load import Packs, cohort_reports
from simulator.shift import FakeClock, Session
from simulator.store import MemoryStore
from tests.unit.test_reports import work_session


@pytest.fixture(scope="module")
def store(starter: LoadedPack, book: Codebook) -> MemoryStore:
    """Two sessions of T-1 (the second with more time per chart) and one of T-2, cohort c1."""
    store = MemoryStore()
    for trainee, seed, day, minutes in (
        ("T-1", 7, 24, 6.0),
        ("T-1", 8, 25, 9.0),
        ("T-2", 9, 24, 4.0),
    ):
        start = datetime(2026, 11, day, 8, tzinfo=UTC)
        work_session(
            starter, book, store, trainee=trainee, seed=seed, start=start, charts=8, minutes=minutes
        )
        store.set_cohort(trainee, "c1")
    return store


def test_rows_follow_the_sessions_against_the_pack_targets(
    store: MemoryStore, starter: LoadedPack
) -> None:
    history = trainee_history(store, "T-1", Packs([starter]))
    assert [row.started_at.day for row in history.rows] == [24, 25]
    assert history.cohort == "c1"
    for row, session in zip(history.rows, store.sessions(trainee="T-1"), strict=True):
        grades = store.grades(session["id"])
        assert row.charts_done == 8 and row.charts_served == len(starter.selected(session["seed"]))
        minutes = sum(g["grade"]["time"]["counted_minutes"] for g in grades.values())
        assert row.pace.hours * 60 == pytest.approx(minutes)
        assert row.pace.charts_per_hour == pytest.approx(row.pace.charts / (minutes / 60))
        settings = [Setting(g["grade"]["setting"]) for g in grades.values()]
        units = sum(starter.pack.target(s).workload_units for s in settings)
        assert row.pace.units == pytest.approx(units)
        target_hours = sum(1 / starter.pack.target(s).charts_per_hour for s in settings)
        assert row.pace.target_charts_per_hour == pytest.approx(len(settings) / target_hours)
        assert row.targets_from == f"pack starter {starter.pack.version}"
    slower, faster = history.rows[1].pace, history.rows[0].pace
    assert slower.charts_per_hour is not None and faster.charts_per_hour is not None
    assert slower.charts_per_hour < faster.charts_per_hour


def test_totals_and_topics_weakest_first(store: MemoryStore) -> None:
    history = trainee_history(store, "T-1")
    assert history.possible == sum(row.possible for row in history.rows)
    assert history.accuracy == pytest.approx(history.credited / history.possible)
    accuracies = [t.accuracy if t.accuracy is not None else 1.0 for t in history.topics]
    assert accuracies == sorted(accuracies) and accuracies[0] < 1.0
    assert sum(t.charts for t in history.settings) == history.charts_graded == 16
    data = history_dict(history)
    assert data["format"] == "codedesk-history/1" and len(data["sessions"]) == 2
    assert data["by_topic"][0]["name"] == history.topics[0].name
    text = "\n".join(history_lines(history))
    assert "by topic, weakest first" in text and history.topics[0].name in text


def test_privacy_events_in_the_log_are_counted(starter: LoadedPack, book: Codebook) -> None:
    store = MemoryStore()
    start = datetime(2026, 11, 24, 8, tzinfo=UTC)
    session = work_session(starter, book, store, trainee="T-3", seed=3, start=start, charts=3)
    store.append(session.session_id, start, "unassigned_chart_opened", {"case": "vip-chart"})
    store.append(session.session_id, start, "identifier_revealed", {"identifier": "ssn"})
    store.append(
        session.session_id, start, "identifier_revealed", {"identifier": "phone", "reason": "payer"}
    )
    row = trainee_history(store, "T-3").rows[0]
    assert row.privacy_events == 2 and not row.privacy_passed  # snooping is critical


def test_a_sealed_assessment_counts_charts_but_no_accuracy(
    starter: LoadedPack, book: Codebook
) -> None:
    store = MemoryStore()
    clock = FakeClock(datetime(2026, 11, 24, 8, tzinfo=UTC))
    session = Session(starter, book, clock, store, seed=4, trainee="C-1", mode="assessment")
    state = next(c for c in session.charts if c.chart.diagnoses)
    session.open_chart(state.chart.chart_id)
    clock.advance(300)
    session.add_code(state.chart.chart_id, "diagnoses", state.chart.diagnoses[0].code)
    session.submit(state.chart.chart_id)
    row = trainee_history(store, "C-1").rows[0]
    assert row.mode == "assessment" and row.charts_done == 1 and row.charts_graded == 0
    assert row.accuracy is None and row.pace.charts_per_hour is None


def test_a_cohort_is_compared_weakest_first(store: MemoryStore) -> None:
    histories = compare("c1", cohort_reports(store, "c1", Packs()))
    assert [h.trainee for h in histories] == sorted(
        ["T-1", "T-2"], key=lambda t: next(h.accuracy for h in histories if h.trainee == t)
    )
    accuracies = [h.accuracy for h in histories]
    assert accuracies == sorted(accuracies)  # type: ignore[type-var]
