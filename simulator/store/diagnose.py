"""Turn what can go wrong with a database into a StoreError that says what, where and what to do.

Two kinds of check: a look at a SQLite file's header before SQLite opens it (so a damaged or
foreign file is refused without SQLite writing anything), and a translation of the drivers'
exceptions (sqlite3, psycopg) raised while the store works.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa

from simulator.store.base import StoreError
from simulator.store.schema import OWN_TABLES, SCHEMA_VERSION, Found, meta_table

SQLITE_MAGIC = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite 3 database file."""

UNCHANGED = "CodeDesk has not changed it"
DAMAGED_ADVICE = (
    f"{UNCHANGED}. Restore it from a backup (docs/STORE.md, Backups), or move it away and "
    "start again to begin an empty store"
)
ELSEWHERE = "or set database_url in the config file (or CODEDESK_DATABASE_URL) to another file"
URL_ADVICE = (
    "Use sqlite:///PATH/TO/FILE.sqlite3 or postgresql+psycopg://USER:PASSWORD@HOST/DATABASE "
    "as database_url (config file) or CODEDESK_DATABASE_URL"
)


def check_sqlite_file(path: Path, location: str) -> None:
    """Refuse a file that is not a whole SQLite database, reading its header only.

    A missing or empty file is fine (SQLite makes an empty database of it). A file whose
    header is not SQLite's, or that is shorter than its header says, is refused; the file
    is opened read-only, so its bytes stay as they were.
    """
    if path.is_dir():
        raise StoreError(
            "this is a folder, not a database file",
            location=location,
            advice=f"Name a file inside it, {ELSEWHERE}",
        )
    try:
        size = path.stat().st_size
        if size == 0:
            return
        with path.open("rb") as handle:
            head = handle.read(100)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(
            f"the file cannot be read ({exc.strerror or exc})",
            location=location,
            advice=f"Give your user read and write access to it, {ELSEWHERE}",
        ) from exc
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        raise StoreError(
            "the file is not a SQLite database (damaged, or some other kind of file)",
            location=location,
            advice=DAMAGED_ADVICE,
        )
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise StoreError(
            "the file's SQLite header is damaged", location=location, advice=DAMAGED_ADVICE
        )
    pages = int.from_bytes(head[28:32], "big")
    header_is_current = head[24:28] == head[92:96]
    wal = path.with_name(path.name + "-wal")
    wal_holds_pages = wal.exists() and wal.stat().st_size > 0
    if pages and header_is_current and not wal_holds_pages and size < pages * page_size:
        raise StoreError(
            f"the file is truncated: it has {size:,} bytes where its header says "
            f"{pages * page_size:,}",
            location=location,
            advice=DAMAGED_ADVICE,
        )


def refuse_unusable(found: Found, location: str) -> None:
    """Raise a StoreError when an existing database is not a CodeDesk store this version reads."""
    if found.empty:
        return
    if meta_table.name not in found.tables:
        others = sorted(found.tables - OWN_TABLES) or sorted(found.tables)
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        raise StoreError(
            f"this database belongs to another program (its tables: {shown}; no codedesk_meta)",
            location=location,
            advice=(
                f"{UNCHANGED}. Give CodeDesk a database of its own: an unused file, or on "
                "PostgreSQL an empty database or schema (docs/STORE.md)"
            ),
        )
    if found.version is None:
        raise StoreError(
            f"codedesk_meta records schema version {found.raw_version!r}, which is not a number",
            location=location,
            advice=DAMAGED_ADVICE,
        )
    if found.version > SCHEMA_VERSION:
        raise StoreError(
            f"the store was written by a newer CodeDesk (schema version {found.version}; this "
            f"one reads up to {SCHEMA_VERSION})",
            location=location,
            advice=(
                f"{UNCHANGED}. Upgrade CodeDesk (pip install --upgrade codedesk), or use another "
                "database with this version"
            ),
        )
    if found.version < 1:
        raise StoreError(
            f"codedesk_meta records schema version {found.version}, which never existed",
            location=location,
            advice=DAMAGED_ADVICE,
        )


def bad_url(url: str, reason: str) -> StoreError:
    """The error for a database URL that cannot even be tried."""
    return StoreError(
        f"this database URL cannot be used: {reason}", location=url, advice=URL_ADVICE
    )


def translate(
    exc: sa.exc.DBAPIError,
    location: str,
    doing: str,
    busy_seconds: float,
    folder: Path | None = None,
) -> StoreError:
    """Describe a driver's exception raised while `doing` something (e.g. "saving an event").

    `folder` is where a SQLite file lives: an I/O error there with no free space left is a
    full disk (SQLite reports one as SQLITE_IOERR when it cannot even create its -shm file).
    """
    orig = exc.orig
    detail = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    if name.startswith("SQLITE_IOERR") and folder is not None and _no_space(folder):
        name = "SQLITE_FULL"
    if name:
        return _sqlite(name, detail, location, doing, busy_seconds)
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is not None or type(orig).__module__.startswith("psycopg"):
        return _postgres(sqlstate, detail, exc, location, doing)
    return StoreError(
        f"{doing} failed: {detail}", location=location, advice="Nothing was saved by that step"
    )


def _no_space(folder: Path) -> bool:
    """True when the disk holding `folder` has (almost) no space left for this user."""
    try:
        return shutil.disk_usage(folder).free < 64 * 1024
    except OSError:
        return False


def _sqlite(name: str, detail: str, location: str, doing: str, busy_seconds: float) -> StoreError:
    """Describe a SQLite error by its result-code name (sqlite3.Error.sqlite_errorname)."""
    if name == "SQLITE_FULL":
        return StoreError(
            f"the disk is full (or the database reached its size limit): {doing} failed and "
            "nothing of it was written",
            location=location,
            advice=(
                "Free some disk space, then start again with --resume to go on where you "
                "stopped; everything saved before is intact"
            ),
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return StoreError(
            f"the database stayed locked by another program for {busy_seconds:g} s while {doing}",
            location=location,
            advice=(
                "Close the other program that holds it (another CodeDesk, a database browser) "
                "and try again; nothing was saved by that step"
            ),
        )
    if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB":
        return StoreError(
            f"the file is damaged ({detail})", location=location, advice=DAMAGED_ADVICE
        )
    if name.startswith("SQLITE_READONLY"):
        return StoreError(
            f"the file cannot be written (read-only) while {doing}",
            location=location,
            advice=f"Give your user write access to the file and its folder, {ELSEWHERE}",
        )
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return StoreError(
            f"the file cannot be opened ({detail})",
            location=location,
            advice=f"Check that its folder exists and that your user may write there, {ELSEWHERE}",
        )
    if name.startswith("SQLITE_IOERR"):
        return StoreError(
            f"the disk reported an input/output error while {doing} ({name})",
            location=location,
            advice="Check the disk (space, permissions, a removed drive) and try again",
        )
    if name.startswith("SQLITE_CONSTRAINT"):
        return StoreError(
            f"{doing} was refused by the database ({detail})",
            location=location,
            advice="Nothing was saved by that step; this is a bug in CodeDesk, please report it",
        )
    return StoreError(
        f"{doing} failed ({name}: {detail})",
        location=location,
        advice="Nothing was saved by that step",
    )


def _postgres(
    sqlstate: str | None, detail: str, exc: sa.exc.DBAPIError, location: str, doing: str
) -> StoreError:
    """Describe a PostgreSQL error by its SQLSTATE (None: the client could not connect)."""
    check_url = "database_url (config file) or CODEDESK_DATABASE_URL"
    if sqlstate in ("28P01", "28000"):
        return StoreError(
            f"the PostgreSQL server refused the user or password ({detail})",
            location=location,
            advice=f"Check the user and password in {check_url}",
        )
    if sqlstate == "3D000":
        return StoreError(
            f"the database does not exist ({detail})",
            location=location,
            advice=f"Create it (createdb NAME) or fix the database name in {check_url}",
        )
    if sqlstate == "53100":
        return StoreError(
            f"the PostgreSQL server's disk is full, so {doing} failed and was not saved",
            location=location,
            advice=(
                "Ask the database administrator to free space, then start again with --resume; "
                "everything saved before is intact"
            ),
        )
    if sqlstate == "53300":
        return StoreError(
            "the PostgreSQL server has no free connection",
            location=location,
            advice="Try again in a moment, or ask the administrator to raise max_connections",
        )
    if sqlstate == "42501":
        return StoreError(
            f"the database user may not do this ({detail})",
            location=location,
            advice="Grant the user the rights docs/STORE.md lists, or use another user",
        )
    if sqlstate is not None and sqlstate.startswith("23"):
        return StoreError(
            f"{doing} was refused by the database ({detail})",
            location=location,
            advice="Nothing was saved by that step; this is a bug in CodeDesk, please report it",
        )
    if sqlstate is None or sqlstate.startswith("08") or exc.connection_invalidated:
        if "password authentication failed" in detail or "no pg_hba.conf entry" in detail:
            return StoreError(
                f"the PostgreSQL server refused the connection ({detail})",
                location=location,
                advice=f"Check the user and password in {check_url}, or ask the administrator "
                "to allow this user from this machine (pg_hba.conf)",
            )
        if "does not exist" in detail and "database" in detail:
            return StoreError(
                f"the database does not exist ({detail})",
                location=location,
                advice=f"Create it (createdb NAME) or fix the database name in {check_url}",
            )
        lost = "" if doing.startswith("opening") else "; nothing was saved by that step"
        return StoreError(
            f"cannot reach the PostgreSQL server ({detail})",
            location=location,
            advice=(
                f"Check that the server is running and that {check_url} names the right host, "
                f"port and database{lost}"
            ),
        )
    return StoreError(
        f"{doing} failed (SQLSTATE {sqlstate}: {detail})",
        location=location,
        advice="Nothing was saved by that step",
    )
