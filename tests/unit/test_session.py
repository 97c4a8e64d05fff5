"""The session: procedure entry syntax, ordering, hard stops, events."""

from __future__ import annotations

import pytest

from simulator.shift import Session
from simulator.shift.session import SessionError, parse_procedure, procedure_system


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
