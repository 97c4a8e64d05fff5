"""Functions run in spawned processes by the store tests (importable, so spawn can find them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from simulator.store.sql import SqlStore


def append_events(
    url: str, session_id: str, writer: str, count: int, start: Any, results: Any
) -> None:
    """Open the store, wait for the start signal, append `count` events, report their numbers."""
    store = SqlStore(url)
    try:
        start.wait(60)
        seqs = [
            store.append(
                session_id, datetime.now(UTC), "code_added", {"writer": writer, "i": i}
            ).seq
            for i in range(count)
        ]
    finally:
        store.close()
    results.put((writer, seqs))
