"""The lenses beyond code-over-code: MS-DRG, decision, query quality, privacy, time, the summary."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from simulator.codebook import Codebook
from simulator.packs import LoadedPack, Setting
from simulator.scoring import (
    PrivacyEvent,
    PrivacyKind,
    Severity,
    Submission,
    SubmittedFlag,
    Timings,
    WrittenQuery,
    grade,
    key_submission,
    summarize,
)
from simulator.scoring.report import grade_dict, grade_lines, summary_dict, summary_lines
from simulator.scoring.summary import citations
from tests.unit.grading import PACK, chart, dx


@pytest.mark.parametrize("case_id", [c for c in PACK.joinpath("cases").glob("*.yaml")])
def test_key_submission_scores_full_marks_on_every_lens(
    sample: LoadedPack, book: Codebook, case_id: Path
) -> None:
    case = sample.case(case_id.stem)
    drawn = chart(sample, case.id)
    result = grade(drawn, key_submission(drawn, case), book, case=case, fiscal_year=2026)
    scores = {k: v for k, v in result.lens_scores().items() if v is not None}
    assert scores and all(v == 1.0 for v in scores.values()), scores
    assert result.notes == ()


def test_drg_match_and_severity_change(sample: LoadedPack, book: Codebook) -> None:
    ip = chart(sample, "ip-chf-hypertensive-ckd")
    right = grade(ip, key_submission(ip), book, fiscal_year=2026)
    assert right.drg is not None and right.drg.match
    assert (right.drg.expected_drg, right.drg.expected_severity) == (291, "MCC")
    assert right.drg.version == 431
    no_mcc = Submission(diagnoses=dx("I13.0:Y", "I50.9:Y", "N18.31:Y", "I48.21:Y", "Z79.01"))
    result = grade(ip, no_mcc, book, fiscal_year=2026)
    drg = result.drg
    assert drg is not None and not drg.match
    assert drg.submitted_drg == 292 and drg.severity_change == "MCC -> CC"
    assert "the key's MCC I50.23 does not count on your claim" in drg.explanation
    assert any("MS-DRG 292" in note for note in result.notes)
    bare = grade(ip, Submission(diagnoses=dx("I13.0:Y", "N18.31:Y")), book, fiscal_year=2026)
    assert bare.drg is not None and bare.drg.severity_change == "MCC -> no CC/MCC"
    assert grade(ip, no_mcc, book, drg=False).drg is None


def test_drg_of_an_ungroupable_or_empty_claim(sample: LoadedPack, book: Codebook) -> None:
    ip = chart(sample, "ip-chf-hypertensive-ckd")
    result = grade(ip, Submission(), book)
    assert result.drg is not None and result.drg.submitted_drg is None
    assert "no principal diagnosis" in result.drg.explanation
    bad = grade(ip, Submission(diagnoses=dx("I13.0:Q")), book)
    assert bad.drg is not None and not bad.drg.match
    clinic = chart(sample, "clinic-diabetes-followup")
    assert grade(clinic, key_submission(clinic), book).drg is None


def test_decision_lens(sample: LoadedPack, book: Codebook) -> None:
    flag_chart = chart(sample, "clinic-misfiled-lab")
    case = sample.case("clinic-misfiled-lab")
    wrong_doc = Submission(action="flag", flags=(SubmittedFlag("misfiled_document", 1),))
    result = grade(flag_chart, wrong_doc, book, case=case)
    assert result.decision is not None and not result.decision.correct
    assert "wrong document" in result.decision.explanation
    assert "document 2 (Lab report)" in result.decision.explanation
    wrong_kind = Submission(action="flag", flags=(SubmittedFlag("wrong_patient"),))
    assert not grade(flag_chart, wrong_kind, book, case=case).decision_correct
    pend = chart(sample, "ops-unsigned-op-note")
    no_reason = grade(pend, Submission(action="pend"), book)
    assert not no_reason.decision_correct and "reason" in no_reason.notes[0]
    assert grade(pend, Submission(action="pend", reason="op note unsigned"), book).record_correct
    clinic = chart(sample, "clinic-diabetes-followup")
    over = grade(clinic, Submission(action="query"), book)
    assert not over.decision_correct and "over-querying" in over.notes[0]
    query_chart = chart(sample, "ip-pneumonia-sodium-query")
    under = grade(
        query_chart,
        Submission(diagnoses=dx("J18.9:Y")),
        book,
        case=sample.case(query_chart.case_id),
    )
    assert not under.decision_correct and "under-querying" in under.notes[0]
    assert "Sodium 126 on admission" in under.notes[0]


def test_pend_case_not_coded_has_no_code_lines(sample: LoadedPack, book: Codebook) -> None:
    pend = chart(sample, "ops-unsigned-op-note")
    result = grade(pend, Submission(action="pend", reason="op note unsigned"), book)
    assert result.lines == () and not result.graded_codes
    assert result.lens_scores()["code_over_code"] is None


def test_query_rubric(sample: LoadedPack, book: Codebook) -> None:
    query_chart = chart(sample, "ip-pneumonia-sodium-query")
    case = sample.case(query_chart.case_id)
    good = key_submission(query_chart, case)
    assert good.query is not None
    result = grade(query_chart, good, book, case=case)
    assert result.query is not None and result.query.compliant and result.query.needed
    leading = WrittenQuery(
        text=(
            f"Sodium 126 on admission. Documenting hyponatremia would add a CC and raise the "
            f"DRG. Please confirm. Patient SSN {query_chart.patient.ssn}."
        ),
        options=("Yes", "No"),
    )
    bad = grade(query_chart, Submission(action="query", query=leading), book, case=case)
    checks = {c.name: c for c in bad.query.checks} if bad.query else {}
    assert checks["cites clinical indicators"].passed
    assert not checks["non-leading"].passed
    assert not checks["yes/no only to confirm"].passed
    assert "Hyponatremia" in checks["yes/no only to confirm"].detail
    assert not checks["no identifiers beyond need"].passed
    assert bad.query is not None and bad.query.score == pytest.approx(3 / 6)
    assert any(f.kind is PrivacyKind.PHI_IN_QUERY for f in bad.privacy)
    options = WrittenQuery(
        text="Sodium 126 on admission; fluid restriction 1.5 L per day. Please clarify.",
        options=("Hyponatremia", "Sepsis"),
    )
    result = grade(query_chart, Submission(action="query", query=options), book, case=case)
    checks = {c.name: c for c in result.query.checks} if result.query else {}
    assert (
        not checks["no unsupported diagnosis"].passed
        and "Sepsis" in checks["no unsupported diagnosis"].detail
    )
    assert not checks["options include other and clinically undetermined"].passed
    open_ended = WrittenQuery(
        text="Sodium 126 on admission. What condition, if any, does this represent?"
    )
    result = grade(query_chart, Submission(action="query", query=open_ended), book, case=case)
    assert result.query is not None and result.query.compliant


def test_answered_query_is_graded_by_the_answer_key(sample: LoadedPack, book: Codebook) -> None:
    query_chart = chart(sample, "ip-pneumonia-sodium-query")
    case = sample.case(query_chart.case_id)
    query = key_submission(query_chart, case).query
    assert query is not None
    written = replace(query, answer="Hyponatremia")
    sub = Submission(action="query", query=written, diagnoses=dx("J18.9:Y", "E87.1:Y"))
    result = grade(query_chart, sub, book, case=case, fiscal_year=2026)
    assert result.code_over_code == 1.0 and result.record_correct
    assert result.drg is not None and result.drg.match
    assert result.notes[0].startswith("graded against the codes the physician's answer")
    missed = grade(query_chart, replace(sub, diagnoses=dx("J18.9:Y")), book, case=case)
    assert missed.code_over_code == 0.5


def test_privacy_events_and_severity(sample: LoadedPack, book: Codebook) -> None:
    misfiled = chart(sample, "clinic-misfiled-lab")
    case = sample.case(misfiled.case_id)
    coded = grade(misfiled, Submission(diagnoses=dx("I10", "E11.65")), book, case=case)
    kinds = {f.kind: f.severity for f in coded.privacy}
    assert kinds == {PrivacyKind.MISFILED_CODED: Severity.MAJOR}
    assert not coded.privacy_passed
    events = (
        PrivacyEvent("identifier_revealed", identifier="ssn"),
        PrivacyEvent("identifier_revealed", identifier="phone", reason="payer callback"),
        PrivacyEvent("unassigned_chart_opened", case_id="someone-else"),
    )
    clinic = chart(sample, "clinic-diabetes-followup")
    result = grade(clinic, replace(key_submission(clinic), events=events), book)
    severities = sorted(f.severity.value for f in result.privacy)
    assert severities == ["critical", "minor"]
    assert not result.privacy_passed
    minor_only = grade(clinic, replace(key_submission(clinic), events=events[:2]), book)
    assert minor_only.privacy_passed and len(minor_only.privacy) == 1
    assert "164.514(d)" in minor_only.privacy[0].rule


def test_inbox_answers_are_judged_in_the_summary(sample: LoadedPack, book: Codebook) -> None:
    clinic = chart(sample, "clinic-diabetes-followup")
    graded = [grade(clinic, key_submission(clinic), book)]
    unsafe = summarize(
        graded,
        events=[PrivacyEvent("inbox_answer", message="roi-email-request", answer="comply")],
        inbox=sample.inbox,
    )
    assert not unsafe.privacy_passed
    assert unsafe.privacy[0].kind is PrivacyKind.UNSAFE_INBOX
    assert "release of information" in unsafe.privacy[0].message
    safe = summarize(
        graded,
        events=[PrivacyEvent("inbox_answer", message="roi-email-request", answer="route_roi")],
        inbox=sample.inbox,
    )
    assert safe.privacy_passed and safe.privacy == ()


def test_time_excludes_pended_and_locked(sample: LoadedPack, book: Codebook) -> None:
    ip = chart(sample, "ip-chf-hypertensive-ckd")
    timings = Timings(open_seconds=1800, idle_seconds=120, pended_seconds=300, locked_seconds=300)
    result = grade(ip, replace(key_submission(ip), timings=timings), book, drg=False)
    assert result.time is not None
    assert result.time.counted_seconds == 1200 and result.time.excluded_seconds == 600
    assert result.time.within_standard and result.time.efficiency == 1.0
    slow = grade(ip, replace(key_submission(ip), timings=Timings(1500)), book, drg=False)
    assert slow.time is not None and not slow.time.within_standard


def test_productivity_against_pack_targets(sample: LoadedPack, book: Codebook) -> None:
    ed = chart(sample, "ed-colles-fracture-ladder")
    clinic = chart(sample, "clinic-diabetes-followup")
    grades = [
        grade(ed, replace(key_submission(ed), timings=Timings(600)), book),
        grade(clinic, replace(key_submission(clinic), timings=Timings(300)), book),
        grade(clinic, replace(key_submission(clinic), timings=None), book),
    ]
    targets = {s.value: sample.pack.target(s) for s in Setting}
    prod = summarize(grades, targets=targets).productivity
    assert prod.untimed == 1 and prod.overall.charts == 2
    assert prod.overall.hours == pytest.approx(900 / 3600)
    assert prod.overall.charts_per_hour == pytest.approx(8.0)
    emergency = next(p for p in prod.by_setting if p.name == "emergency")
    assert emergency.target_charts_per_hour == pytest.approx(10.0)  # the pack's override
    assert emergency.target_units_per_hour == pytest.approx(5.0)
    assert emergency.units_per_hour == pytest.approx(3.0)
    # 8 + 5 standard minutes over 15 counted minutes
    assert prod.overall.productivity == pytest.approx(13 / 15)
    assert prod.met is False


def test_summary_goal_line_weakest_first_and_study_list(sample: LoadedPack, book: Codebook) -> None:
    ed = chart(sample, "ed-colles-fracture-ladder")
    clinic = chart(sample, "clinic-diabetes-followup")
    grades = [
        grade(
            ed,
            Submission(diagnoses=dx("S52.532D", "W11A"), procedures=key_submission(ed).procedures),
            book,
        ),
        grade(clinic, key_submission(clinic), book),
    ]
    summary = summarize(grades)
    assert summary.accuracy == pytest.approx((4 + 6) / 11)
    assert summary.accuracy_met is False and summary.accuracy_goal == 0.95
    assert [g.name for g in summary.by_setting] == ["emergency", "clinic"]
    assert summary.by_topic[0].name in ed.topics and summary.by_topic[0].accuracy == 0.8
    assert summary.by_topic[-1].name in clinic.topics and summary.by_topic[-1].accuracy == 1.0
    points = {p.point: p for p in summary.study}
    assert [p.weight for p in summary.study] == [0.5, 0.5]
    assert points["Guideline I.A.4"].items == (
        "ed-colles-fracture-ladder: W11.XXXA placeholder X missing (you: W11.A)",
    )
    assert points["Guideline I.C.19.a"].items == (
        "ed-colles-fracture-ladder: S52.532A wrong 7th character (you: S52.532D)",
    )
    assert "7th character A while the patient receives" in points["Guideline I.C.19.a"].why
    text = "\n".join(summary_lines(summary))
    assert "goal 95%: BELOW GOAL" in text and "|" in text
    assert "study list:" in text and "Guideline I.C.19.a" in text
    data = summary_dict(summary)
    json.dumps(data)
    assert data["accuracy"]["met"] is False and data["by_setting"][0]["name"] == "emergency"


def test_report_lines_and_dict(sample: LoadedPack, book: Codebook) -> None:
    ed = chart(sample, "ed-colles-fracture-ladder")
    result = grade(ed, Submission(diagnoses=dx("S52.532A", "W11A")), book)
    lines = grade_lines(result, ed.title)
    assert lines[0].startswith("ed-colles-fracture-ladder (emergency)")
    assert any(line.lstrip().startswith("~ placeholder X missing") for line in lines)
    assert any("rule: ICD-10-CM Guideline I.A.4" in line for line in lines)
    assert any(line.lstrip().startswith("✗ missing") and "99283-25" in line for line in lines)
    data = grade_dict(result)
    json.dumps(data)
    assert data["lenses"]["code_over_code"] == result.code_over_code
    assert {line["verdict"] for line in data["lines"]} >= {"placeholder X missing", "missing"}


def test_citations() -> None:
    text = "Guidelines I.A.5, I.C.19.a and Section II; see IV.G and Appendix I."
    assert citations(text) == ["I.A.5", "I.C.19.a", "Section II", "IV.G", "Appendix I"]
