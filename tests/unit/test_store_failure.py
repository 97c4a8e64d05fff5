"""A failed store write is never acknowledged, stops the session, and resume keeps what was saved.

Also: resume repairs what a kill between two commits can leave out (the charts served, a grade).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from simulator.codebook import Codebook
from simulator.packs import LoadedPack
from simulator.shift import FakeClock, Session
from simulator.shift.session import SessionError
from simulator.store import MemoryStore
from simulator.store.base import Event, StoreError


class FlakyStore(MemoryStore):
    """A memory store whose writes fail once `broken` is set, like a full disk."""

    def __init__(self) -> None:
        super().__init__()
        self.broken = False

    def append(self, session_id: str, at: datetime, kind: str, payload: dict[str, Any]) -> Event:
        if self.broken:
            raise StoreError("disk full", location="/data/codedesk.sqlite3", advice="free space")
        return super().append(session_id, at, kind, payload)


def _coded(session: Session) -> str:
    return next(c.chart.chart_id for c in session.charts if c.chart.diagnoses)


def test_a_failed_write_is_refused_and_stops_the_session(
    starter: LoadedPack, book: Codebook, clock: FakeClock
) -> None:
    store = FlakyStore()
    session = Session(starter, book, clock, store, seed=3)
    seen: list[StoreError] = []
    session.on_store_failure = seen.append
    chart = _coded(session)
    session.open_chart(chart)
    session.add_code(chart, "diagnoses", "R07.9")
    store.broken = True
    with pytest.raises(SessionError, match=r"not saved: /data/codedesk\.sqlite3: disk full"):
        session.add_code(chart, "diagnoses", "R69")
    assert len(seen) == 1 and session.store_failure is seen[0]
    store.broken = False  # even when the store comes back, this session takes no more work
    with pytest.raises(SessionError, match="not saved: the session store failed"):
        session.add_code(chart, "diagnoses", "I10")
    assert len(seen) == 1
    resumed = Session.resume(starter, book, clock, store, session.session_id)
    assert [line.code for line in resumed.state(chart).diagnoses] == ["R07.9"]


def test_resume_repairs_what_a_kill_between_commits_left_out(
    starter: LoadedPack, book: Codebook, clock: FakeClock
) -> None:
    store = MemoryStore()
    session = Session(starter, book, clock, store, seed=4)
    chart = _coded(session)
    session.open_chart(chart)
    for line in session.state(chart).chart.diagnoses:
        session.add_code(chart, "diagnoses", line.code if line.poa is None else f"{line.code}:Y")
    session.submit(chart)
    served = store.served(session.session_id)
    grade = store.grades(session.session_id)[chart]["grade"]
    # a kill right after the session row, and another right after the submit event
    store._served.pop(session.session_id)
    store._grades[session.session_id].pop(chart)
    Session.resume(starter, book, clock, store, session.session_id)
    assert store.served(session.session_id) == served
    assert store.grades(session.session_id)[chart]["grade"] == grade
