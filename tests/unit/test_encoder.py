"""The encoder panel's content: live MS-DRG for inpatient charts and claim edits."""

from __future__ import annotations

from simulator.shift import Session
from simulator.shift.encoder import encoder_view


def test_inpatient_chart_groups_and_reports_edits(session: Session) -> None:
    state = next(c for c in session.charts if c.chart.case_id == "ip-chf-exacerbation")
    chart_id = state.chart.chart_id
    session.open_chart(chart_id)
    session.add_code(chart_id, "diagnoses", "I13.0:Y")
    view = encoder_view(state, session.book, session.pack.pack.code_year)
    assert view.drg is not None and view.drg.startswith("MS-DRG 29")
    assert any("I13.0" in edit and "heart failure" in edit for edit in view.edits)
    session.add_code(chart_id, "diagnoses", "I50.23:Y")
    view = encoder_view(state, session.book, session.pack.pack.code_year)
    assert view.drg is not None and "MS-DRG 291" in view.drg and "with MCC" in view.drg
    assert "I50.23 MCC" in view.drg


def test_outpatient_chart_has_no_drg(session: Session) -> None:
    state = next(c for c in session.charts if c.chart.case_id == "clinic-diabetes-followup")
    session.open_chart(state.chart.chart_id)
    session.add_code(state.chart.chart_id, "diagnoses", "E11.65")
    view = encoder_view(state, session.book, session.pack.pack.code_year)
    assert view.drg is None
    assert any("Z79.4" in edit for edit in view.edits)
