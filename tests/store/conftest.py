"""Store fixtures: a fresh database per test, on SQLite and (when one is reachable) PostgreSQL.

PostgreSQL tests need TEST_PG_URL, a `postgresql+psycopg://` URL of a database the tests may
create schemas in (.ci/run starts a throwaway server and sets it). Each test gets a schema of
its own, dropped afterwards. The variable is not CODEDESK_-prefixed because tests/conftest.py
clears every CODEDESK_ variable so the user's settings never leak into a test.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from simulator.store.sql import SqlStore

PG_ENV = "TEST_PG_URL"
"""The environment variable naming the PostgreSQL server the tests may use."""

BACKENDS = ["sqlite", "postgresql"]


@functools.cache
def pg_unavailable() -> str | None:
    """Why the PostgreSQL tests cannot run here, or None when they can."""
    url = os.environ.get(PG_ENV)
    if not url:
        return (
            f"PostgreSQL tests need {PG_ENV}=postgresql+psycopg://USER@HOST:PORT/DATABASE "
            "(.ci/run starts a throwaway server and sets it)"
        )
    engine = sa.create_engine(url)
    try:
        with engine.connect() as con:
            con.execute(sa.text("SELECT 1"))
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return f"PostgreSQL at {PG_ENV} cannot be reached: {first}"
    finally:
        engine.dispose()
    return None


def skip_without_pg() -> None:
    """Skip the calling test, saying why, when no PostgreSQL server is usable."""
    reason = pg_unavailable()
    if reason is not None:
        pytest.skip(reason)


@contextmanager
def pg_schema() -> Iterator[str]:
    """Create an empty schema and yield a URL whose connections use it; drop it afterwards."""
    skip_without_pg()
    base = sa.make_url(os.environ[PG_ENV])
    name = f"codedesk_t_{secrets.token_hex(6)}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as con:
            con.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        url = base.update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as con:
            con.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """Yield the URL of an empty database of one backend."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'codedesk.sqlite3'}"
    else:
        with pg_schema() as url:
            yield url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file under tmp_path, or a fresh PostgreSQL schema."""
    with database(str(request.param), tmp_path) as url:
        yield url


@pytest.fixture
def open_store(db_url: str) -> Iterator[Callable[[], SqlStore]]:
    """Open SqlStores on the test's database; every one opened is closed afterwards."""
    opened: list[SqlStore] = []

    def make() -> SqlStore:
        store = SqlStore(db_url)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Callable[[], SqlStore]) -> SqlStore:
    """A SqlStore on a fresh database of each backend."""
    return open_store()
