"""The SQL store: every action is an event, committed the moment it happens."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from simulator.store.base import Event, ManualCredit

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


trainees = sa.Table(
    "trainees",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("cohort", sa.String(128), nullable=True),
)

charts_served = sa.Table(
    "charts_served",
    metadata,
    sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("chart_id", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("case_id", sa.String(64), nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
)

grades = sa.Table(
    "grades",
    metadata,
    sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("chart_id", sa.String(64), primary_key=True),
    sa.Column("case_id", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("grade", sa.Text, nullable=False),
)

manual_credits = sa.Table(
    "manual_credits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), nullable=False),
    sa.Column("chart_id", sa.String(64), nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("credit", sa.Float, nullable=False),
    sa.Column("original", sa.Float, nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("by", sa.String(128), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)


def _utc(value: datetime | None) -> datetime | None:
    """Return a stored time as an aware UTC datetime (SQLite drops the zone)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


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
        """Record a new session (and its trainee, the first time they are seen)."""
        with self.engine.begin() as con:
            known = con.execute(
                sa.select(trainees.c.name).where(trainees.c.name == trainee)
            ).scalar()
            if known is None:
                con.execute(trainees.insert().values(name=trainee, cohort=None))
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

    def serve_charts(self, session_id: str, charts: list[tuple[str, str, int]]) -> None:
        """Record the charts a session's queue was given."""
        with self.engine.begin() as con:
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
        with self.engine.connect() as con:
            rows = con.execute(
                sa.select(charts_served.c.chart_id, charts_served.c.case_id, charts_served.c.seed)
                .where(charts_served.c.session_id == session_id)
                .order_by(charts_served.c.position)
            ).fetchall()
        return [(r.chart_id, r.case_id, int(r.seed)) for r in rows]

    def end_session(self, session_id: str, at: datetime) -> None:
        """Record the session's end."""
        with self.engine.begin() as con:
            con.execute(sessions.update().where(sessions.c.id == session_id).values(ended_at=at))

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
        with self.engine.connect() as con:
            rows = con.execute(query).fetchall()
        found = []
        for row in rows:
            info = dict(row._mapping)
            info["started_at"] = _utc(info["started_at"])
            info["ended_at"] = _utc(info["ended_at"])
            found.append(info)
        return found

    def set_cohort(self, trainee: str, cohort: str | None) -> None:
        """Put a trainee in a cohort; creates the trainee when unknown."""
        with self.engine.begin() as con:
            done = con.execute(
                trainees.update().where(trainees.c.name == trainee).values(cohort=cohort)
            ).rowcount
            if not done:
                con.execute(trainees.insert().values(name=trainee, cohort=cohort))

    def trainees(self, cohort: str | None = None) -> list[dict[str, Any]]:
        """Return the trainees and their cohorts, by name."""
        query = sa.select(trainees).order_by(trainees.c.name)
        if cohort is not None:
            query = query.where(trainees.c.cohort == cohort)
        with self.engine.connect() as con:
            rows = con.execute(query).fetchall()
        return [{"trainee": r.name, "cohort": r.cohort} for r in rows]

    def record_grade(
        self, session_id: str, chart_id: str, case_id: str, at: datetime, grade: dict[str, Any]
    ) -> None:
        """Keep a chart's de-identified grade; a second call for the chart replaces it."""
        body = json.dumps(grade, sort_keys=True)
        with self.engine.begin() as con:
            con.execute(
                grades.delete().where(
                    grades.c.session_id == session_id, grades.c.chart_id == chart_id
                )
            )
            con.execute(
                grades.insert().values(
                    session_id=session_id, chart_id=chart_id, case_id=case_id, at=at, grade=body
                )
            )

    def grades(self, session_id: str) -> dict[str, dict[str, Any]]:
        """Return a session's grades by chart id."""
        with self.engine.connect() as con:
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
        with self.engine.begin() as con:
            new_id = con.execute(
                manual_credits.insert().values(
                    session_id=session_id,
                    chart_id=chart_id,
                    line=line,
                    credit=credit,
                    original=original,
                    comment=comment,
                    by=by,
                    at=at,
                )
            ).inserted_primary_key
        assert new_id is not None
        return ManualCredit(
            int(new_id[0]), session_id, chart_id, line, credit, original, comment, by, at
        )

    def credits(self, session_id: str) -> list[ManualCredit]:
        """Return a session's manual credits in the order they were given."""
        with self.engine.connect() as con:
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
                _utc(r.at) or r.at,
            )
            for r in rows
        ]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turn on WAL and foreign keys for every SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
