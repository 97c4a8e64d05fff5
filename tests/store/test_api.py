"""The SQL store keeps what the Store protocol promises, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from simulator.store import MemoryStore, Store
from simulator.store.schema import OWN_TABLES, SCHEMA_VERSION
from simulator.store.sql import SqlStore

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def _start(store: Store, sid: str, trainee: str = "t-1", at: datetime = T0) -> None:
    store.create_session(
        sid,
        trainee=trainee,
        pack_id="starter",
        pack_version="1.2.0",
        mode="practice",
        seed=42,
        started_at=at,
    )


def test_new_database_is_created_at_the_current_version(store: SqlStore) -> None:
    meta = store.meta()
    assert store.schema_version() == SCHEMA_VERSION == 2
    assert meta["schema_version"] == "2" and "created_at" in meta
    assert store.migrated == []
    tables = set(sa.inspect(store.engine).get_table_names())
    assert tables == set(OWN_TABLES)


def test_events_round_trip_with_gap_free_numbers(store: SqlStore) -> None:
    _start(store, "s-1")
    _start(store, "s-2")
    payloads = [
        {"chart": "a#1", "n": i, "text": 'é ✓ "quoted"', "nested": [1, {"x": None}]}
        for i in range(5)
    ]
    made = [
        store.append("s-1", T0 + timedelta(seconds=i), "code_added", p)
        for i, p in enumerate(payloads)
    ]
    other = store.append("s-2", T0, "session_started", {"charts": []})
    assert [e.seq for e in made] == [1, 2, 3, 4, 5] and other.seq == 1
    read = store.events("s-1")
    assert read == made
    assert [e.payload for e in read] == payloads
    assert store.events("s-missing") == []


def test_times_come_back_as_the_same_instant_in_utc(store: SqlStore) -> None:
    plus_five = timezone(timedelta(hours=5))
    local = datetime(2026, 11, 24, 13, 30, 15, 250_000, tzinfo=plus_five)
    _start(store, "s-1", at=local)
    store.append("s-1", local, "x", {})
    info = store.session_info("s-1")
    assert info is not None
    assert info["started_at"] == local and info["started_at"].tzinfo == UTC
    event = store.events("s-1")[0]
    assert event.at == local and event.at.utcoffset() == timedelta(0)


def test_session_info_latest_and_end(store: SqlStore) -> None:
    _start(store, "s-old", at=T0)
    _start(store, "s-new", at=T0 + timedelta(hours=1))
    _start(store, "s-other", trainee="t-2", at=T0 + timedelta(hours=2))
    assert store.latest_session("t-1", "starter") == "s-new"
    assert store.latest_session("t-1", "other-pack") is None
    info = store.session_info("s-old")
    assert info is not None
    assert {k: info[k] for k in ("trainee", "pack_id", "pack_version", "mode", "seed")} == {
        "trainee": "t-1",
        "pack_id": "starter",
        "pack_version": "1.2.0",
        "mode": "practice",
        "seed": 42,
    }
    assert info["ended_at"] is None
    store.end_session("s-old", T0 + timedelta(minutes=5))
    ended = store.session_info("s-old")
    assert ended is not None and ended["ended_at"] == T0 + timedelta(minutes=5)
    assert store.session_info("s-missing") is None


def test_trainees_cohorts_and_session_filters(store: SqlStore) -> None:
    _start(store, "s-1", trainee="ann")
    _start(store, "s-2", trainee="bob", at=T0 + timedelta(minutes=1))
    _start(store, "s-3", trainee="ann", at=T0 + timedelta(minutes=2))
    assert store.trainees() == [
        {"trainee": "ann", "cohort": None},
        {"trainee": "bob", "cohort": None},
    ]
    store.set_cohort("ann", "2026-11")
    store.set_cohort("cy", "2026-11")  # unknown trainees are created
    store.set_cohort("bob", "2026-12")
    store.set_cohort("bob", None)
    assert store.trainees("2026-11") == [
        {"trainee": "ann", "cohort": "2026-11"},
        {"trainee": "cy", "cohort": "2026-11"},
    ]
    assert [s["id"] for s in store.sessions()] == ["s-1", "s-2", "s-3"]
    assert [s["id"] for s in store.sessions(trainee="ann")] == ["s-1", "s-3"]
    assert [s["id"] for s in store.sessions(cohort="2026-11")] == ["s-1", "s-3"]
    assert store.sessions(trainee="bob", cohort="2026-11") == []
    _start(store, "s-4", trainee="ann", at=T0 + timedelta(minutes=3))  # known trainee: kept
    assert store.trainees("2026-11")[0] == {"trainee": "ann", "cohort": "2026-11"}


def test_charts_served_grades_and_credits(store: SqlStore) -> None:
    _start(store, "s-1")
    long_case = "c" * 64  # the longest case id a pack allows, with a ten-digit seed
    charts = [(f"{long_case}#2147483647", long_case, 2147483647), ("b#42", "b", 42)]
    store.serve_charts("s-1", charts)
    assert store.served("s-1") == charts
    store.serve_charts("s-1", charts[::-1])  # a second call replaces the list
    assert store.served("s-1") == charts[::-1]

    store.record_grade("s-1", "b#42", "b", T0, {"credited": 1, "lines": [{"verdict": "exact"}]})
    store.record_grade("s-1", "b#42", "b", T0 + timedelta(seconds=1), {"credited": 2})
    assert store.grades("s-1") == {
        "b#42": {"case_id": "b", "at": T0 + timedelta(seconds=1), "grade": {"credited": 2}}
    }
    first = store.add_credit(
        "s-1", "b#42", 0, credit=1.0, original=0.0, comment="accepted", by="trainer", at=T0
    )
    second = store.add_credit(
        "s-1", "b#42", 0, credit=0.5, original=0.0, comment="half", by="trainer", at=T0
    )
    assert second.id > first.id
    assert store.credits("s-1") == [first, second]
    assert store.credits("s-missing") == []


def _exercise(store: Store) -> dict[str, Any]:
    """Drive a store through every method; return everything it reads back."""
    _start(store, "s-1", trainee="ann")
    _start(store, "s-2", trainee="bob", at=T0 + timedelta(minutes=1))
    store.serve_charts("s-1", [("a#42", "a", 42)])
    for i in range(3):
        store.append("s-1", T0 + timedelta(seconds=i), "code_added", {"i": i})
    store.set_cohort("ann", "c1")
    store.record_grade("s-1", "a#42", "a", T0, {"g": 1})
    store.add_credit("s-1", "a#42", 0, credit=1.0, original=0.5, comment="", by="tr", at=T0)
    store.end_session("s-1", T0 + timedelta(hours=1))
    info = store.session_info("s-1")
    assert info is not None
    info.pop("id", None)  # SqlStore also gives the id; the protocol does not ask for it
    return {
        "events": [(e.seq, e.at, e.kind, e.payload) for e in store.events("s-1")],
        "info": info,
        "latest": store.latest_session("ann", "starter"),
        "sessions": store.sessions(cohort="c1"),
        "trainees": store.trainees(),
        "grades": store.grades("s-1"),
        "credits": [(c.chart_id, c.line, c.credit, c.original, c.by) for c in store.credits("s-1")],
    }


def test_sql_store_reads_back_what_the_memory_store_does(store: SqlStore) -> None:
    assert _exercise(store) == _exercise(MemoryStore())


def test_data_survives_reopening(open_store: Callable[[], SqlStore]) -> None:
    first = open_store()
    _start(first, "s-1")
    first.append("s-1", T0, "x", {"a": 1})
    first.close()
    again = open_store()
    assert again.migrated == []
    assert [e.payload for e in again.events("s-1")] == [{"a": 1}]
    assert again.append("s-1", T0, "y", {}).seq == 2
