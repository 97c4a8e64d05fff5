"""Rendering: deterministic per seed, different across seeds, within the case's constraints."""

from __future__ import annotations

from datetime import date

from simulator.charts.render import render
from simulator.packs import LoadedPack
from simulator.packs.models import PatientSpec

SHIFT = date(2026, 11, 24)


def test_same_seed_same_chart(starter: LoadedPack) -> None:
    case = starter.case("ip-chf-exacerbation")
    assert render(case, 11, SHIFT) == render(case, 11, SHIFT)


def test_different_seeds_different_patients(starter: LoadedPack) -> None:
    case = starter.case("ip-chf-exacerbation")
    names = {render(case, seed, SHIFT).patient.name for seed in range(20)}
    assert len(names) > 15


def test_constraints_hold(starter: LoadedPack) -> None:
    base = starter.case("clinic-diabetes-followup")
    case = base.model_copy(
        update={"patient": PatientSpec.model_validate({"age": {"min": 20, "max": 40}, "sex": "F"})}
    )
    for seed in range(300):
        chart = render(case, seed, SHIFT)
        assert chart.patient.sex == "F"
        assert 20 <= chart.patient.age <= 40


def test_no_unfilled_placeholders_and_variants_fill_keys(starter: LoadedPack) -> None:
    for case in starter.cases:
        for seed in range(20):
            chart = render(case, seed, SHIFT)
            for doc in chart.documents:
                assert "{{" not in doc.text and "?]" not in doc.text
            for line in chart.diagnoses + chart.procedures:
                assert "{{" not in line.code


def test_identifiers_are_marked_synthetic(starter: LoadedPack) -> None:
    chart = render(starter.cases[0], 5, SHIFT)
    assert chart.patient.synthetic
    assert chart.patient.ssn.startswith("9")
    assert "555-" in chart.patient.phone
