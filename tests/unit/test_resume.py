"""A killed session resumes from its events: same queue, codes, grades and work timers."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.codebook import Codebook
from simulator.packs import LoadedPack
from simulator.shift import FakeClock, Session
from simulator.shift.session import SessionError
from simulator.store.sql import SqlStore


def _work(session: Session, clock: FakeClock) -> None:
    coded = [c for c in session.charts if c.chart.diagnoses]
    first, second = coded[0], coded[1]
    session.open_chart(first.chart.chart_id)
    clock.advance(30)
    for line in first.chart.diagnoses[:2]:
        session.add_code(
            first.chart.chart_id,
            "diagnoses",
            f"{line.code}:{line.poa or ''}".rstrip(":").replace(":exempt", ""),
        )
        clock.advance(10)
    session.add_code(first.chart.chart_id, "diagnoses", "R69")
    session.remove_code(first.chart.chart_id, "diagnoses", len(first.diagnoses) - 1)
    session.move_code(first.chart.chart_id, "diagnoses", len(first.diagnoses) - 1, -1)
    session.submit(first.chart.chart_id)
    clock.advance(5)
    session.open_chart(second.chart.chart_id)
    clock.advance(42)
    session.add_code(second.chart.chart_id, "diagnoses", second.chart.diagnoses[0].code)
    clock.advance(3)


def test_resume_restores_everything(tmp_path: Path, starter: LoadedPack, book: Codebook) -> None:
    url = f"sqlite:///{tmp_path / 'sessions.sqlite3'}"
    clock = FakeClock()
    original = Session(starter, book, clock, SqlStore(url), seed=5, trainee="t-17")
    _work(original, clock)
    clock.advance(3600)  # the laptop was closed for an hour
    resumed = Session.resume(starter, book, clock, SqlStore(url), original.session_id)
    assert [c.chart.chart_id for c in resumed.charts] == [c.chart.chart_id for c in original.charts]
    for before, after in zip(original.charts, resumed.charts, strict=True):
        assert after.status == before.status
        assert [(x.code, x.poa) for x in after.diagnoses] == [
            (x.code, x.poa) for x in before.diagnoses
        ]
        if before.grade is not None:
            assert after.grade is not None
            assert after.grade.code_over_code == before.grade.code_over_code
            assert [g.verdict for g in after.grade.lines] == [g.verdict for g in before.grade.lines]
    open_chart = resumed.current
    assert open_chart is not None and open_chart.chart.chart_id == original.current.chart.chart_id
    # Work counts up to the last recorded action (42 s); the hour away is not counted.
    assert open_chart.seconds_worked == pytest.approx(42.0)
    clock.advance(15)
    resumed.close_chart()
    assert open_chart.seconds_worked == pytest.approx(57.0)


def test_resume_refuses_another_pack(tmp_path: Path, starter: LoadedPack, book: Codebook) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    store = SqlStore(url)
    session = Session(starter, book, FakeClock(), store, seed=1)
    other = starter.pack.model_copy(update={"id": "other"})
    with pytest.raises(SessionError, match="worked on pack"):
        Session.resume(
            LoadedPack(root=starter.root, pack=other, cases=starter.cases),
            book,
            FakeClock(),
            store,
            session.session_id,
        )
    with pytest.raises(SessionError, match="no session"):
        Session.resume(starter, book, FakeClock(), store, "s-missing")
    assert store.latest_session("trainee", "starter") == session.session_id
