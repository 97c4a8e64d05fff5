"""The pure helpers under the screens: masking identifiers and the query composer's advice."""

from __future__ import annotations

from simulator.shift import Session
from simulator.tui.masking import identifier_line, mask
from simulator.tui.querycheck import compose, query_advice, query_form


def test_mask_hides_identifiers_until_revealed(session: Session) -> None:
    chart = session.charts[0].chart
    patient = chart.patient
    street = patient.address.split(",")[0]
    text = (
        f"SSN {patient.ssn}, phone {patient.phone}, lives at {patient.address}; "
        f"visitor 123-45-6789 (555) 201-0199; street {street}; MRN {patient.mrn}"
    )
    shown = mask(text, chart)
    for secret in (patient.ssn, patient.phone, street, "123-45-6789", "201-0199"):
        assert secret not in shown
    assert "<SSN masked>" in shown and "<phone masked>" in shown and "<address masked>" in shown
    assert patient.mrn in shown  # a coder needs the MRN
    assert patient.ssn in mask(text, chart, {"ssn"})
    line = identifier_line(chart)
    assert patient.name in line and "masked: SSN, phone, address, member ID" in line
    assert patient.ssn in identifier_line(chart, {"ssn"})


def test_query_advice_names_each_problem(session: Session) -> None:
    chart = session.charts[0].chart
    advice = [str(a) for a in query_advice("", [], [], chart)]
    assert any("write the question" in a for a in advice)
    assert any("cite the clinical indicators" in a for a in advice)

    leading = query_advice(
        "Please document acute respiratory failure for the DRG and a $ higher payment.",
        ["Acute respiratory failure"],
        ["SpO2 84% on room air"],
        chart,
    )
    text = " ".join(str(a) for a in leading)
    assert "leading wording 'Please document'" in text
    assert "'$', 'payment', 'DRG': payment, DRG or quality language" in text
    assert "'Acute respiratory failure' is the only diagnosis offered" in text
    assert "add the option(s) other and clinically undetermined" in text
    assert all(a.problem for a in leading)

    phi = query_advice(
        f"Call me at {chart.patient.phone} about the SSN", ["Yes", "No"], ["BNP 2,140"], chart
    )
    text = " ".join(str(a) for a in phi)
    assert "remove the SSN, phone" in text and "yes/no only confirms" in text

    good = query_advice(
        "Based on these indicators, can the type and acuity of the heart failure be clarified?",
        ["Acute on chronic systolic", "Acute on chronic diastolic", "Other", "Undetermined"],
        ["BNP 2,140", "EF 30%"],
        chart,
    )
    assert good == []


def test_query_form_and_text() -> None:
    assert query_form([]) == "open-ended"
    assert query_form(["yes", " No "]) == "yes/no"
    assert query_form(["A", "B"]) == "multiple choice"
    assert compose(["BNP 2,140"], "What type?") == (
        'Clinical indicators in the record:\n- "BNP 2,140"\n\nWhat type?'
    )
