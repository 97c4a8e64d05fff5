"""Several processes appending to one session at once: every event kept once, numbered 1..n."""

from __future__ import annotations

import multiprocessing
from collections import defaultdict
from datetime import UTC, datetime

from simulator.store.sql import SqlStore
from tests.store.workers import append_events

WRITERS = 4
EACH = 60


def test_concurrent_appends_are_gap_free_and_unique(db_url: str) -> None:
    store = SqlStore(db_url)
    for sid in ("s-shared", "s-other"):
        store.create_session(
            sid,
            trainee="ann",
            pack_id="starter",
            pack_version="1",
            mode="shift",
            seed=1,
            started_at=datetime(2026, 11, 24, 8, tzinfo=UTC),
        )
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    results = ctx.Queue()
    jobs = [(f"w{n}", "s-shared") for n in range(WRITERS)] + [("solo", "s-other")]
    procs = [
        ctx.Process(target=append_events, args=(db_url, sid, name, EACH, start, results))
        for name, sid in jobs
    ]
    for proc in procs:
        proc.start()
    start.set()
    reported = dict(results.get(timeout=120) for _ in procs)
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0

    shared = store.events("s-shared")
    assert [e.seq for e in shared] == list(range(1, WRITERS * EACH + 1))  # no gap, no twin
    by_writer: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for event in shared:
        by_writer[event.payload["writer"]].append((event.payload["i"], event.seq))
    for name, _sid in jobs[:WRITERS]:
        kept = by_writer[name]
        assert [i for i, _seq in kept] == list(range(EACH))  # each event once, in its order
        assert [seq for _i, seq in kept] == reported[name]  # where the writer was told it went
    other = store.events("s-other")
    assert [e.seq for e in other] == list(range(1, EACH + 1)) == reported["solo"]
    store.close()
