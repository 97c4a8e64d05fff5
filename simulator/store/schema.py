"""The store's tables, its schema version, and the numbered migrations from older versions.

A new database is created at SCHEMA_VERSION directly. An older one is brought up to date by
running every migration whose number is above its version, in order, in one transaction:
either all of them are applied and recorded in `codedesk_meta`, or the database is unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

SCHEMA_VERSION = 2
"""The version this CodeDesk writes; it reads nothing newer."""

metadata = sa.MetaData()

# Strings are unbounded: SQLite ignores lengths anyway, and on PostgreSQL a case id may be
# 64 characters, so a chart id ("case#seed") can be longer than the 64 that v1 declared.
meta_table = sa.Table(
    "codedesk_meta",
    metadata,
    sa.Column("key", sa.String(), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(), primary_key=True),
    sa.Column("trainee", sa.String(), nullable=False),
    sa.Column("pack_id", sa.String(), nullable=False),
    sa.Column("pack_version", sa.String(), nullable=False),
    sa.Column("mode", sa.String(), nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
)

sessions_by_trainee = sa.Index(
    "ix_sessions_trainee_pack", sessions.c.trainee, sessions.c.pack_id, sessions.c.started_at
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("session_id", sa.String(), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
)

trainees = sa.Table(
    "trainees",
    metadata,
    sa.Column("name", sa.String(), primary_key=True),
    sa.Column("cohort", sa.String(), nullable=True),
)

charts_served = sa.Table(
    "charts_served",
    metadata,
    sa.Column("session_id", sa.String(), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("chart_id", sa.String(), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("case_id", sa.String(), nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
)

grades = sa.Table(
    "grades",
    metadata,
    sa.Column("session_id", sa.String(), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("chart_id", sa.String(), primary_key=True),
    sa.Column("case_id", sa.String(), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("grade", sa.Text, nullable=False),
)

manual_credits = sa.Table(
    "manual_credits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("session_id", sa.String(), sa.ForeignKey("sessions.id"), nullable=False),
    sa.Column("chart_id", sa.String(), nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("credit", sa.Float, nullable=False),
    sa.Column("original", sa.Float, nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("by", sa.String(), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

OWN_TABLES = frozenset(metadata.tables)
"""Every table a CodeDesk store may hold (v1 had codedesk_meta, sessions and events)."""


def parse_chart_id(chart_id: str) -> tuple[str, int] | None:
    """Split a rendered chart id ("case-id#seed", see charts.render) into case id and seed."""
    case_id, sep, seed = chart_id.rpartition("#")
    if not sep or not case_id or not seed.isdigit():
        return None
    return case_id, int(seed)


def _v1_to_v2(con: sa.Connection) -> str:
    """Add trainees, charts_served, grades and manual_credits, filled from the v1 data.

    Trainees come from the sessions (no cohort yet); the charts each session was served come
    from its `session_started` event, whose chart ids carry the case id and the seed. Grades
    and manual credits did not exist in v1 and start empty (a resumed session re-grades its
    submitted charts from the event log). Tables that an interim build already created are
    kept and only filled where empty.
    """
    present = set(sa.inspect(con).get_table_names())
    for table in (trainees, charts_served, grades, manual_credits):
        if table.name not in present:
            table.create(con)
    index_names = {ix["name"] for ix in sa.inspect(con).get_indexes("sessions")}
    if sessions_by_trainee.name not in index_names:
        sessions_by_trainee.create(con)

    known = set(con.execute(sa.select(trainees.c.name)).scalars())
    names = sorted(set(con.execute(sa.select(sessions.c.trainee).distinct()).scalars()) - known)
    if names:
        con.execute(trainees.insert(), [{"name": name, "cohort": None} for name in names])

    already = set(con.execute(sa.select(charts_served.c.session_id).distinct()).scalars())
    first_started = (
        sa.select(events.c.session_id, sa.func.min(events.c.seq).label("seq"))
        .where(events.c.kind == "session_started")
        .group_by(events.c.session_id)
        .subquery()
    )
    rows = con.execute(
        sa.select(events.c.session_id, events.c.payload).join(
            first_started,
            sa.and_(
                events.c.session_id == first_started.c.session_id,
                events.c.seq == first_started.c.seq,
            ),
        )
    ).fetchall()
    filled = skipped = 0
    served: list[dict[str, Any]] = []
    for session_id, payload in rows:
        if session_id in already:
            continue
        parsed = _served_from_payload(payload)
        if parsed is None:
            skipped += 1
            continue
        filled += 1
        served += [
            {
                "session_id": session_id,
                "chart_id": chart_id,
                "position": position,
                "case_id": case_id,
                "seed": seed,
            }
            for position, (chart_id, case_id, seed) in enumerate(parsed)
        ]
    if served:
        con.execute(charts_served.insert(), served)
    note = f"{len(names)} trainees added; charts served filled for {filled} sessions"
    if skipped:
        note += (
            f", left empty for {skipped} session(s) whose session_started event has no chart "
            "ids of the form case#seed"
        )
    return note


def _served_from_payload(payload: str) -> list[tuple[str, str, int]] | None:
    """Read the (chart_id, case_id, seed) list from a v1 `session_started` payload, or None."""
    try:
        charts = json.loads(payload).get("charts")
    except (ValueError, AttributeError):
        return None
    if not isinstance(charts, list) or not all(isinstance(c, str) for c in charts):
        return None
    found: list[tuple[str, str, int]] = []
    for chart_id in dict.fromkeys(charts):
        parsed = parse_chart_id(chart_id)
        if parsed is None:
            return None
        found.append((chart_id, *parsed))
    return found


@dataclass(frozen=True)
class Migration:
    """One step up the schema: from version - 1 to version."""

    version: int
    """The version the database has after this step."""
    title: str
    """What the step does, as recorded in codedesk_meta."""
    apply: Callable[[sa.Connection], str]
    """Does the step inside the caller's transaction; returns a short note for the record."""


MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "trainees, charts served, grades and manual credits", _v1_to_v2),
)
"""Every migration, in order; the last one's version is SCHEMA_VERSION."""


def create(con: sa.Connection) -> None:
    """Create every table of an empty database at SCHEMA_VERSION, inside the caller's transaction."""
    metadata.create_all(con)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    con.execute(
        meta_table.insert(),
        [
            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            {"key": "created_at", "value": now},
        ],
    )


def migrate(con: sa.Connection, found: int) -> list[str]:
    """Apply every migration above version `found` inside the caller's transaction.

    Each step is recorded as `migration.N` in codedesk_meta ("when; what; note"), and
    schema_version is set last. Returns the recorded lines.
    """
    done: list[str] = []
    for step in MIGRATIONS:
        if step.version <= found:
            continue
        note = step.apply(con)
        line = f"{datetime.now(UTC).isoformat(timespec='seconds')}; {step.title}; {note}"
        _put(con, f"migration.{step.version}", line)
        done.append(line)
    _put(con, "schema_version", str(SCHEMA_VERSION))
    return done


def _put(con: sa.Connection, key: str, value: str) -> None:
    """Set one codedesk_meta entry."""
    con.execute(meta_table.delete().where(meta_table.c.key == key))
    con.execute(meta_table.insert().values(key=key, value=value))


@dataclass(frozen=True)
class Found:
    """What an existing database holds, read without changing anything."""

    tables: frozenset[str]
    """The tables in the database (in the current schema, on PostgreSQL)."""
    version: int | None
    """The schema version recorded in codedesk_meta; None when there is none."""
    raw_version: str | None
    """The schema_version value as stored, when it is not a number."""

    @property
    def empty(self) -> bool:
        """True when the database holds no table at all."""
        return not self.tables


def look(con: sa.Connection) -> Found:
    """Read which tables exist and which schema version is recorded."""
    tables = frozenset(sa.inspect(con).get_table_names())
    if meta_table.name not in tables:
        return Found(tables, None, None)
    raw = con.execute(
        sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")
    ).scalar()
    if raw is None:
        # v1 created its tables first and recorded its version in a second step; a v1 run
        # stopped in between left no version, and v1 itself would have written 1 next time.
        return Found(tables, 1, None)
    text = str(raw).strip()
    if not text.isdigit():
        return Found(tables, None, text)
    return Found(tables, int(text), None)
