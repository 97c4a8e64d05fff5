"""Claim edits from the ICD-10-CM notes: the note parser, and the edits on real tabular notes."""

from __future__ import annotations

import pytest

from simulator.codebook import Codebook
from simulator.codebook.edits import (
    CodeRef,
    Edit,
    claim_edits,
    is_manifestation,
    parse_references,
    split_requirements,
)


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("type 1 diabetes mellitus (E10.-)", ["E10"]),
        ("hypertensive disease (I10-I16)", ["I10-I16"]),
        ("insulin (Z79.4)", ["Z79.4"]),
        ("stage of chronic kidney disease (N18.1-N18.4, N18.9)", ["N18.1-N18.4", "N18.9"]),
        ("dementia in alcohol use (F10.--F19.-)", ["F10-F19"]),
        ("opioid use (F11.-F17.-)", ["F11-F17"]),
        ("multiple sclerosis (G35-)", ["G35"]),
        ("Creutzfeldt-Jakob disease (A81.0-)", ["A81.0"]),
        ("trypanosomiasis (B56.-, B57.-)", ["B56", "B57"]),
        ("hypothyroidism, acquired (E00-E03.-)", ["E00-E03"]),
        ("rheumatoid arthritis (M05.00 to M05.8A)", ["M05.00-M05.8A"]),
        ("influenza (J09.X1, J10.0-, J11.0-)", ["J09.X1", "J10.0", "J11.0"]),
        ("human immunodeficiency virus [HIV] disease (B20)", ["B20"]),
        ("sepsis (due to) (in) actinomycotic (A42.7)", ["A42.7"]),
        ("pregnancy (O00-O9A)", ["O00-O9A"]),
        ("hemorrhage (I60.-. I61.-, I62.-)", ["I60", "I61", "I62"]),
        ("codes (i.e. E05.8, E07.0, E16-E31, E34.-)", ["E05.8", "E07.0", "E16-E31", "E34"]),
        ("drugs (T36-T50 with fifth or sixth character 5)", []),
        ("diabetes (E08-E13 with .52)", []),
        ("G6PD deficiency (with C3 glomerulopathy)", []),
        ("certain localized infections - see body system-related chapters", []),
        ("(Z79.4)\n(Z79.84)\n(Z79.4)", ["Z79.4", "Z79.84"]),
    ],
)
def test_parse_references(text: str, refs: list[str]) -> None:
    assert [str(r) for r in parse_references(text)] == refs


@pytest.mark.parametrize(
    ("ref", "code", "matches"),
    [
        (CodeRef("E10"), "E10.9", True),
        (CodeRef("E10"), "E10", True),
        (CodeRef("E10"), "E11.9", False),
        (CodeRef("Z79.4"), "Z79.4", True),
        (CodeRef("Z79.4"), "Z79.84", False),
        (CodeRef("O24.4"), "O24.410", True),
        (CodeRef("I10", "I16"), "I13.0", True),
        (CodeRef("I10", "I16"), "I16.1", True),
        (CodeRef("I10", "I16"), "I20.9", False),
        (CodeRef("I10", "I1A"), "I1A.0", True),
        (CodeRef("N18.1", "N18.4"), "N18.30", True),
        (CodeRef("N18.1", "N18.4"), "N18.5", False),
        (CodeRef("N18.1", "N18.4"), "N18.9", False),
        (CodeRef("O00", "O9A"), "O99.89", True),
        (CodeRef("A00", "B99"), "C34.90", False),
        (CodeRef("P70", "P74"), "P70.2", True),
    ],
)
def test_code_ref_matches(ref: CodeRef, code: str, matches: bool) -> None:
    assert ref.matches(code) is matches


def test_split_requirements_one_per_code_line() -> None:
    text = (
        "code to identify type of heart failure (I50.-)\n"
        "code to identify stage of chronic kidney disease (N18.1-N18.4, N18.9)"
    )
    reqs = split_requirements(text)
    assert [r.header for r in reqs] == [
        "code to identify type of heart failure (I50.-)",
        "code to identify stage of chronic kidney disease (N18.1-N18.4, N18.9)",
    ]
    assert all(r.checkable for r in reqs)
    assert [str(r) for r in reqs[1].refs] == ["N18.1-N18.4", "N18.9"]


def test_split_requirements_list_of_alternatives() -> None:
    text = "code to identify control using:\ninsulin (Z79.4)\noral antidiabetic drugs (Z79.84)"
    [req] = split_requirements(text)
    assert req.items == ("insulin (Z79.4)", "oral antidiabetic drugs (Z79.84)")
    assert req.checkable


def test_split_requirements_open_lists_are_not_checked() -> None:
    unnamed = "code(s) to specify:\nmanifestations of poisoning\nunderdosing (Z91.12-)"
    examples = (
        "code to identify specific acute organ dysfunction, such as:\nacute kidney failure (N17.-)"
    )
    assert not split_requirements(unnamed)[0].checkable
    assert not split_requirements(examples)[0].checkable


def _kinds(edits: list[Edit]) -> list[tuple[str, tuple[str, ...]]]:
    """Return (kind, codes) of each edit, for short assertions."""
    return [(e.kind, e.codes) for e in edits]


def test_diabetes_without_control_code_is_a_warning(book: Codebook) -> None:
    [edit] = claim_edits(book, ["E11.65"])
    assert edit.kind == "use_additional_code" and edit.severity == "warning"
    assert edit.codes == ("E11.65",)
    assert edit.message.startswith("E11: use additional code to identify control using")
    assert "insulin (Z79.4)" in edit.message and edit.message.endswith("if applicable")
    assert edit.message.count("Z79.84") == 1


@pytest.mark.parametrize("partner", ["Z79.4", "Z79.84", "Z79.85", "z7984"])
def test_any_control_code_satisfies_the_note(book: Codebook, partner: str) -> None:
    assert claim_edits(book, ["E11.65", partner]) == []


def test_excludes1_between_type_1_and_type_2_diabetes(book: Codebook) -> None:
    edits = [e for e in claim_edits(book, ["E11.9", "E10.9", "Z79.4"]) if e.kind == "excludes1"]
    assert len(edits) == 1
    assert edits[0].severity == "error" and set(edits[0].codes) == {"E11.9", "E10.9"}
    assert "cannot be coded together" in edits[0].message and "(E10.-)" in edits[0].message


def test_excludes1_through_a_chapter_range(book: Codebook) -> None:
    edits = claim_edits(book, ["E11.9", "P70.2", "Z79.4"])
    assert ("excludes1", ("E11.9", "P70.2")) in _kinds(edits)


def test_excludes1_within_one_category(book: Codebook) -> None:
    edits = claim_edits(book, ["I50.23", "I50.43"])
    assert ("excludes1", ("I50.23", "I50.43")) in _kinds(edits)


def test_manifestation_as_principal_is_an_error(book: Codebook) -> None:
    edits = claim_edits(book, ["F02.80", "G30.9"])
    assert _kinds(edits) == [("manifestation_principal", ("F02.80",))]
    assert edits[0].severity == "error"
    assert "code first the underlying physiological condition" in edits[0].message
    assert "G30.9 is on the claim" in edits[0].message
    assert claim_edits(book, ["G30.9", "F02.80"]) == []


@pytest.mark.parametrize("code", ["G01", "F02.80", "R65.21", "D63.1"])
def test_manifestations(book: Codebook, code: str) -> None:
    assert is_manifestation(book, code)


@pytest.mark.parametrize("code", ["J18.9", "A41.9", "N18.4", "I50.23", "E66.01", "NOPE"])
def test_not_manifestations(book: Codebook, code: str) -> None:
    assert not is_manifestation(book, code)


def test_code_first_condition_listed_after_the_principal(book: Codebook) -> None:
    edits = claim_edits(book, ["I50.23", "I13.0", "N18.4", "E88.A"])
    assert _kinds(edits) == [("code_first", ("I50.23", "I13.0"))]
    assert edits[0].severity == "warning"
    assert "code-first note at I50" in edits[0].message


def test_principal_checks_can_be_turned_off(book: Codebook) -> None:
    assert claim_edits(book, ["F02.80", "G30.9"], principal_first=False) == []


def test_hypertensive_heart_and_ckd_needs_two_partners(book: Codebook) -> None:
    edits = claim_edits(book, ["I13.0"])
    assert [e.message for e in edits] == [
        "I13.0: use additional code to identify type of heart failure (I50.-), if applicable",
        "I13.0: use additional code to identify stage of chronic kidney disease "
        "(N18.1-N18.4, N18.9), if applicable",
    ]
    assert claim_edits(book, ["I13.0", "I50.23", "N18.4", "E88.A"]) == []


def test_block_and_chapter_notes_do_not_warn(book: Codebook) -> None:
    assert claim_edits(book, ["I10"]) == []
    assert claim_edits(book, ["J18.9"]) == []


def test_a_clean_realistic_claim_has_no_edits(book: Codebook) -> None:
    claim = ["I13.0", "I50.23", "N18.4", "E11.22", "Z79.4", "E88.A", "E78.5"]
    assert claim_edits(book, claim) == []


def test_unknown_and_repeated_codes_are_skipped(book: Codebook) -> None:
    assert claim_edits(book, ["J18.99", "E11.65", "e1165", "Z79.4", ""]) == []
