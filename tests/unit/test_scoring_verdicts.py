"""Every line verdict with real codes, and what each explains: key rationale, evidence, codebook note."""

from __future__ import annotations

import pytest

from simulator.codebook import Codebook
from simulator.packs import LoadedPack
from simulator.scoring import (
    Grade,
    GradedLine,
    LineVerdict,
    Submission,
    SubmittedLine,
    grade,
    key_submission,
)
from simulator.scoring.explain import missed_detail
from tests.unit.grading import chart, dx


def by_expected(result: Grade) -> dict[str | None, GradedLine]:
    """Graded key lines by their expected code."""
    return {line.expected: line for line in result.lines if line.expected is not None}


def test_correct_and_optional(sample: LoadedPack, book: Codebook) -> None:
    ed = chart(sample, "ed-colles-fracture-ladder")
    sub = key_submission(ed, sample.case(ed.case_id), optional=False)
    result = grade(ed, sub, book)
    lines = by_expected(result)
    assert lines["S52.532A"].verdict is LineVerdict.CORRECT
    assert lines["Y92.018"].verdict is LineVerdict.OPTIONAL
    assert not lines["Y92.018"].counts
    assert result.code_over_code == 1.0 and result.record_correct


def test_acceptable_alternate(sample: LoadedPack, book: Codebook) -> None:
    ed = chart(sample, "ed-colles-fracture-ladder")
    key = key_submission(ed)
    sub = Submission(diagnoses=dx("S52.532A", "W11.XXXA", "Y92.017"), procedures=key.procedures)
    line = by_expected(grade(ed, sub, book))["Y92.018"]
    assert line.verdict is LineVerdict.ALTERNATE and line.credit == 1.0
    assert "accepted alternate" in line.explanation


def test_less_specific_names_the_documented_detail(sample: LoadedPack, book: Codebook) -> None:
    clinic = chart(sample, "clinic-diabetes-followup")
    sub = Submission(
        diagnoses=dx("E11.9", "Z79.4", "Z79.84", "I10", "E78.5"),
        procedures=(SubmittedLine("99214", "cpt"),),
    )
    line = by_expected(grade(clinic, sub, book))["E11.65"]
    assert line.verdict is LineVerdict.LESS_SPECIFIC and line.credit == 0.5
    assert line.detail == "hyperglycemia"
    assert "the note documents hyperglycemia" in line.explanation
    assert '"Type 2 diabetes mellitus with hyperglycemia - poorly controlled"' in line.explanation
    assert "E11.65 (Type 2 diabetes mellitus with hyperglycemia)" in line.explanation
    assert "without complications" in line.note
    assert "I.B.18" in line.guideline
    assert "Alphabetic Index" in line.rationale
    assert line.evidence.startswith("Type 2 diabetes mellitus with hyperglycemia")


def test_wrong_seventh_character_shows_the_table(sample: LoadedPack, book: Codebook) -> None:
    ed = chart(sample, "ed-colles-fracture-ladder")
    sub = Submission(diagnoses=dx("S52.532D", "W11.XXXA"))
    line = by_expected(grade(ed, sub, book))["S52.532A"]
    assert line.verdict is LineVerdict.WRONG_SEVENTH and line.credit == 0.5
    assert "7th character D (subsequent encounter for closed fracture" in line.explanation
    assert "A (initial encounter for closed fracture)" in line.explanation
    assert "A = initial encounter for closed fracture" in line.note
    assert "S = sequela" in line.note
    assert "I.C.19.a" in line.guideline


def test_placeholder_missing(sample: LoadedPack, book: Codebook) -> None:
    ed = chart(sample, "ed-colles-fracture-ladder")
    line = by_expected(grade(ed, Submission(diagnoses=dx("S52.532A", "W11A")), book))["W11.XXXA"]
    assert line.verdict is LineVerdict.PLACEHOLDER and line.credit == 0.5
    assert "placeholder X" in line.explanation and "W11.XXXA" in line.explanation
    assert "7th character" in line.note and "W11" in line.note
    assert "I.A.4" in line.guideline


def test_header_is_not_billable(sample: LoadedPack, book: Codebook) -> None:
    clinic = chart(sample, "clinic-diabetes-followup")
    line = by_expected(grade(clinic, Submission(diagnoses=dx("E11")), book))["E11.65"]
    assert line.verdict is LineVerdict.NOT_BILLABLE and line.credit == 0.0
    assert "category heading" in line.explanation and "E11.65" in line.explanation
    assert "E11 Type 2 diabetes mellitus > E11.6" in line.note  # the way down to the code
    assert "E11.65 Type 2 diabetes mellitus with hyperglycemia" in line.note
    assert "I.A.3" in line.guideline


def test_missing_seventh_character_is_not_billable(sample: LoadedPack, book: Codebook) -> None:
    ed = chart(sample, "ed-colles-fracture-ladder")
    line = by_expected(grade(ed, Submission(diagnoses=dx("S52.532")), book))["S52.532A"]
    assert line.verdict is LineVerdict.NOT_BILLABLE
    assert "7th character" in line.note


def test_wrong_laterality(sample: LoadedPack, book: Codebook) -> None:
    ed = chart(sample, "ed-colles-fracture-ladder")
    line = by_expected(grade(ed, Submission(diagnoses=dx("S52.531A")), book))["S52.532A"]
    assert line.verdict is LineVerdict.WRONG_LATERALITY and line.credit == 0.5
    assert "for the right" in line.explanation and "documents the left" in line.explanation
    assert "I.B.13" in line.guideline


def test_unspecified_side_is_less_specific(sample: LoadedPack, book: Codebook) -> None:
    ed = chart(sample, "ed-colles-fracture-ladder")
    line = by_expected(grade(ed, Submission(diagnoses=dx("S52.539A")), book))["S52.532A"]
    assert line.verdict is LineVerdict.LESS_SPECIFIC
    assert line.detail == "left"


def test_modifier_and_units(sample: LoadedPack, book: Codebook) -> None:
    ed = chart(sample, "ed-colles-fracture-ladder")
    sub = Submission(
        diagnoses=dx("S52.532A", "W11.XXXA"),
        procedures=(
            SubmittedLine("99283", "cpt"),
            SubmittedLine("29125", "cpt", modifiers=("RT",)),
            SubmittedLine("J1885", "hcpcs", units=1),
        ),
    )
    lines = by_expected(grade(ed, sub, book))
    assert {lines[c].verdict for c in ("99283", "29125", "J1885")} == {LineVerdict.MODIFIER_UNITS}
    assert "modifiers 25 expected, you gave none" in lines["99283"].explanation
    assert "25 = Significant, separately identifiable E/M" in lines["99283"].note
    assert "LT = Left side" in lines["29125"].note
    assert "2 unit(s) expected, you gave 1" in lines["J1885"].explanation
    assert lines["J1885"].expected_form == "J1885 x2"
    assert lines["J1885"].submitted_form == "J1885"
    assert lines["99283"].credit == 0.5


def test_wrong_code_of_the_same_family(sample: LoadedPack, book: Codebook) -> None:
    clinic = chart(sample, "clinic-diabetes-followup")
    sub = Submission(diagnoses=dx("E11.22"), procedures=(SubmittedLine("99213", "cpt"),))
    lines = by_expected(grade(clinic, sub, book))
    assert lines["E11.65"].verdict is LineVerdict.WRONG and lines["E11.65"].credit == 0.0
    assert "claims diabetic chronic kidney disease" in lines["E11.65"].explanation
    assert lines["99214"].verdict is LineVerdict.WRONG
    assert "moderate MDM" in lines["99214"].explanation


def test_missing_names_the_note_that_asks_for_it(sample: LoadedPack, book: Codebook) -> None:
    clinic = chart(sample, "clinic-diabetes-followup")
    sub = Submission(diagnoses=dx("E11.65", "Z79.4", "I10", "E78.5"))
    line = by_expected(grade(clinic, sub, book))["Z79.84"]
    assert line.verdict is LineVerdict.MISSING and line.credit == 0.0 and line.counts
    assert '"metformin 1000 mg BID"' in line.explanation
    assert 'E11 says "use additional code"' in line.note and "Z79.84" in line.note


def test_extra_counts_against_and_cites_excludes1(sample: LoadedPack, book: Codebook) -> None:
    clinic = chart(sample, "clinic-diabetes-followup")
    key = key_submission(clinic)
    sub = Submission(diagnoses=(*key.diagnoses, SubmittedLine("R73.9")), procedures=key.procedures)
    result = grade(clinic, sub, book)
    extra = [line for line in result.lines if line.verdict is LineVerdict.EXTRA]
    assert [line.submitted for line in extra] == ["R73.9"]
    assert "Excludes1 at R73" in extra[0].note and "E11.65" in extra[0].note
    assert result.code_over_code == 6 / 7


def test_a_code_reported_twice_is_extra(sample: LoadedPack, book: Codebook) -> None:
    clinic = chart(sample, "clinic-diabetes-followup")
    result = grade(clinic, Submission(diagnoses=dx("E11.65", "E11.65")), book)
    extra = [line for line in result.lines if line.verdict is LineVerdict.EXTRA]
    assert len(extra) == 1 and "reported once" in extra[0].explanation
    assert "I.B.12" in extra[0].guideline


def test_type_1_for_type_2_is_missing_plus_extra(sample: LoadedPack, book: Codebook) -> None:
    clinic = chart(sample, "clinic-diabetes-followup")
    result = grade(clinic, Submission(diagnoses=dx("E10.65")), book)
    verdicts = {(line.expected, line.submitted): line.verdict for line in result.lines}
    assert verdicts[("E11.65", None)] is LineVerdict.MISSING
    assert verdicts[(None, "E10.65")] is LineVerdict.EXTRA


def test_sequencing_keeps_credit_and_cites_code_first(sample: LoadedPack, book: Codebook) -> None:
    ip = chart(sample, "ip-chf-hypertensive-ckd")
    sub = Submission(diagnoses=dx("I50.23:Y", "I13.0:Y", "N18.31:Y", "I48.21:Y", "Z79.01"))
    result = grade(ip, sub, book, drg=False)
    line = by_expected(result)["I13.0"]
    assert line.verdict is LineVerdict.SEQUENCING and line.credit == 1.0
    assert "principal diagnosis" in line.explanation
    assert 'I50 says "code first"' in line.note and "I13" in line.note
    assert "Section II" in line.guideline
    assert result.principal_correct is False and not result.record_correct
    assert result.code_over_code == 1.0


def test_first_listed_sequencing_outpatient(sample: LoadedPack, book: Codebook) -> None:
    clinic = chart(sample, "clinic-diabetes-followup")
    key = key_submission(clinic)
    sub = Submission(diagnoses=key.diagnoses[::-1], procedures=key.procedures)
    line = by_expected(grade(clinic, sub, book))["E11.65"]
    assert line.verdict is LineVerdict.SEQUENCING
    assert "first-listed" in line.explanation and "IV.G" in line.guideline


def test_poa_wrong(sample: LoadedPack, book: Codebook) -> None:
    ip = chart(sample, "ip-chf-hypertensive-ckd")
    sub = Submission(diagnoses=dx("I13.0:Y", "I50.23:Y", "N18.31:N", "I48.21:Y", "Z79.01"))
    result = grade(ip, sub, book, drg=False)
    line = by_expected(result)["N18.31"]
    assert line.verdict is LineVerdict.POA_WRONG and line.credit == 1.0
    assert "POA should be Y (Yes: condition was present" in line.explanation
    assert "you gave N (No:" in line.explanation
    assert "Appendix I" in line.guideline
    assert result.poa_accuracy == 3 / 4 and (result.poa_right, result.poa_checked) == (3, 4)
    assert not result.record_correct


def test_pack_credits_change_partial_verdicts(sample: LoadedPack, book: Codebook) -> None:
    ed = chart(sample, "ed-colles-fracture-ladder")
    sub = Submission(diagnoses=dx("S52.532D", "W11.XXXA"))
    strict = grade(ed, sub, book, {"wrong 7th character": 0.0})
    assert by_expected(strict)["S52.532A"].credit == 0.0


def test_every_verdict_is_covered() -> None:
    covered = {
        LineVerdict.CORRECT,
        LineVerdict.ALTERNATE,
        LineVerdict.LESS_SPECIFIC,
        LineVerdict.WRONG_SEVENTH,
        LineVerdict.WRONG_LATERALITY,
        LineVerdict.PLACEHOLDER,
        LineVerdict.MODIFIER_UNITS,
        LineVerdict.WRONG,
        LineVerdict.MISSING,
        LineVerdict.EXTRA,
        LineVerdict.OPTIONAL,
        LineVerdict.NOT_BILLABLE,
        LineVerdict.SEQUENCING,
        LineVerdict.POA_WRONG,
    }
    assert covered == set(LineVerdict)


@pytest.mark.parametrize(
    ("expected", "submitted", "detail"),
    [
        (
            "Type 2 diabetes mellitus with hyperglycemia",
            "Type 2 diabetes mellitus without complications",
            "hyperglycemia",
        ),
        (
            "Acute on chronic systolic (congestive) heart failure",
            "Heart failure, unspecified",
            "acute on chronic systolic (congestive)",
        ),
        (
            "Sprain of unspecified ligament of right ankle, initial encounter",
            "Sprain of unspecified ligament of unspecified ankle, initial encounter",
            "right",
        ),
    ],
)
def test_missed_detail(expected: str, submitted: str, detail: str) -> None:
    assert missed_detail(expected, submitted) == detail
