"""Whatever is wrong with the database, opening or writing it raises a StoreError that says
what, which file and what to do, and the data is left exactly as it was."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import random
import shutil
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from simulator.store import StoreError
from simulator.store.sql import SqlStore
from tests.store.conftest import BACKENDS, database

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def digest(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def siblings(path: Path) -> set[str]:
    """The files next to the database (to see that no -wal or -shm file was left behind)."""
    return {p.name for p in path.parent.iterdir()}


def filled_store(path: Path, events: int = 200) -> None:
    """Write a real store with one session of `events` events, then close it cleanly."""
    store = SqlStore(f"sqlite:///{path}")
    store.create_session(
        "s-1",
        trainee="ann",
        pack_id="starter",
        pack_version="1",
        mode="practice",
        seed=1,
        started_at=T0,
    )
    for i in range(events):
        store.append("s-1", T0 + timedelta(seconds=i), "code_added", {"i": i, "pad": "x" * 200})
    store.close()


def refused(path: Path, *fragments: str) -> StoreError:
    """Open the file, expect a StoreError naming it and saying each fragment; check no change."""
    before, around = digest(path), siblings(path)
    with pytest.raises(StoreError) as caught:
        SqlStore(f"sqlite:///{path}")
    error = caught.value
    message = str(error)
    assert str(path) in message and error.location == str(path)
    for fragment in fragments:
        assert fragment in message
    assert error.advice and message.endswith(error.advice)
    assert digest(path) == before, "the file's bytes changed"
    assert siblings(path) == around, "files were left beside it"
    return error


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "codedesk.sqlite3"
    path.write_bytes(random.Random(4).randbytes(64 * 1024))
    error = refused(path, "not a SQLite database", "backup")
    assert "has not changed it" in error.advice


def test_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "codedesk.sqlite3"
    path.write_text("database_url = 'sqlite:///elsewhere'\n")
    refused(path, "not a SQLite database")


def test_truncated_database(tmp_path: Path) -> None:
    path = tmp_path / "codedesk.sqlite3"
    filled_store(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    refused(path, "truncated", f"{len(data) // 2:,} bytes")


def test_damaged_pages_behind_a_good_header(tmp_path: Path) -> None:
    path = tmp_path / "codedesk.sqlite3"
    filled_store(path)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = random.Random(5).randbytes(len(data) - page)  # every page after the first
    path.write_bytes(bytes(data))
    refused(path, "damaged")


def test_another_programs_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    with contextlib.closing(sqlite3.connect(path)) as con:
        con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        con.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        con.execute("INSERT INTO notes (body) VALUES ('keep me')")
        con.commit()
    error = refused(path, "belongs to another program", "notes, users", "no codedesk_meta")
    assert "database of its own" in error.advice
    with contextlib.closing(sqlite3.connect(path)) as con:
        assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # not made WAL


def test_a_newer_schema_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "codedesk.sqlite3"
    filled_store(path, events=3)
    with contextlib.closing(sqlite3.connect(path)) as con:
        con.execute("UPDATE codedesk_meta SET value = '99' WHERE key = 'schema_version'")
        con.commit()
    error = refused(path, "newer CodeDesk", "schema version 99", "reads up to 2")
    assert "pip install --upgrade codedesk" in error.advice


@pytest.mark.parametrize("backend", BACKENDS)
def test_newer_and_foreign_databases_on_each_backend(backend: str, tmp_path: Path) -> None:
    """The same refusals on PostgreSQL, where nothing may change either."""
    with database(backend, tmp_path) as url:
        engine = sa.create_engine(url)
        with engine.begin() as con:
            con.exec_driver_sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
        with pytest.raises(StoreError, match=r"belongs to another program .*invoices"):
            SqlStore(url)
        with engine.begin() as con:
            con.exec_driver_sql("DROP TABLE invoices")
        SqlStore(url).close()
        with engine.begin() as con:
            con.exec_driver_sql(
                "UPDATE codedesk_meta SET value = '99' WHERE key = 'schema_version'"
            )
        before = _snapshot(engine)
        with pytest.raises(StoreError, match=r"newer CodeDesk \(schema version 99") as caught:
            SqlStore(url)
        assert caught.value.location == store_location(url)
        assert _snapshot(engine) == before
        engine.dispose()


def store_location(url: str) -> str:
    """Where SqlStore says a URL's data is: the file, or the URL without its password."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(Path(parsed.database or "").absolute())
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=True)


def _snapshot(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows."""
    with engine.connect() as con:
        names = sorted(sa.inspect(con).get_table_names())
        return {
            name: sorted(
                tuple(map(str, row)) for row in con.execute(sa.text(f'SELECT * FROM "{name}"'))
            )
            for name in names
        }


def test_full_disk_while_saving(tmp_path: Path) -> None:
    """A write that does not fit is refused whole; what was saved before stays, byte for byte.

    The full disk is SQLite's own size limit (PRAGMA max_page_count, set to the file's size on
    every connection): it fails the same way as a full disk (SQLITE_FULL), needs no root and
    no mount, and so runs everywhere CI does.
    """
    path = tmp_path / "codedesk.sqlite3"
    filled_store(path, events=20)
    before = digest(path)
    store = SqlStore(f"sqlite:///{path}")
    saved = store.events("s-1")

    def no_growth(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    sa.event.listen(store.engine, "connect", no_growth)
    store.engine.dispose()  # the next connections get the limit
    with pytest.raises(StoreError) as caught:
        store.append("s-1", T0, "code_added", {"pad": "y" * 100_000})
    message = str(caught.value)
    assert message.startswith(f"{path}: the disk is full")
    assert "saving an event failed" in message and "--resume" in message
    assert store.events("s-1") == saved
    store.close()
    assert digest(path) == before
    again = SqlStore(f"sqlite:///{path}")
    assert again.events("s-1") == saved
    assert again.append("s-1", T0, "code_added", {}).seq == len(saved) + 1  # room again
    again.close()


@contextlib.contextmanager
def tiny_disk(folder: Path) -> Iterator[Path]:
    """Mount a 512 KiB tmpfs at folder (root only); skip the test when that is not allowed."""
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a real full disk needs root to mount a tiny tmpfs")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> None:
    """Write a file until the disk refuses more."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)


def test_a_really_full_disk(tmp_path: Path) -> None:
    """The same on a real full disk (a tiny tmpfs), while the store is open and when opening."""
    with tiny_disk(tmp_path / "disk") as disk:
        path = disk / "codedesk.sqlite3"
        filled_store(path, events=5)
        before = digest(path)
        store = SqlStore(f"sqlite:///{path}")
        saved = store.events("s-1")
        fill(disk)
        with pytest.raises(StoreError, match="the disk is full"):
            store.append("s-1", T0, "code_added", {"pad": "y" * 100_000})
        store.close()
        assert digest(path) == before
        fill(disk)  # closing freed the -shm file's room: take it too
        with pytest.raises(StoreError, match=f"^{path}: the disk is full"):
            SqlStore(f"sqlite:///{path}").events("s-1")
        (disk / "filler").unlink()
        again = SqlStore(f"sqlite:///{path}")
        assert again.events("s-1") == saved
        again.close()


def test_locked_by_another_writer(tmp_path: Path) -> None:
    path = tmp_path / "codedesk.sqlite3"
    filled_store(path, events=1)
    store = SqlStore(f"sqlite:///{path}", busy_seconds=0.2)
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        with pytest.raises(StoreError, match=r"locked by another program for 0\.2 s"):
            store.append("s-1", T0, "x", {})
        other.execute("ROLLBACK")
    assert store.append("s-1", T0, "x", {}).seq == 2
    store.close()


def test_a_folder_where_the_file_should_be(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="folder, not a database file"):
        SqlStore(f"sqlite:///{tmp_path}")


def _closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_postgresql_server_not_running() -> None:
    port = _closed_port()
    with pytest.raises(StoreError) as caught:
        SqlStore(f"postgresql://coder:s3cret@127.0.0.1:{port}/codedesk")
    message = str(caught.value)
    assert message.startswith(f"postgresql+psycopg://coder:***@127.0.0.1:{port}/codedesk: ")
    assert "cannot reach the PostgreSQL server" in message and "Connection refused" in message
    assert "s3cret" not in message


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("not a url", "not a database URL"),
        ("mysql://u:p@host/db", "SQLite or PostgreSQL, not mysql"),
        ("sqlite:///file:x.db?mode=ro&uri=true", "URI file names"),
    ],
)
def test_urls_that_cannot_be_used(url: str, fragment: str) -> None:
    with pytest.raises(StoreError, match=fragment) as caught:
        SqlStore(url)
    assert "sqlite:///" in caught.value.advice and "CODEDESK_DATABASE_URL" in caught.value.advice


def test_the_error_survives_pickling() -> None:
    """A StoreError raised in a worker process reaches the parent whole."""
    error = StoreError("the disk is full", location="/data/codedesk.sqlite3", advice="Free space")
    again = pickle.loads(pickle.dumps(error))
    assert (again.problem, again.location, again.advice) == (
        "the disk is full",
        "/data/codedesk.sqlite3",
        "Free space",
    )
    assert str(again) == str(error) == "/data/codedesk.sqlite3: the disk is full. Free space"
