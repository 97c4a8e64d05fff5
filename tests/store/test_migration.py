"""A genuine v1 database (made by hand, as CodeDesk 1 left it) is migrated to v2, losing nothing."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from simulator.codebook import Codebook
from simulator.packs import LoadedPack, load_pack
from simulator.shift import FakeClock, Session
from simulator.store import MemoryStore, StoreError, schema
from simulator.store.sql import SqlStore
from tests.store.conftest import BACKENDS, database

MINI = Path(__file__).resolve().parents[1] / "data" / "packs" / "mini"

# The v1 tables exactly as CodeDesk 1 created them (its SQLAlchemy metadata, per dialect).
V1_DDL = {
    "sqlite": [
        'CREATE TABLE codedesk_meta ("key" VARCHAR(64) NOT NULL, value VARCHAR(256) NOT NULL, '
        'PRIMARY KEY ("key"))',
        "CREATE TABLE sessions (id VARCHAR(64) NOT NULL, trainee VARCHAR(128) NOT NULL, "
        "pack_id VARCHAR(64) NOT NULL, pack_version VARCHAR(32) NOT NULL, mode VARCHAR(16) NOT "
        "NULL, seed BIGINT NOT NULL, started_at DATETIME NOT NULL, ended_at DATETIME, "
        "PRIMARY KEY (id))",
        "CREATE TABLE events (session_id VARCHAR(64) NOT NULL, seq INTEGER NOT NULL, "
        "at DATETIME NOT NULL, kind VARCHAR(32) NOT NULL, payload TEXT NOT NULL, "
        "PRIMARY KEY (session_id, seq), FOREIGN KEY(session_id) REFERENCES sessions (id))",
    ],
    "postgresql": [
        'CREATE TABLE codedesk_meta ("key" VARCHAR(64) NOT NULL, value VARCHAR(256) NOT NULL, '
        'PRIMARY KEY ("key"))',
        "CREATE TABLE sessions (id VARCHAR(64) NOT NULL, trainee VARCHAR(128) NOT NULL, "
        "pack_id VARCHAR(64) NOT NULL, pack_version VARCHAR(32) NOT NULL, mode VARCHAR(16) NOT "
        "NULL, seed BIGINT NOT NULL, started_at TIMESTAMP WITH TIME ZONE NOT NULL, "
        "ended_at TIMESTAMP WITH TIME ZONE, PRIMARY KEY (id))",
        "CREATE TABLE events (session_id VARCHAR(64) NOT NULL, seq INTEGER NOT NULL, "
        "at TIMESTAMP WITH TIME ZONE NOT NULL, kind VARCHAR(32) NOT NULL, payload TEXT NOT "
        "NULL, PRIMARY KEY (session_id, seq), FOREIGN KEY(session_id) REFERENCES sessions (id))",
    ],
}


def _time(backend: str, clock: str) -> str:
    """A v1 timestamp as each dialect stored it (SQLite: zone-less text in UTC)."""
    return f"2026-11-24 {clock}.000000" if backend == "sqlite" else f"2026-11-24 {clock}+00"


@pytest.fixture(scope="module")
def mini() -> LoadedPack:
    """The three-case test pack."""
    return load_pack(MINI)


def v1_rows(backend: str, mini: LoadedPack, book: Codebook) -> dict[str, list[dict[str, Any]]]:
    """The rows of a v1 store: three sessions, one of them a real mini-pack session."""
    queue = Session(mini, book, FakeClock(), MemoryStore(), seed=3, record=False).charts
    charts = [c.chart.chart_id for c in queue]
    ed = next(c.chart for c in queue if c.chart.case_id == "ed-ankle-sprain")
    sessions = [
        ("s-20261124080000-aaaaaa", "ann", "mini", 3, "08:00:00", None),
        ("s-20261124090000-bbbbbb", "bob", "starter", 11, "09:00:00", "09:30:00"),
        ("s-20261124100000-cccccc", "ann", "starter", 12, "10:00:00", None),
    ]
    events: list[tuple[str, int, str, str, dict[str, Any]]] = [
        (sessions[0][0], 1, "08:00:00", "session_started", {"charts": charts}),
        (sessions[0][0], 2, "08:00:05", "chart_opened", {"chart": ed.chart_id}),
        (sessions[0][0], 3, "08:00:40", "code_added", _added(ed.chart_id, "S93.492A")),
        (sessions[0][0], 4, "08:01:10", "code_added", _added(ed.chart_id, "W01.0XXA")),
        (sessions[1][0], 1, "09:00:00", "session_started", {"charts": ["a-case#11", "b.2#11"]}),
        (sessions[1][0], 2, "09:30:00", "session_ended", {"done": 0, "charts": 2}),
        # A session_started whose chart ids carry no seed: its charts cannot be derived.
        (sessions[2][0], 1, "10:00:00", "session_started", {"charts": ["no-seed-here"]}),
    ]
    return {
        "sessions": [
            {
                "id": sid,
                "trainee": trainee,
                "pack_id": pack,
                "pack_version": "0.1.0",
                "mode": "practice",
                "seed": seed,
                "started_at": _time(backend, start),
                "ended_at": _time(backend, end) if end else None,
            }
            for sid, trainee, pack, seed, start, end in sessions
        ],
        "events": [
            {
                "session_id": sid,
                "seq": seq,
                "at": _time(backend, at),
                "kind": kind,
                "payload": json.dumps(payload, sort_keys=True),
            }
            for sid, seq, at, kind, payload in events
        ],
        "codedesk_meta": [{"key": "schema_version", "value": "1"}],
    }


def _added(chart_id: str, code: str) -> dict[str, Any]:
    return {"chart": chart_id, "part": "diagnoses", "raw": code, "code": code, "verdict": "valid"}


def make_v1(url: str, backend: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Create the v1 tables by hand and fill them, as a CodeDesk 1 store on disk."""
    engine = sa.create_engine(url)
    with engine.begin() as con:
        for ddl in V1_DDL[backend]:
            con.exec_driver_sql(ddl)
        for table, table_rows in rows.items():
            columns = list(table_rows[0])
            quoted = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join(f":{c}" for c in columns)
            con.execute(sa.text(f"INSERT INTO {table} ({quoted}) VALUES ({marks})"), table_rows)
    if backend == "sqlite":
        with engine.connect() as con:
            con.exec_driver_sql("PRAGMA journal_mode=WAL")  # v1 ran its files in WAL mode
    engine.dispose()


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the v1 tables, read without SqlStore, with times as aware UTC."""
    engine = sa.create_engine(url)
    found = {}
    with engine.connect() as con:
        for table, key in (("sessions", "id"), ("events", "session_id, seq")):
            rows = con.execute(sa.text(f"SELECT * FROM {table} ORDER BY {key}")).fetchall()
            found[table] = [tuple(_norm(v) for v in row) for row in rows]
    engine.dispose()
    return found


def _norm(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("2026-11-24 "):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


@pytest.fixture(params=BACKENDS)
def v1_url(
    request: pytest.FixtureRequest, tmp_path: Path, mini: LoadedPack, book: Codebook
) -> Iterator[tuple[str, str, dict[str, list[dict[str, Any]]]]]:
    """A v1 store with data, on each backend: (url, backend, the rows written)."""
    backend = str(request.param)
    with database(backend, tmp_path) as url:
        rows = v1_rows(backend, mini, book)
        make_v1(url, backend, rows)
        yield url, backend, rows


def test_v1_store_is_migrated_and_nothing_is_lost(
    v1_url: tuple[str, str, dict[str, list[dict[str, Any]]]], mini: LoadedPack, book: Codebook
) -> None:
    url, _backend, rows = v1_url
    before = dump(url)
    store = SqlStore(url)
    try:
        assert store.schema_version() == 2
        assert len(store.migrated) == 1
        meta = store.meta()
        assert meta["schema_version"] == "2"
        assert "trainees, charts served, grades and manual credits" in meta["migration.2"]
        assert "left empty for 1 session" in meta["migration.2"]
        assert dump(url) == before  # every v1 row, untouched

        assert store.trainees() == [
            {"trainee": "ann", "cohort": None},
            {"trainee": "bob", "cohort": None},
        ]
        ann, bob, unknown = (s["id"] for s in rows["sessions"])
        queue = json.loads(rows["events"][0]["payload"])["charts"]
        assert store.served(ann) == [(c, c.rpartition("#")[0], 3) for c in queue]
        assert store.served(bob) == [("a-case#11", "a-case", 11), ("b.2#11", "b.2", 11)]
        assert store.served(unknown) == []
        assert store.grades(ann) == {} and store.credits(ann) == []
        assert [s["id"] for s in store.sessions(trainee="ann")] == [ann, unknown]
        ended = store.session_info(bob)
        assert ended is not None and ended["ended_at"] == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)

        # The migrated store goes on where v1 stopped: the session resumes with its codes.
        resumed = Session.resume(mini, book, FakeClock(), store, ann)
        assert resumed.current is not None
        assert resumed.current.chart.case_id == "ed-ankle-sprain"
        assert [line.code for line in resumed.current.diagnoses] == ["S93.492A", "W01.0XXA"]
        assert store.events(ann)[-1].seq == 5  # session_resumed, numbered after v1's events
    finally:
        store.close()
    again = SqlStore(url)  # opening a current store migrates nothing
    assert again.migrated == [] and len(again.trainees()) == 2
    again.close()


def test_a_failed_migration_changes_nothing(
    v1_url: tuple[str, str, dict[str, list[dict[str, Any]]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, backend, _rows = v1_url
    path = Path(sa.make_url(url).database or "")
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if backend == "sqlite" else ""

    def half_done(con: sa.Connection) -> str:
        schema._v1_to_v2(con)  # creates and fills the new tables, then the database fails
        con.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")
        return "never"

    monkeypatch.setattr(schema, "MIGRATIONS", (schema.Migration(2, "broken", half_done),))
    with pytest.raises(StoreError, match="preparing the store failed"):
        SqlStore(url)
    engine = sa.create_engine(url)
    with engine.connect() as con:
        assert set(sa.inspect(con).get_table_names()) == {"codedesk_meta", "sessions", "events"}
        assert con.execute(sa.text("SELECT value FROM codedesk_meta")).scalars().all() == ["1"]
    engine.dispose()
    if backend == "sqlite":
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    monkeypatch.undo()
    store = SqlStore(url)  # the real migration still runs afterwards
    assert store.schema_version() == 2
    store.close()


def test_interim_v1_with_new_tables_keeps_their_rows(tmp_path: Path) -> None:
    """A store from the build between v1 and v2 (new tables, version still 1) migrates cleanly."""
    url = f"sqlite:///{tmp_path / 'interim.sqlite3'}"
    engine = sa.create_engine(url)
    with engine.begin() as con:
        for ddl in V1_DDL["sqlite"]:
            con.exec_driver_sql(ddl)
        con.exec_driver_sql("CREATE TABLE trainees (name VARCHAR(128) PRIMARY KEY, cohort VARCHAR)")
        con.exec_driver_sql(
            "CREATE TABLE charts_served (session_id VARCHAR(64), chart_id VARCHAR(64), "
            "position INTEGER NOT NULL, case_id VARCHAR(64) NOT NULL, seed BIGINT NOT NULL, "
            "PRIMARY KEY (session_id, chart_id))"
        )
        con.exec_driver_sql("INSERT INTO codedesk_meta VALUES ('schema_version', '1')")
        con.exec_driver_sql(
            "INSERT INTO sessions VALUES ('s-1', 'ann', 'starter', '1', 'practice', 5, "
            "'2026-11-24 08:00:00.000000', NULL)"
        )
        con.exec_driver_sql(
            "INSERT INTO events VALUES ('s-1', 1, '2026-11-24 08:00:00.000000', "
            """'session_started', '{"charts": ["x#5", "y#5"]}')"""
        )
        con.exec_driver_sql("INSERT INTO trainees VALUES ('ann', 'cohort-7')")
        con.exec_driver_sql("INSERT INTO charts_served VALUES ('s-1', 'y#5', 0, 'y', 5)")
    engine.dispose()
    store = SqlStore(url)
    assert store.trainees() == [{"trainee": "ann", "cohort": "cohort-7"}]
    assert store.served("s-1") == [("y#5", "y", 5)]  # what the interim build recorded stays
    assert "charts served filled for 0 sessions" in store.meta()["migration.2"]
    store.close()


def test_openers_racing_on_a_v1_store_migrate_it_once(
    v1_url: tuple[str, str, dict[str, list[dict[str, Any]]]],
) -> None:
    url, _backend, _rows = v1_url
    opened: list[SqlStore] = []
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            opened.append(SqlStore(url))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(len(store.migrated) for store in opened) == [0, 0, 1]
    assert len(opened[0].trainees()) == 2
    for store in opened:
        store.close()


def test_every_version_has_one_migration() -> None:
    assert [m.version for m in schema.MIGRATIONS] == list(range(2, schema.SCHEMA_VERSION + 1))


def test_chart_ids_carry_case_and_seed() -> None:
    assert schema.parse_chart_id("ip-chf-exacerbation#3") == ("ip-chf-exacerbation", 3)
    assert schema.parse_chart_id("odd#case#12") == ("odd#case", 12)
    assert schema.parse_chart_id("no-seed") is None
    assert schema.parse_chart_id("case#x1") is None
