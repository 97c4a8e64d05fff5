"""Reports carry results, never patient identifiers."""

from __future__ import annotations

import json

from simulator.reports import session_summary, summary_lines
from simulator.shift import Session


def test_summary_has_no_phi(session: Session) -> None:
    state = next(c for c in session.charts if c.chart.diagnoses)
    session.open_chart(state.chart.chart_id)
    session.add_code(state.chart.chart_id, "diagnoses", state.chart.diagnoses[0].code)
    session.submit(state.chart.chart_id)
    text = json.dumps(session_summary(session))
    for chart in session.charts:
        patient = chart.chart.patient
        for identifier in (
            patient.first_name,
            patient.last_name,
            patient.mrn,
            patient.account,
            patient.ssn,
            patient.dob.strftime("%m/%d/%Y"),
            patient.phone,
        ):
            assert identifier not in text
    assert session_summary(session)["charts_done"] == 1
    assert f"1/{len(session.charts)} charts done" in summary_lines(session)[0]
