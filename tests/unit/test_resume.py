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


def test_resume_restores_decisions_privacy_and_locks(
    tmp_path: Path, starter: LoadedPack, book: Codebook
) -> None:
    url = f"sqlite:///{tmp_path / 'decisions.sqlite3'}"
    clock = FakeClock()
    original = Session(starter, book, clock, SqlStore(url), seed=3, shift_hours=6.5)

    def chart(case_id: str) -> str:
        return next(c.chart.chart_id for c in original.charts if c.chart.case_id == case_id)

    pended = chart("pend-ops-back-lesion-excision-awaiting-pathology")
    queried = chart("q-ip-heart-failure-type-conflict-query")
    flagged = chart("priv-misfiled-same-name-consult")
    released = chart("pend-ip-chest-pain-discharge-summary-missing")
    original.open_chart(pended)
    original.reveal(pended, "phone", "patient asked for a call back about the bill")
    original.pend(pended, "awaiting pathology")
    original.open_chart(released)
    original.pend(released, "missing documentation")
    original.release_pend(released)
    original.open_chart(queried)
    original.send_query(queried, "Which type of heart failure? LVEF 60% (biplane)", ["Other"])
    clock.advance(45)
    original.receive_answer(queried)
    original.flag(flagged, "misfiled_document", 2)
    stranger = next(e for e in original.directory() if not e.assigned)
    original.open_unassigned(stranger.chart.chart_id)
    original.answer_inbox("priv-phone-daughter-test-results", "verify_identity")
    original.open_chart(queried)
    clock.advance(20)
    original.lock(idle_seconds=600)
    clock.advance(300)
    original.unlock("trainee")
    clock.advance(10)

    resumed = Session.resume(starter, book, clock, SqlStore(url), original.session_id)
    assert resumed.shift_hours == 6.5
    for before, after in zip(original.charts, resumed.charts, strict=True):
        assert after.status_label == before.status_label
        assert len(after.chart.documents) == len(before.chart.documents)
        assert after.revealed == before.revealed
        assert after.flags == before.flags
        assert after.query == before.query
        assert (after.grade is None) == (before.grade is None)
    assert resumed.state(queried).status.value == "in progress"
    assert resumed.state(queried).query is not None
    assert resumed.state(released).status.value == "new"
    assert resumed.state(pended).status_label == "pended: awaiting pathology"
    assert resumed.inbox_answers == {"priv-phone-daughter-test-results": "verify_identity"}
    assert [e.kind for e in resumed.events] == ["unassigned_chart_opened", "inbox_answer"]
    assert resumed.locked_seconds == pytest.approx(300.0)
    current = resumed.current
    assert current is not None and current.chart.chart_id == queried
    assert current.locked_seconds == pytest.approx(300.0)
    # 20 s before the lock; the 10 s after the last stored event (the unlock) are time away
    assert resumed.worked_seconds(current) == pytest.approx(20.0)
