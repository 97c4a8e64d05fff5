"""The session: procedure entry syntax, ordering, hard stops, events."""

from __future__ import annotations

import pytest

from simulator.shift import FakeClock, Session
from simulator.shift.session import SessionError, Status, parse_procedure, procedure_system


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("99213-25", ("99213", ("25",), 1)),
        ("j1100 x2", ("J1100", (), 2)),
        ("12002-59-LT", ("12002", ("59", "LT"), 1)),
        ("0DTJ4ZZ", ("0DTJ4ZZ", (), 1)),
        ("99283 X", ("99283X", (), 1)),
    ],
)
def test_parse_procedure(raw: str, parsed: tuple[str, tuple[str, ...], int]) -> None:
    assert parse_procedure(raw) == parsed


def test_procedure_system() -> None:
    assert procedure_system("99283") == "cpt"
    assert procedure_system("J1100") == "hcpcs"
    assert procedure_system("0DTJ4ZZ") == "icd10pcs"


def test_invalid_code_is_a_hard_stop(session: Session) -> None:
    state = session.next_chart()
    assert state is not None
    chart_id = state.chart.chart_id
    session.open_chart(chart_id)
    session.add_code(chart_id, "diagnoses", "E11")
    with pytest.raises(SessionError, match="invalid"):
        session.submit(chart_id)
    with pytest.raises(SessionError, match="already on this chart"):
        session.add_code(chart_id, "diagnoses", "e11")


def test_move_and_events(session: Session) -> None:
    state = session.charts[0]
    chart_id = state.chart.chart_id
    session.open_chart(chart_id)
    session.add_code(chart_id, "diagnoses", "I10")
    session.add_code(chart_id, "diagnoses", "E11.65")
    assert session.move_code(chart_id, "diagnoses", 1, -1) == 0
    assert [line.code for line in state.diagnoses] == ["E11.65", "I10"]
    kinds = [e.kind for e in session.store.events(session.session_id)]
    assert kinds == ["session_started", "chart_opened", "code_added", "code_added", "code_moved"]


def _chart(session: Session, case_id: str) -> str:
    return next(c.chart.chart_id for c in session.charts if c.chart.case_id == case_id)


def test_pend_keeps_the_chart_in_the_queue_until_released(
    session: Session, clock: FakeClock
) -> None:
    chart_id = _chart(session, "pend-ops-back-lesion-excision-awaiting-pathology")
    session.open_chart(chart_id)
    clock.advance(60)
    grade = session.pend(chart_id, "awaiting pathology")
    state = session.state(chart_id)
    assert grade is not None and grade.decision_correct
    assert state.status is Status.PENDED and state.status_label == "pended: awaiting pathology"
    assert session.current is None and session.next_chart() is not state
    session.open_chart(chart_id)  # a pended chart can be reopened, and stays pended
    clock.advance(30)
    assert state.status is Status.PENDED
    session.add_code(chart_id, "diagnoses", "D48.5")
    with pytest.raises(SessionError, match="pended"):
        session.submit(chart_id)
    session.release_pend(chart_id)
    clock.advance(10)
    assert state.status is Status.IN_PROGRESS
    session.submit(chart_id)
    # 30 s were spent on the chart while it was pended: taken out of its counted time
    assert state.pended_seconds == pytest.approx(30.0)
    assert state.grade is not None and state.grade.time is not None
    assert state.grade.time.counted_seconds == pytest.approx(70.0)


def test_query_answer_comes_back_with_an_addendum_and_its_key(
    session: Session, clock: FakeClock
) -> None:
    chart_id = _chart(session, "q-ip-pyelonephritis-pressors-sepsis-query")
    state = session.state(chart_id)
    documents = len(state.chart.documents)
    session.open_chart(chart_id)
    options = [
        "Sepsis due to acute pyelonephritis with septic shock",
        "Acute pyelonephritis with hypotension, without sepsis",
        "Other (please specify)",
        "Clinically undetermined",
    ]
    grade = session.send_query(chart_id, "Please clarify the diagnosis. MAP 58", options)
    assert grade is not None and grade.decision_correct and grade.query is not None
    assert state.status is Status.QUERY_SENT and session.current is None
    with pytest.raises(SessionError, match="waits for the physician"):
        session.open_chart(chart_id)
    assert session.due_answers() == []
    clock.advance(31)
    assert session.due_answers() == [chart_id]
    answer = session.receive_answer(chart_id)
    assert answer == options[0]
    assert state.status is Status.ANSWERED and len(state.chart.documents) == documents + 1
    addendum = state.chart.documents[-1]
    assert "Answer: " + options[0] in addendum.text and addendum.signed
    assert state.chart.diagnoses and state.chart.diagnoses[0].code.startswith("A41")
    session.open_chart(chart_id)
    for line in state.chart.diagnoses:
        session.add_code(chart_id, "diagnoses", line.code)
    for line in state.chart.procedures:
        session.add_code(chart_id, "procedures", line.code)
    final = session.submit(chart_id)
    assert final is not None and final.decision_submitted == "query" and final.decision_correct
    assert final.code_over_code == pytest.approx(1.0)
    assert any("physician's answer" in note for note in final.notes)


def test_flag_names_the_document(session: Session) -> None:
    chart_id = _chart(session, "priv-misfiled-blood-culture-report")
    session.open_chart(chart_id)
    with pytest.raises(SessionError, match="documents 1 to"):
        session.flag(chart_id, "misfiled_document", 99)
    grade = session.flag(chart_id, "misfiled_document", 1)
    assert grade is not None and not grade.decision_correct  # wrong document
    other = _chart(session, "priv-misfiled-same-name-consult")
    grade = session.flag(other, "misfiled_document", 2)
    assert grade is not None and grade.decision_correct
    events = [e for e in session.store.events(session.session_id) if e.kind == "chart_submitted"]
    assert events[-1].payload["flags"] == [{"kind": "misfiled_document", "document": 2}]


def test_privacy_events_reach_the_grades(session: Session) -> None:
    chart_id = _chart(session, "clinic-diabetes-followup")
    session.open_chart(chart_id)
    assert session.reveal(chart_id, "ssn", "") == session.state(chart_id).chart.patient.ssn
    session.add_code(chart_id, "diagnoses", "E11.65")
    grade = session.submit(chart_id)
    assert grade is not None and [f.kind.value for f in grade.privacy] == [
        "identifier revealed without need"
    ]
    found = session.find_patients(session.charts[0].chart.patient.last_name)
    assert any(e.assigned for e in found)
    stranger = next(e for e in session.directory() if not e.assigned)
    assert stranger.chart.chart_id not in {c.chart.chart_id for c in session.charts}
    session.open_unassigned(stranger.chart.chart_id)
    result = session.answer_inbox("priv-roi-doctors-office-email", "comply")
    assert not result.correct and result.findings[0].kind.value == "unsafe inbox answer"
    right = session.answer_inbox("priv-coworker-celebrity-lookup", "refuse")
    assert right.correct and not right.findings
    with pytest.raises(SessionError, match="already answered"):
        session.answer_inbox("priv-coworker-celebrity-lookup", "comply")
    summary = session.summary()
    assert summary is not None and not summary.privacy_passed
    kinds = sorted(f.kind.value for f in summary.privacy)
    assert kinds == [
        "identifier revealed without need",
        "unassigned chart opened",
        "unsafe inbox answer",
    ]
    inbox = {item.message.id: item for item in session.inbox()}
    assert inbox["priv-roi-doctors-office-email"].answer == "comply"
    assert "{{" not in inbox["priv-roi-doctors-office-email"].text
    # The daughter's phone call: verifying identity is expected, routing to release of
    # information is accepted as just as safe; complying discloses.
    also = session.answer_inbox("priv-phone-daughter-test-results", "route_roi")
    assert also.correct and also.expected == "verify_identity" and not also.findings


def test_locked_time_is_not_work_and_pace(session: Session, clock: FakeClock) -> None:
    chart_id = _chart(session, "clinic-diabetes-followup")
    state = session.state(chart_id)
    session.open_chart(chart_id)
    clock.advance(120)
    session.lock(idle_seconds=60)
    clock.advance(600)
    assert not session.unlock("someone else")
    assert session.unlock("trainee")
    clock.advance(30)
    assert session.worked_seconds(state) == pytest.approx(150.0)
    session.add_code(chart_id, "diagnoses", "E11.65")
    grade = session.submit(chart_id)
    assert grade is not None and grade.time is not None
    assert grade.time.counted_seconds == pytest.approx(150.0)
    assert state.idle_seconds == 60
    pace = session.pace()
    assert pace.charts == 1 and pace.hours == pytest.approx(150 / 3600)
    assert pace.target_charts_per_hour == pytest.approx(12.0)  # a clinic chart
    assert pace.units == pytest.approx(0.25)
    assert session.seconds_left() == pytest.approx(8 * 3600 - 750)


def test_end_closes_once(session: Session) -> None:
    session.end()
    session.end()
    kinds = [e.kind for e in session.store.events(session.session_id)]
    assert kinds.count("session_ended") == 1 and session.ended_at is not None


def test_reading_and_searching_are_recorded_per_chart_in_the_queue(session: Session) -> None:
    state = next(c for c in session.charts if len(c.chart.documents) > 1)
    chart_id = state.chart.chart_id
    session.note_document(chart_id, 2)
    session.note_find(chart_id, "  chest\n pain ", 2)
    session.note_lookup(chart_id, "x" * 200, 0, None)
    session.note_browse(chart_id, "E11.65")
    with pytest.raises(SessionError, match="documents 1 to"):
        session.note_document(chart_id, len(state.chart.documents) + 1)
    outside = session.directory()[-1].chart.chart_id  # a chart found by the patient search
    session.note_find(outside, "pain", 1)  # not in the queue: recorded elsewhere, not here
    events = session.store.events(session.session_id)
    assert [(e.kind, e.payload) for e in events[1:]] == [
        ("document_viewed", {"chart": chart_id, "document": 2}),
        ("chart_searched", {"chart": chart_id, "text": "chest pain", "hits": 2}),
        ("code_looked_up", {"chart": chart_id, "query": "x" * 80, "results": 0, "picked": None}),
        ("tabular_browsed", {"chart": chart_id, "picked": "E11.65"}),
    ]
