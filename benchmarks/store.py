"""The session store: events written per second (SQLite, PostgreSQL) and the time to resume.

Events: one process appends N events to one session, each in its own committed transaction,
as a coder's actions are; then four processes append at once, each to a session of its own
(a cohort at work) and all to one session (the worst case for the lock that numbers events). SQLite is a file in a temporary folder (WAL, synchronous=NORMAL, as CodeDesk runs it);
PostgreSQL runs when a URL is given with --pg or TEST_PG_URL is set (each run in a fresh
schema, dropped afterwards).

Resume: a starter-pack session of 1,000 events (charts opened, codes added, removed and
moved, charts submitted and graded) is rebuilt with Session.resume over an open store; the
median of several runs, and the same with the store opened first (as `--resume` does).
Goal (issue 9): resume a 1,000-event session in at most 200 ms.

Run: python benchmarks/store.py [--events N] [--runs N] [--pg URL] [--cache DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from simulator import paths  # noqa: E402
from simulator.codebook import Codebook  # noqa: E402
from simulator.codebook.build import build_index, index_path  # noqa: E402
from simulator.packs import LoadedPack, load_pack  # noqa: E402
from simulator.shift import FakeClock, Session  # noqa: E402
from simulator.shift.session import SessionError, Status  # noqa: E402
from simulator.store.sql import SqlStore  # noqa: E402

RESUME_GOAL_MS = 200.0
RESUME_EVENTS = 1_000
WRITERS = 4
T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


class Databases:
    """Hands out empty databases: SQLite files in a folder, PostgreSQL schemas (dropped after)."""

    def __init__(self, folder: Path, pg: str | None) -> None:
        """Remember where to make them."""
        self.folder = folder
        self.pg = pg
        self.admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT") if pg else None
        self.schemas: list[str] = []

    def backends(self) -> list[str]:
        """The backends to measure."""
        return ["SQLite", "PostgreSQL"] if self.admin is not None else ["SQLite"]

    def new(self, backend: str) -> str:
        """The URL of an empty database of a backend."""
        if backend == "SQLite":
            return f"sqlite:///{self.folder / f'bench-{secrets.token_hex(4)}.sqlite3'}"
        assert self.admin is not None and self.pg is not None
        name = f"codedesk_bench_{secrets.token_hex(4)}"
        with self.admin.connect() as con:
            con.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        self.schemas.append(name)
        url = sa.make_url(self.pg).update_query_dict({"options": f"-csearch_path={name}"})
        return url.render_as_string(hide_password=False)

    def drop(self) -> None:
        """Drop the PostgreSQL schemas made."""
        if self.admin is None:
            return
        with self.admin.connect() as con:
            for name in self.schemas:
                con.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        self.admin.dispose()


def new_session(store: SqlStore, session_id: str) -> None:
    """Record an empty session to append to."""
    store.create_session(
        session_id,
        trainee="bench",
        pack_id="starter",
        pack_version="1",
        mode="shift",
        seed=1,
        started_at=T0,
    )


def payload(i: int) -> dict[str, Any]:
    """A code_added-sized payload."""
    return {"chart": "ed-ankle-sprain#42", "part": "diagnoses", "raw": "S93.401A", "i": i}


def sequential_rate(url: str, count: int) -> float:
    """Events per second appended by one process, one transaction each."""
    store = SqlStore(url)
    new_session(store, "s-seq")
    started = time.perf_counter()
    for i in range(count):
        store.append("s-seq", T0, "code_added", payload(i))
    elapsed = time.perf_counter() - started
    assert store.events("s-seq")[-1].seq == count
    store.close()
    return count / elapsed


def _writer(url: str, session_id: str, count: int, start: Any, done: Any) -> None:
    """Append `count` events to a session once told to start."""
    store = SqlStore(url)
    start.wait(60)
    for i in range(count):
        store.append(session_id, T0, "code_added", payload(i))
    store.close()
    done.put(count)


def concurrent_rate(url: str, count: int, shared: bool) -> float:
    """Events per second appended by WRITERS processes at once, to one session or one each."""
    store = SqlStore(url)
    sessions = ["s-shared"] if shared else [f"s-{n}" for n in range(WRITERS)]
    for session_id in sessions:
        new_session(store, session_id)
    ctx = multiprocessing.get_context("spawn")
    start, done = ctx.Event(), ctx.Queue()
    each = count // WRITERS
    procs = [
        ctx.Process(target=_writer, args=(url, sessions[n % len(sessions)], each, start, done))
        for n in range(WRITERS)
    ]
    for proc in procs:
        proc.start()
    time.sleep(2.0)  # let every writer import and connect before the clock starts
    started = time.perf_counter()
    start.set()
    for _ in procs:
        done.get(timeout=300)
    elapsed = time.perf_counter() - started
    for proc in procs:
        proc.join()
    for session_id in sessions:
        seqs = [e.seq for e in store.events(session_id)]
        assert seqs == list(range(1, len(seqs) + 1)), "events lost or doubled"
    assert sum(len(store.events(sid)) for sid in sessions) == WRITERS * each
    store.close()
    return WRITERS * each / elapsed


def build_session(pack: LoadedPack, book: Codebook, store: SqlStore, events: int) -> str:
    """Work a starter session until it holds `events` events; return its id."""
    clock = FakeClock(T0)
    session = Session(pack, book, clock, store, seed=11, trainee="bench", mode="shift")
    written = 1

    def act(step: Callable[[], object]) -> None:
        nonlocal written
        if written < events:
            clock.advance(5)
            step()
            written += 1

    for state in session.charts:
        cid = state.chart.chart_id
        if written >= events or not state.chart.diagnoses:
            continue
        act(lambda cid=cid: session.open_chart(cid))
        for line in state.chart.diagnoses:
            act(lambda cid=cid, code=line.code: session.add_code(cid, "diagnoses", code))
        for _ in range(4):  # second thoughts: a code typed and taken out again
            act(lambda cid=cid: session.add_code(cid, "diagnoses", "R69"))
            act(
                lambda cid=cid, st=state: session.remove_code(
                    cid, "diagnoses", len(st.diagnoses) - 1
                )
            )
        if len(state.diagnoses) > 1:
            act(lambda cid=cid: session.move_code(cid, "diagnoses", 0, 1))
            act(lambda cid=cid: session.move_code(cid, "diagnoses", 1, -1))
        with contextlib.suppress(SessionError):  # a code the pack's year rejects: left open
            act(lambda cid=cid: session.submit(cid))
    while written < events:  # pad with visits to a chart not submitted
        last = next(c for c in session.charts if c.status is not Status.DONE).chart.chart_id
        act(lambda last=last: session.open_chart(last))
        act(session.close_chart)
    assert len(store.events(session.session_id)) == events
    return session.session_id


def resume_times(
    pack: LoadedPack, book: Codebook, url: str, session_id: str, runs: int
) -> tuple[float, float]:
    """Median milliseconds for Session.resume over an open store, and with the store opening."""
    store = SqlStore(url)
    Session.resume(pack, book, FakeClock(), store, session_id)  # warm caches: codebook, pack
    bare = []
    for _ in range(runs):
        started = time.perf_counter()
        Session.resume(pack, book, FakeClock(), store, session_id)
        bare.append((time.perf_counter() - started) * 1000)
    store.close()
    opened = []
    for _ in range(runs):
        started = time.perf_counter()
        fresh = SqlStore(url)
        Session.resume(pack, book, FakeClock(), fresh, session_id)
        opened.append((time.perf_counter() - started) * 1000)
        fresh.close()
    return statistics.median(bare), statistics.median(opened)


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2_000, help="events per write run")
    parser.add_argument("--runs", type=int, default=5, help="resume runs (median)")
    parser.add_argument("--pg", help="a postgresql+psycopg:// URL (default: $TEST_PG_URL)")
    parser.add_argument("--cache", type=Path, help="an existing cache folder with the index")
    args = parser.parse_args()
    pg = args.pg or os.environ.get("TEST_PG_URL")

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        cache = args.cache or tmp
        if not index_path(cache).exists():
            build_index(cache)
        book = Codebook.open(cache)
        pack = load_pack(paths.builtin_pack("starter"))
        if not pg:
            print("PostgreSQL: not measured (give --pg URL or set TEST_PG_URL)")
        made = Databases(tmp, pg)
        try:
            for name in made.backends():
                one = statistics.median(
                    sequential_rate(made.new(name), args.events) for _ in range(3)
                )
                apart = statistics.median(
                    concurrent_rate(made.new(name), args.events, shared=False) for _ in range(3)
                )
                shared = statistics.median(
                    concurrent_rate(made.new(name), args.events, shared=True) for _ in range(3)
                )
                print(
                    f"{name}: {one:,.0f} events/s from one process; from {WRITERS} processes "
                    f"at once {apart:,.0f} events/s on a session each, {shared:,.0f} events/s "
                    f"on one shared session (medians of 3 runs of {args.events:,} events)"
                )
            for name in made.backends():
                url = made.new(name)
                store = SqlStore(url)
                session_id = build_session(pack, book, store, RESUME_EVENTS)
                kinds = Counter(e.kind for e in store.events(session_id))
                store.close()
                if name == "SQLite":
                    print(
                        "the session to resume: " + ", ".join(f"{n} {k}" for k, n in kinds.items())
                    )
                bare, opened = resume_times(pack, book, url, session_id, args.runs)
                met = "met" if bare <= RESUME_GOAL_MS else "NOT MET"
                print(
                    f"{name}: resume a {RESUME_EVENTS:,}-event session: {bare:.0f} ms "
                    f"(goal {RESUME_GOAL_MS:.0f} ms: {met}); {opened:.0f} ms with opening "
                    f"the store; medians of {args.runs}"
                )
        finally:
            made.drop()


if __name__ == "__main__":
    main()
