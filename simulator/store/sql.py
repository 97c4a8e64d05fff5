"""The SQL store: every action is an event, committed the moment it happens."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from simulator.store.base import Event

SCHEMA_VERSION = 1

metadata = sa.MetaData()

meta_table = sa.Table(
    "codedesk_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(256), nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("trainee", sa.String(128), nullable=False),
    sa.Column("pack_id", sa.String(64), nullable=False),
    sa.Column("pack_version", sa.String(32), nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
)


class SqlStore:
    """A store over any SQLAlchemy URL; SQLite files run in WAL mode with foreign keys on."""

    def __init__(self, url: str) -> None:
        """Connect and create the tables when they are missing."""
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(url)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)
        with self.engine.begin() as con:
            found = con.execute(
                sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")
            ).scalar()
            if found is None:
                con.execute(
                    meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION))
                )

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
        """Record a new session."""
        with self.engine.begin() as con:
            con.execute(
                sessions.insert().values(
                    id=session_id,
                    trainee=trainee,
                    pack_id=pack_id,
                    pack_version=pack_version,
                    mode=mode,
                    seed=seed,
                    started_at=started_at,
                )
            )

    def append(self, session_id: str, at: datetime, kind: str, payload: dict[str, Any]) -> Event:
        """Commit one event in its own transaction."""
        body = json.dumps(payload, sort_keys=True)
        with self.engine.begin() as con:
            last = con.execute(
                sa.select(sa.func.max(events.c.seq)).where(events.c.session_id == session_id)
            ).scalar()
            seq = (last or 0) + 1
            con.execute(
                events.insert().values(
                    session_id=session_id, seq=seq, at=at, kind=kind, payload=body
                )
            )
        return Event(session_id, seq, at, kind, json.loads(body))

    def events(self, session_id: str) -> list[Event]:
        """Return a session's events in order."""
        with self.engine.connect() as con:
            rows = con.execute(
                sa.select(events).where(events.c.session_id == session_id).order_by(events.c.seq)
            ).fetchall()
        return [
            Event(
                r.session_id,
                r.seq,
                r.at if r.at.tzinfo is not None else r.at.replace(tzinfo=UTC),
                r.kind,
                json.loads(r.payload),
            )
            for r in rows
        ]

    def session_info(self, session_id: str) -> dict[str, Any] | None:
        """Return what was recorded when the session started."""
        with self.engine.connect() as con:
            row = con.execute(sa.select(sessions).where(sessions.c.id == session_id)).first()
        if row is None:
            return None
        info = dict(row._mapping)
        started = info["started_at"]
        if started is not None and started.tzinfo is None:
            info["started_at"] = started.replace(tzinfo=UTC)
        return info

    def latest_session(self, trainee: str, pack_id: str) -> str | None:
        """Return the most recently started session of a trainee on a pack."""
        with self.engine.connect() as con:
            found = con.execute(
                sa.select(sessions.c.id)
                .where(sessions.c.trainee == trainee, sessions.c.pack_id == pack_id)
                .order_by(sessions.c.started_at.desc())
                .limit(1)
            ).scalar()
        return str(found) if found is not None else None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turn on WAL and foreign keys for every SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
