"""Grading a chart: verdict per line and the lenses, with real codes."""

from __future__ import annotations

from simulator.charts.render import render
from simulator.codebook import Codebook
from simulator.packs import LoadedPack
from simulator.scoring import LineVerdict, Submission, SubmittedLine, grade
from tests.unit.test_render import SHIFT


def _chart(starter: LoadedPack, case_id: str, seed: int = 1):  # type: ignore[no-untyped-def]
    return render(starter.case(case_id), seed, SHIFT)


def _dx(*codes: str, poa: str | None = None) -> tuple[SubmittedLine, ...]:
    return tuple(SubmittedLine(c, poa=poa) for c in codes)


def test_key_scores_full_marks(starter: LoadedPack, book: Codebook) -> None:
    chart = _chart(starter, "ip-chf-exacerbation")
    sub = Submission(
        diagnoses=tuple(
            SubmittedLine(line.code, poa=line.poa if line.poa != "exempt" else None)
            for line in chart.diagnoses
        ),
        procedures=tuple(SubmittedLine(line.code, line.system) for line in chart.procedures),
    )
    result = grade(chart, sub, book)
    assert result.code_over_code == 1.0
    assert result.record_correct and result.principal_correct
    assert result.poa_accuracy == 1.0


def test_less_specific_missing_extra(starter: LoadedPack, book: Codebook) -> None:
    chart = _chart(starter, "clinic-diabetes-followup")
    sub = Submission(
        diagnoses=_dx("E11.9", "Z79.4", "Z79.84", "I10", "R73.9"),
        procedures=(SubmittedLine("99214", "cpt"),),
    )
    result = grade(chart, sub, book)
    verdicts = {(g.expected, g.submitted): g.verdict for g in result.lines}
    assert verdicts[("E11.65", "E11.9")] is LineVerdict.LESS_SPECIFIC
    assert verdicts[("E78.5", None)] is LineVerdict.MISSING
    assert verdicts[(None, "R73.9")] is LineVerdict.EXTRA
    # 4 correct + 0.5 less specific over 6 key lines + 1 extra
    assert abs(result.code_over_code - 4.5 / 7) < 1e-9
    assert not result.record_correct


def test_sequencing_and_poa(starter: LoadedPack, book: Codebook) -> None:
    chart = _chart(starter, "ip-chf-exacerbation")
    ckd = chart.diagnoses[2].code
    sub = Submission(
        diagnoses=(
            SubmittedLine("I50.23", poa="Y"),
            SubmittedLine("I13.0", poa="Y"),
            SubmittedLine(ckd, poa="N"),
            SubmittedLine("I48.21", poa="Y"),
            SubmittedLine("M10.9", poa="Y"),
            SubmittedLine("Z79.01"),
        )
    )
    result = grade(chart, sub, book)
    verdicts = {g.expected: g.verdict for g in result.lines}
    assert verdicts["I13.0"] is LineVerdict.SEQUENCING
    assert verdicts[ckd] is LineVerdict.POA_WRONG
    assert result.principal_correct is False
    assert result.poa_accuracy == 4 / 5


def test_seventh_character_and_optional(starter: LoadedPack, book: Codebook) -> None:
    chart = _chart(starter, "ed-ankle-sprain")
    wrong = chart.diagnoses[0].code[:-1] + "D"
    result = grade(
        chart, Submission(diagnoses=_dx(wrong), procedures=(SubmittedLine("99283", "cpt"),)), book
    )
    verdicts = [g.verdict for g in result.lines]
    assert verdicts[0] is LineVerdict.WRONG_SEVENTH
    assert verdicts[1] is LineVerdict.OPTIONAL and verdicts[2] is LineVerdict.OPTIONAL
    assert result.code_over_code == 1.5 / 2


def test_wrong_laterality(starter: LoadedPack, book: Codebook) -> None:
    chart = _chart(starter, "ed-ankle-sprain")
    code = chart.diagnoses[0].code
    other = (
        code.replace("S93.491", "S93.49X")
        .replace("S93.492", "S93.491")
        .replace("S93.49X", "S93.492")
    )
    result = grade(chart, Submission(diagnoses=_dx(other)), book)
    assert result.lines[0].verdict is LineVerdict.WRONG_LATERALITY


def test_placeholder_and_header(starter: LoadedPack, book: Codebook) -> None:
    chart = _chart(starter, "ed-ankle-sprain")
    result = grade(chart, Submission(diagnoses=_dx("S93.4", "W010A")), book)
    verdicts = {g.expected: g.verdict for g in result.lines}
    assert verdicts[chart.diagnoses[0].code] is LineVerdict.NOT_BILLABLE
    assert verdicts["W01.0XXA"] is LineVerdict.PLACEHOLDER


def test_modifier_wrong(starter: LoadedPack, book: Codebook) -> None:
    chart = _chart(starter, "ed-ankle-sprain")
    result = grade(
        chart,
        Submission(
            diagnoses=_dx(chart.diagnoses[0].code),
            procedures=(SubmittedLine("99283", "cpt", modifiers=("25",)),),
        ),
        book,
    )
    assert result.lines[-1].verdict is LineVerdict.MODIFIER_UNITS


def test_pack_credit_table_overrides_defaults(starter: LoadedPack, book: Codebook) -> None:
    chart = _chart(starter, "clinic-diabetes-followup")
    sub = Submission(
        diagnoses=_dx("E11.9", "Z79.4", "Z79.84", "I10", "E78.5"),
        procedures=(SubmittedLine("99214", "cpt"),),
    )
    default = grade(chart, sub, book)
    stricter = grade(chart, sub, book, {"less specific": 0.0})
    assert abs(default.code_over_code - 5.5 / 6) < 1e-9
    assert abs(stricter.code_over_code - 5 / 6) < 1e-9
