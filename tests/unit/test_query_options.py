"""A query option in the coder's own words names the case's diagnosis: the rubric takes it as
supported and the physician answers it (scoring/options.py)."""

from __future__ import annotations

from datetime import date

import pytest

from simulator.charts.render import render
from simulator.codebook.index import Codebook, Relation
from simulator.packs import LoadedPack
from simulator.scoring import WrittenQuery
from simulator.scoring.decision import judge_query
from simulator.shift.desk import physician_answer

SHIFT = date(2026, 11, 24)
UNDETERMINED = "Clinically undetermined"

# case, an option in other words than the case's, the answer it names (a prefix of it)
OTHER_WORDS = [
    (
        "q-ip-pancreatitis-bipap-respiratory-failure-query",
        "Acute respiratory failure with hypoxia",
        "Acute hypoxic respiratory failure",
    ),
    (
        "q-ip-pneumonia-pressure-injury-nursing-only-query",
        "Pressure ulcer of the sacrum",
        "Pressure ulcer (pressure injury) of the sacral region",
    ),
    (
        "q-ip-pneumonia-pressure-injury-nursing-only-query",
        "Stage 3 pressure ulcer of sacral region",
        "Pressure ulcer (pressure injury) of the sacral region",
    ),
    (
        "q-ip-tka-hemoglobin-drop-transfusion-query",
        "Acute posthemorrhagic anemia",
        "Acute blood loss anemia",
    ),
    (
        "q-ip-pyelonephritis-pressors-sepsis-query",
        "Severe sepsis with septic shock",
        "Sepsis due to acute pyelonephritis with septic shock",
    ),
    (
        "q-ip-copd-malnutrition-dietitian-query",
        "Severe malnutrition",
        "Severe protein-calorie malnutrition",
    ),
    (
        "q-ip-copd-malnutrition-dietitian-query",
        "Moderate malnutrition",
        "Moderate protein-calorie malnutrition",
    ),
    ("q-ip-heart-failure-type-conflict-query", "Acute on chronic HFpEF", "Acute on chronic diast"),
]


def _query(options: tuple[str, ...]) -> WrittenQuery:
    return WrittenQuery(
        text="Please clarify the diagnosis these findings represent.",
        options=(*options, "Other (please specify)", UNDETERMINED),
    )


def _unsupported(book: Codebook | None, starter: LoadedPack, case_id: str, option: str) -> bool:
    case = starter.case(case_id)
    chart = render(case, 7, SHIFT)
    quality = judge_query(chart, case, _query((option,)), book)
    check = next(c for c in quality.checks if c.name == "no unsupported diagnosis")
    return not check.passed


@pytest.mark.parametrize(("case_id", "option", "answer"), OTHER_WORDS)
def test_an_option_in_other_words_is_supported_and_answered(
    book: Codebook, starter: LoadedPack, case_id: str, option: str, answer: str
) -> None:
    assert not _unsupported(book, starter, case_id, option)
    case = starter.case(case_id)
    assert case.query is not None
    chart = render(case, 7, SHIFT)
    got = physician_answer(case.query, _query((option,)), dict(chart.values), book)
    assert got.answer.startswith(answer)


def test_words_alone_turned_those_options_away(book: Codebook, starter: LoadedPack) -> None:
    """Without the codebook (words only) most of them fail: the case for matching by code."""
    failing = [o for case_id, o, _ in OTHER_WORDS if _unsupported(None, starter, case_id, o)]
    assert len(failing) >= 6, failing


@pytest.mark.parametrize(
    ("case_id", "option"),
    [
        # The diagnosis the patient was admitted for: every answer has it, the query is not
        # about it, so offering it stays unsupported.
        ("q-ip-pancreatitis-bipap-respiratory-failure-query", "Acute pancreatitis"),
        ("q-ip-copd-malnutrition-dietitian-query", "Type 2 diabetes mellitus"),
        ("q-ip-heart-failure-type-conflict-query", "Acute myocardial infarction"),
    ],
)
def test_an_option_the_query_is_not_about_stays_unsupported(
    book: Codebook, starter: LoadedPack, case_id: str, option: str
) -> None:
    assert _unsupported(book, starter, case_id, option)
    case = starter.case(case_id)
    assert case.query is not None
    chart = render(case, 7, SHIFT)
    got = physician_answer(case.query, _query((option,)), dict(chart.values), book)
    assert got.answer == UNDETERMINED


def test_relation_between_codes(book: Codebook) -> None:
    assert book.relation("E11.65", "E11.65") is Relation.SAME
    assert book.relation("E11", "E11.65") is Relation.ANCESTOR
    assert book.relation("E11.65", "E11") is Relation.DESCENDANT
    assert book.relation("E11.65", "E11.69") is Relation.SIBLING
    assert book.relation("E11.65", "E11.9") is Relation.SAME_CATEGORY
    assert book.relation("E11.65", "I10") is Relation.UNRELATED
    assert book.relation("E11.65", "E11.99") is Relation.UNRELATED  # not a code
    assert book.relation("0FT44ZZ", "0FT44ZZ", "icd10pcs") is Relation.SAME
