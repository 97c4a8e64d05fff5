"""The SQL store: every action is an event, committed the moment it happens.

SQLite (a file, WAL mode) or PostgreSQL (`postgresql+psycopg://`). Opening checks what the
database holds before writing anything: a damaged file, another program's database or a
newer schema is refused with a StoreError and left untouched; an older CodeDesk store is
migrated in one transaction (simulator.store.schema). Every driver error on the way is turned
into a StoreError that says what went wrong, where, and what to do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from simulator.store import schema
from simulator.store.base import Event, ManualCredit, StoreError
from simulator.store.diagnose import (
    DAMAGED_ADVICE,
    bad_url,
    check_sqlite_file,
    refuse_unusable,
    translate,
)
from simulator.store.schema import (
    SCHEMA_VERSION,
    charts_served,
    events,
    grades,
    manual_credits,
    meta_table,
    metadata,
    sessions,
    trainees,
)

__all__ = [
    "SCHEMA_VERSION",
    "SqlStore",
    "charts_served",
    "events",
    "grades",
    "manual_credits",
    "meta_table",
    "metadata",
    "sessions",
    "trainees",
]

BUSY_SECONDS = 30.0
"""How long a SQLite write waits for another process's write to finish before giving up."""

_MIGRATION_LOCK = 0x636F_6465_6465_736B  # "codedesk": the PostgreSQL advisory lock key


def normalise_url(url: str) -> sa.URL:
    """Parse a database URL; a bare postgresql:// (or postgres://) URL means psycopg 3."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise bad_url(repr(url), "it is not a database URL") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise bad_url(
            parsed.render_as_string(hide_password=True),
            f"CodeDesk stores sessions in SQLite or PostgreSQL, not {parsed.get_backend_name()}",
        )
    return parsed


def _utc(value: datetime) -> datetime:
    """Return a time as an aware UTC datetime (SQLite keeps no zone; it is stored as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _stored(value: datetime) -> datetime:
    """Return the UTC time to store, so SQLite's zone-less text means the same everywhere."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC)


class SqlStore:
    """A store over a SQLite file or a PostgreSQL database (any SQLAlchemy URL of the two)."""

    def __init__(self, url: str, *, busy_seconds: float = BUSY_SECONDS) -> None:
        """Open the database, refuse one that is not a usable CodeDesk store, create or migrate.

        Raises StoreError (never a driver's exception) with the file or URL in its message;
        a refused database is left byte for byte as it was.
        """
        parsed = normalise_url(url)
        self.url = parsed
        """The database URL (bare postgresql:// made explicit as postgresql+psycopg://)."""
        self.busy_seconds = busy_seconds
        """How long a SQLite write waits for a lock held by another process."""
        self.path: Path | None = None
        """The SQLite file, or None (PostgreSQL, or SQLite in memory)."""
        self.location = parsed.render_as_string(hide_password=True)
        """Where the data is, for messages: the file path or the URL without its password."""
        self.dialect = parsed.get_backend_name()
        """"sqlite" or "postgresql"."""
        database = parsed.database or ""
        if self.dialect == "sqlite" and database not in ("", ":memory:"):
            if database.startswith("file:"):
                raise bad_url(self.location, "SQLite URI file names are not supported")
            self.path = Path(database).expanduser().absolute()
            parsed = parsed.set(database=str(self.path))
            self.url = parsed
            self.location = str(self.path)
            check_sqlite_file(self.path, self.location)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"its folder cannot be created ({exc.strerror or exc})",
                    location=self.location,
                    advice="Create the folder or set database_url (or CODEDESK_DATABASE_URL) "
                    "to a file in a folder you may write to",
                ) from exc
        try:
            if self.dialect == "sqlite":
                self.engine = sa.create_engine(parsed, connect_args={"timeout": busy_seconds})
                sa.event.listen(self.engine, "connect", _sqlite_connect)
                sa.event.listen(self.engine, "begin", _sqlite_begin)
            else:
                self.engine = sa.create_engine(parsed, pool_pre_ping=True)
        except ImportError as exc:
            raise bad_url(self.location, f"its driver is not installed ({exc})") from exc
        except sa.exc.ArgumentError as exc:
            raise bad_url(self.location, str(exc)) from exc
        self._writer = self.engine.execution_options(codedesk_write=True)
        """The engine for writes: on SQLite they take the write lock up front (BEGIN IMMEDIATE)."""
        self.migrated: list[str] = []
        """The migration steps run while opening (empty when the store was current or new)."""
        try:
            self._open()
        except BaseException:
            self.engine.dispose()
            raise

    def close(self) -> None:
        """Close every pooled connection (a SQLite file then folds its WAL back in)."""
        self.engine.dispose()

    @contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        """Turn a driver's exception raised while `doing` something into a StoreError."""
        try:
            yield
        except sa.exc.DBAPIError as exc:
            folder = self.path.parent if self.path is not None else None
            raise translate(exc, self.location, doing, self.busy_seconds, folder) from exc

    @contextmanager
    def _write(self, doing: str) -> Iterator[sa.Connection]:
        """A write transaction: committed whole when the block ends, rolled back on any error."""
        with self._guard(doing), self._writer.begin() as con:
            yield con

    @contextmanager
    def _read(self, doing: str) -> Iterator[sa.Connection]:
        """A read-only connection."""
        with self._guard(doing), self.engine.connect() as con:
            yield con

    def _open(self) -> None:
        """Look at the database, then create it, migrate it, or leave it as it is."""
        with self._read("opening the store") as con:
            found = schema.look(con)
        refuse_unusable(found, self.location)
        if found.version != SCHEMA_VERSION:
            with self._write("preparing the store") as con:
                if self.dialect == "postgresql":
                    con.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
                found = schema.look(con)  # again, under the lock: another process may be first
                refuse_unusable(found, self.location)
                if found.empty:
                    schema.create(con)
                elif found.version is not None and found.version < SCHEMA_VERSION:
                    self._check_integrity(con)
                    self.migrated = schema.migrate(con, found.version)
        if self.path is not None:
            with self._guard("switching the file to WAL mode"):
                raw = self.engine.raw_connection()  # outside any transaction, as WAL needs
                try:
                    cursor = raw.cursor()
                    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                        cursor.execute("PRAGMA journal_mode=WAL")
                    cursor.close()
                finally:
                    raw.close()

    def _check_integrity(self, con: sa.Connection) -> None:
        """Refuse to migrate a SQLite file whose pages are damaged."""
        if self.dialect != "sqlite":
            return
        problems = [str(row[0]) for row in con.exec_driver_sql("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            raise StoreError(
                f"the file is damaged ({'; '.join(problems)})",
                location=self.location,
                advice=DAMAGED_ADVICE,
            )

    def _insert(self, table: sa.Table) -> Any:
        """An INSERT that knows ON CONFLICT (both dialects spell it the same way)."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(table)
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)

    def schema_version(self) -> int:
        """Return the schema version recorded in the database."""
        with self._read("reading the schema version") as con:
            value = con.execute(
                sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")
            ).scalar()
        return int(str(value))

    def meta(self) -> dict[str, str]:
        """Return every codedesk_meta entry (schema version, creation, migrations)."""
        with self._read("reading codedesk_meta") as con:
            rows = con.execute(sa.select(meta_table)).fetchall()
        return {str(r.key): str(r.value) for r in rows}

    def create_session(
        self,
        session_id: str,
        *,
        trainee: str,
        pack_id: str,
        pack_version: str,
        mode: str,
        seed: int,
        started_at: datetime,
    ) -> None:
        """Record a new session (and its trainee, the first time they are seen)."""
        with self._write("recording a new session") as con:
            con.execute(
                self._insert(trainees)
                .values(name=trainee, cohort=None)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            con.execute(
                sessions.insert().values(
                    id=session_id,
                    trainee=trainee,
                    pack_id=pack_id,
                    pack_version=pack_version,
                    mode=mode,
                    seed=seed,
                    started_at=_stored(started_at),
                )
            )

    def append(self, session_id: str, at: datetime, kind: str, payload: dict[str, Any]) -> Event:
        """Commit one event in its own transaction, numbered one past the session's last.

        Appends to one session from several processes stay gap-free and unique: SQLite takes
        the write lock before reading the last number (BEGIN IMMEDIATE, waiting up to
        busy_seconds), PostgreSQL locks the session's row (SELECT ... FOR UPDATE).
        """
        body = json.dumps(payload, sort_keys=True)
        with self._write("saving an event") as con:
            if self.dialect == "postgresql":
                # Lock the session's row, then number and insert in one round trip.
                con.execute(
                    sa.select(sessions.c.id).where(sessions.c.id == session_id).with_for_update()
                )
                next_seq = sa.select(
                    sa.literal(session_id, sa.String()),
                    sa.func.coalesce(sa.func.max(events.c.seq), 0) + 1,
                    sa.literal(_stored(at), sa.DateTime(timezone=True)),
                    sa.literal(kind, sa.String()),
                    sa.literal(body, sa.Text()),
                ).where(events.c.session_id == session_id)
                seq = con.execute(
                    events.insert()
                    .from_select(["session_id", "seq", "at", "kind", "payload"], next_seq)
                    .returning(events.c.seq)
                ).scalar_one()
            else:
                last = con.execute(
                    sa.select(sa.func.max(events.c.seq)).where(events.c.session_id == session_id)
                ).scalar()
                seq = int(last or 0) + 1
                con.execute(
                    events.insert().values(
                        session_id=session_id, seq=seq, at=_stored(at), kind=kind, payload=body
                    )
                )
        return Event(session_id, int(seq), at, kind, json.loads(body))

    def events(self, session_id: str) -> list[Event]:
        """Return a session's events in order."""
        with self._read("reading the events") as con:
            rows = con.execute(
                sa.select(events).where(events.c.session_id == session_id).order_by(events.c.seq)
            ).fetchall()
        return [Event(r.session_id, r.seq, _utc(r.at), r.kind, json.loads(r.payload)) for r in rows]

    def session_info(self, session_id: str) -> dict[str, Any] | None:
        """Return what was recorded when the session started (and ended_at)."""
        with self._read("reading a session") as con:
            row = con.execute(sa.select(sessions).where(sessions.c.id == session_id)).first()
        if row is None:
            return None
        return self._session_dict(row)

    @staticmethod
    def _session_dict(row: sa.Row[Any]) -> dict[str, Any]:
        """A sessions row as a dict with aware UTC times."""
        info = dict(row._mapping)
        info["started_at"] = _utc(info["started_at"])
        if info["ended_at"] is not None:
            info["ended_at"] = _utc(info["ended_at"])
        return info

    def latest_session(self, trainee: str, pack_id: str) -> str | None:
        """Return the id of the trainee's most recently started session on a pack."""
        with self._read("finding the latest session") as con:
            found = con.execute(
                sa.select(sessions.c.id)
                .where(sessions.c.trainee == trainee, sessions.c.pack_id == pack_id)
                .order_by(sessions.c.started_at.desc(), sessions.c.id.desc())
                .limit(1)
            ).scalar()
        return str(found) if found is not None else None

    def serve_charts(self, session_id: str, charts: list[tuple[str, str, int]]) -> None:
        """Record the charts a session's queue was given (a second call replaces the list)."""
        with self._write("recording the charts served") as con:
            con.execute(charts_served.delete().where(charts_served.c.session_id == session_id))
            if charts:
                con.execute(
                    charts_served.insert(),
                    [
                        {
                            "session_id": session_id,
                            "chart_id": chart_id,
                            "position": i,
                            "case_id": case_id,
                            "seed": seed,
                        }
                        for i, (chart_id, case_id, seed) in enumerate(charts)
                    ],
                )

    def served(self, session_id: str) -> list[tuple[str, str, int]]:
        """Return the charts a session was given, in queue order."""
        with self._read("reading the charts served") as con:
            rows = con.execute(
                sa.select(charts_served.c.chart_id, charts_served.c.case_id, charts_served.c.seed)
                .where(charts_served.c.session_id == session_id)
                .order_by(charts_served.c.position)
            ).fetchall()
        return [(r.chart_id, r.case_id, int(r.seed)) for r in rows]

    def end_session(self, session_id: str, at: datetime) -> None:
        """Record the session's end."""
        with self._write("recording the end of the session") as con:
            con.execute(
                sessions.update().where(sessions.c.id == session_id).values(ended_at=_stored(at))
            )

    def sessions(
        self, trainee: str | None = None, cohort: str | None = None
    ) -> list[dict[str, Any]]:
        """Return the sessions, oldest first, of one trainee or one cohort if asked."""
        query = sa.select(sessions).order_by(sessions.c.started_at, sessions.c.id)
        if trainee is not None:
            query = query.where(sessions.c.trainee == trainee)
        if cohort is not None:
            members = sa.select(trainees.c.name).where(trainees.c.cohort == cohort)
            query = query.where(sessions.c.trainee.in_(members))
        with self._read("listing sessions") as con:
            rows = con.execute(query).fetchall()
        return [self._session_dict(row) for row in rows]

    def set_cohort(self, trainee: str, cohort: str | None) -> None:
        """Put a trainee in a cohort; creates the trainee when unknown."""
        statement = self._insert(trainees).values(name=trainee, cohort=cohort)
        statement = statement.on_conflict_do_update(
            index_elements=["name"], set_={"cohort": statement.excluded.cohort}
        )
        with self._write("setting a cohort") as con:
            con.execute(statement)

    def trainees(self, cohort: str | None = None) -> list[dict[str, Any]]:
        """Return the trainees and their cohorts, by name."""
        query = sa.select(trainees).order_by(trainees.c.name)
        if cohort is not None:
            query = query.where(trainees.c.cohort == cohort)
        with self._read("listing trainees") as con:
            rows = con.execute(query).fetchall()
        return [{"trainee": r.name, "cohort": r.cohort} for r in rows]

    def record_grade(
        self, session_id: str, chart_id: str, case_id: str, at: datetime, grade: dict[str, Any]
    ) -> None:
        """Keep a chart's de-identified grade; a second call for the chart replaces it."""
        body = json.dumps(grade, sort_keys=True)
        statement = self._insert(grades).values(
            session_id=session_id, chart_id=chart_id, case_id=case_id, at=_stored(at), grade=body
        )
        statement = statement.on_conflict_do_update(
            index_elements=["session_id", "chart_id"],
            set_={
                "case_id": statement.excluded.case_id,
                "at": statement.excluded.at,
                "grade": statement.excluded.grade,
            },
        )
        with self._write("saving a grade") as con:
            con.execute(statement)

    def grades(self, session_id: str) -> dict[str, dict[str, Any]]:
        """Return a session's grades by chart id."""
        with self._read("reading grades") as con:
            rows = con.execute(
                sa.select(grades).where(grades.c.session_id == session_id)
            ).fetchall()
        return {
            r.chart_id: {"case_id": r.case_id, "at": _utc(r.at), "grade": json.loads(r.grade)}
            for r in rows
        }

    def add_credit(
        self,
        session_id: str,
        chart_id: str,
        line: int,
        *,
        credit: float,
        original: float,
        comment: str,
        by: str,
        at: datetime,
    ) -> ManualCredit:
        """Append a trainer's manual credit on one graded line."""
        with self._write("saving a manual credit") as con:
            new_id = con.execute(
                manual_credits.insert()
                .values(
                    session_id=session_id,
                    chart_id=chart_id,
                    line=line,
                    credit=credit,
                    original=original,
                    comment=comment,
                    by=by,
                    at=_stored(at),
                )
                .returning(manual_credits.c.id)
            ).scalar_one()
        return ManualCredit(
            int(new_id), session_id, chart_id, line, credit, original, comment, by, at
        )

    def credits(self, session_id: str) -> list[ManualCredit]:
        """Return a session's manual credits in the order they were given."""
        with self._read("reading manual credits") as con:
            rows = con.execute(
                sa.select(manual_credits)
                .where(manual_credits.c.session_id == session_id)
                .order_by(manual_credits.c.id)
            ).fetchall()
        return [
            ManualCredit(
                r.id,
                r.session_id,
                r.chart_id,
                r.line,
                r.credit,
                r.original,
                r.comment,
                r.by,
                _utc(r.at),
            )
            for r in rows
        ]


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Set up each SQLite connection: SQLAlchemy issues BEGIN itself; foreign keys on.

    The driver's own implicit transactions are turned off (isolation_level None) so that
    `_sqlite_begin` can choose BEGIN or BEGIN IMMEDIATE, and so DDL runs inside transactions.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    """Start a SQLite transaction; a write takes the write lock at once (BEGIN IMMEDIATE).

    Taking it up front means two processes never both read the last event number and then
    race for the lock: the second waits (busy timeout) and reads after the first commits.
    """
    write = connection.get_execution_options().get("codedesk_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
