"""The codebook index and code validation, against the real ICD-10-CM tabular."""

from __future__ import annotations

import pytest

from simulator.codebook import Codebook, Verdict
from simulator.codebook.validate import normalize_code, validate, validate_icd10cm


@pytest.mark.parametrize(
    ("raw", "verdict"),
    [
        ("E11.65", Verdict.VALID),
        ("e1165", Verdict.VALID),
        ("T36.0X5A", Verdict.VALID),
        ("E11", Verdict.NOT_BILLABLE),
        ("S52.5", Verdict.NOT_BILLABLE),
        ("S52.532", Verdict.MISSING_SEVENTH),
        ("T36.0X5", Verdict.MISSING_SEVENTH),
        ("W11A", Verdict.MISSING_PLACEHOLDER),
        ("E11.99", Verdict.UNKNOWN),
        ("zzz", Verdict.MALFORMED),
        ("", Verdict.MALFORMED),
        ("[/bold]", Verdict.MALFORMED),
    ],
)
def test_verdicts(book: Codebook, raw: str, verdict: Verdict) -> None:
    assert validate_icd10cm(book, raw).verdict is verdict


def test_header_lists_children(book: Codebook) -> None:
    result = validate_icd10cm(book, "E11")
    assert "E11.6" in result.suggestions
    assert "not billable" in result.message


def test_missing_seventh_lists_allowed_characters(book: Codebook) -> None:
    result = validate_icd10cm(book, "S52.532")
    assert "A (initial encounter for closed fracture)" in result.message
    assert "S52.532A" in result.suggestions


def test_placeholder_suggestion(book: Codebook) -> None:
    assert validate_icd10cm(book, "W11A").suggestions == ("W11.XXXA",)


def test_unknown_suggests_nearest(book: Codebook) -> None:
    assert validate_icd10cm(book, "E11.99").suggestions[0] == "E11.9"


def test_year_mismatch_warns(book: Codebook) -> None:
    result = validate_icd10cm(book, "E11.9", year=2027)
    assert result.ok
    assert any("FY2027" in w for w in result.warnings)


def test_inherited_notes(book: Codebook) -> None:
    notes = book.notes("E11.65")
    uses = [n for n in notes if n.kind == "use_additional_code"]
    assert uses and "Z79.4" in uses[0].text and uses[0].source == "E11"


def test_single_category_block_is_not_its_own_parent(book: Codebook) -> None:
    chain = [a.code for a in book.ancestors("B10.01")]
    assert chain == ["B10.0", "B10", "B10-B10", "1"]


def test_counts(book: Codebook) -> None:
    assert book.count("icd10cm", billable_only=True) > 70_000
    assert book.count("cpt") >= 200
    assert book.count("hcpcs") >= 150


def test_other_systems(book: Codebook) -> None:
    assert validate(book, "99283", "cpt").ok
    assert validate(book, "J2405", "hcpcs").ok
    assert validate(book, "J9", "hcpcs").verdict is Verdict.MALFORMED
    assert validate(book, "00000", "cpt").verdict is Verdict.UNKNOWN


def test_normalize() -> None:
    assert normalize_code(" s52532a ") == "S52.532A"
    assert normalize_code("I10") == "I10"


def test_pcs_sections_beyond_the_titled_one(book: Codebook) -> None:
    assert validate(book, "0DTJ4ZZ", "icd10pcs").entry is not None
    assert validate(book, "5A1945Z", "icd10pcs").ok  # ventilation, section 5: MCE validity
    assert validate(book, "10D00Z1", "icd10pcs").ok  # low cesarean, obstetrics section
    assert validate(book, "ZZZZZZZ", "icd10pcs").verdict is Verdict.UNKNOWN
    assert validate(book, "0DT", "icd10pcs").verdict is Verdict.MALFORMED


def test_validity_by_fiscal_year() -> None:
    from simulator.codebook.validity import valid_in_year

    # G35 became a heading on October 1, 2025 (FY2026): valid in FY2025, not after.
    assert valid_in_year("G35", "icd10cm", 2025) is True
    assert valid_in_year("G35", "icd10cm", 2026) is False
    assert valid_in_year("G35.D", "icd10cm", 2027) is True
    assert valid_in_year("G35.D", "icd10cm", 2025) is False
