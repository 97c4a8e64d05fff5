"""Grade a submission against a rendered chart's key, line by line, like a coding auditor.

Lines are matched exactly first, then by alternates, then as near misses (best credit first,
ties broken by the key's order and the submitted code), so the grade does not depend on the
order the secondary codes were typed in. Every lens of DOMAIN.md is computed on the way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache

from simulator.charts.render import Chart, RenderedLine, render_line
from simulator.codebook.index import Codebook
from simulator.codebook.validate import Verdict, normalize_code
from simulator.packs.models import Action, Case
from simulator.scoring import explain
from simulator.scoring.decision import judge_decision, judge_query
from simulator.scoring.drg import drg_lens, version_for
from simulator.scoring.model import (
    CREDITS,
    PERFECT,
    Grade,
    GradedLine,
    LineVerdict,
    Submission,
    SubmittedLine,
)
from simulator.scoring.options import norm
from simulator.scoring.privacy import chart_findings
from simulator.scoring.productivity import time_lens


def grade(
    chart: Chart,
    submission: Submission,
    book: Codebook,
    credits: Mapping[str, float] | None = None,
    *,
    case: Case | None = None,
    fiscal_year: int | None = None,
    drg: bool = True,
) -> Grade:
    """Grade one chart: a verdict per line, then every lens of DOMAIN.md.

    credits maps verdict names to the credit each earns (the pack's table); missing names
    use the defaults in CREDITS. case gives the query and flag expectations (and the codes of
    each physician answer); fiscal_year picks the MS-DRG grouper version (the pack's code
    year); drg=False skips the MS-DRG lens.
    """
    table = {v.value: c for v, c in CREDITS.items()}
    table.update(credits or {})
    key_dx, key_px, answered, note = _answer_key(chart, case, submission)
    notes: list[str] = [note] if note else []
    graded_codes = submission.coded or chart.action is Action.CODE or answered
    inpatient = chart.setting == "inpatient"
    dx_lines: list[GradedLine] = []
    px_lines: list[GradedLine] = []
    if graded_codes:
        key_codes = tuple(k.code for k in key_dx)
        dx_lines = _grade_part("diagnoses", key_dx, submission.diagnoses, book, table, key_codes)
        px_lines = _grade_part("procedures", key_px, submission.procedures, book, table, ())

    principal_correct: bool | None = None
    if graded_codes and key_dx:
        key_first = key_dx[0]
        accepted = {key_first.code, *key_first.alternates}
        first = _norm(submission.diagnoses[0]) if submission.diagnoses else None
        principal_correct = first is not None and first in accepted
        if not principal_correct:
            index = next((i for i, g in enumerate(dx_lines) if g.expected == key_first.code), None)
            if index is not None and dx_lines[index].verdict in PERFECT and first is not None:
                dx_lines[index] = _sequencing(dx_lines[index], first, inpatient, book, table)

    poa_checked = poa_right = 0
    if inpatient:
        for i, graded in enumerate(dx_lines):
            if graded.poa_expected is None or graded.submitted is None:
                continue
            if graded.verdict in (LineVerdict.EXTRA, LineVerdict.MISSING):
                continue
            poa_checked += 1
            if graded.poa_submitted == graded.poa_expected:
                poa_right += 1
            else:
                dx_lines[i] = _poa_wrong(graded, book, table)

    lines = dx_lines + px_lines
    counted = [line for line in lines if line.counts]
    possible = len(counted)
    credited = sum(line.credit for line in counted)
    code_over_code = credited / possible if possible else 1.0

    decision = judge_decision(chart, case, submission)
    if not decision.correct:
        notes.append(decision.explanation)
    query = (
        judge_query(chart, case, submission.query, book) if submission.query is not None else None
    )
    if query is not None:
        notes += [f"query: {c.name}: {c.detail}" for c in query.checks if not c.passed]
    drg_result = None
    if drg and inpatient and graded_codes and key_dx:
        drg_result = drg_lens(chart, key_dx, key_px, lines, submission, version_for(fiscal_year))
        if drg_result is not None and not drg_result.match:
            notes.append(drg_result.explanation)
    privacy = tuple(chart_findings(chart, case, submission))
    notes += [f"privacy ({p.severity.value}): {p.kind.value}: {p.message}" for p in privacy]
    record_correct = (
        all(line.verdict in PERFECT for line in lines)
        and principal_correct is not False
        and decision.correct
    )
    return Grade(
        chart_id=chart.chart_id,
        case_id=chart.case_id,
        lines=tuple(lines),
        code_over_code=code_over_code,
        record_correct=record_correct,
        principal_correct=principal_correct,
        poa_accuracy=(poa_right / poa_checked) if poa_checked else None,
        decision_expected=decision.expected,
        decision_submitted=decision.submitted,
        notes=tuple(notes),
        setting=chart.setting.value,
        topics=chart.topics,
        decision=decision,
        query=query,
        drg=drg_result,
        privacy=privacy,
        time=time_lens(chart, submission.timings),
        poa_right=poa_right,
        poa_checked=poa_checked,
        graded_codes=graded_codes,
    )


def _answer_key(
    chart: Chart, case: Case | None, submission: Submission
) -> tuple[tuple[RenderedLine, ...], tuple[RenderedLine, ...], bool, str]:
    """Return the key to grade by (the chart's, or the physician's answer's) and a note."""
    written = submission.query
    if written is None or not written.answer or case is None or case.query is None:
        return chart.diagnoses, chart.procedures, False, ""
    for answer in case.query.answers:
        if norm(answer.answer) == norm(written.answer):
            return (
                tuple(render_line(line, chart.variant) for line in answer.key.diagnoses),
                tuple(render_line(line, chart.variant) for line in answer.key.procedures),
                True,
                f"graded against the codes the physician's answer documents: {answer.answer}",
            )
    return (
        chart.diagnoses,
        chart.procedures,
        False,
        f"{written.answer!r} is not one of this case's physician answers; graded against the "
        "chart's key",
    )


def _sequencing(
    line: GradedLine, first: str, inpatient: bool, book: Codebook, table: Mapping[str, float]
) -> GradedLine:
    """Turn a right principal code listed later into a sequencing verdict."""
    role = "principal" if inpatient else "first-listed"
    code = line.expected or ""
    return replace(
        line,
        verdict=LineVerdict.SEQUENCING,
        credit=table[LineVerdict.SEQUENCING.value],
        explanation=(
            f"{code} is right but must be listed first: it is the {role} diagnosis; you listed "
            f"{first} first"
        ),
        note=explain.code_first_note(book, first, code),
        guideline=explain.SEQUENCING_RULE[inpatient],
    )


def _poa_wrong(line: GradedLine, book: Codebook, table: Mapping[str, float]) -> GradedLine:
    """Mark a wrong POA indicator: its own verdict on a right code, a remark on a near miss."""
    words = (
        f"POA should be {explain.poa_words(book, line.poa_expected)}, you gave "
        f"{explain.poa_words(book, line.poa_submitted)}"
    )
    if line.verdict not in PERFECT:
        return replace(line, explanation=f"{line.explanation}; {words}")
    return replace(
        line,
        verdict=LineVerdict.POA_WRONG,
        credit=table[LineVerdict.POA_WRONG.value],
        explanation=f"{words}{explain.quote(line.evidence)}",
        note=explain.poa_words(book, line.poa_expected),
        guideline=explain.GUIDELINES[LineVerdict.POA_WRONG],
    )


def _norm(line: SubmittedLine) -> str:
    """Normalise a submitted code for comparison."""
    return _normalized(line.code, line.system)


@lru_cache(maxsize=65536)
def _normalized(code: str, system: str) -> str:
    """Normalise a code of a code set (ICD-10-CM gets its dot after the third character)."""
    return normalize_code(code) if system == "icd10cm" else code.strip().upper()


def _order_key(line: SubmittedLine) -> tuple[str, str, tuple[str, ...], int]:
    """Sort submitted lines by their content, so typing order never changes a grade."""
    return (_norm(line), line.poa or "", tuple(sorted(line.modifiers)), line.units)


def form(code: str, modifiers: tuple[str, ...], units: int) -> str:
    """Write a procedure as coders type it: 99283-25, 29125-LT, J1885 x2."""
    text = "-".join((code, *modifiers))
    return f"{text} x{units}" if units != 1 else text


def _related(key: RenderedLine, code: str, system: str) -> bool:
    """True when a submitted code is of the key line's family (a near-miss candidate)."""
    if key.system != system:
        return False
    expected = key.code.replace(".", "")
    flat = code.replace(".", "")
    size = {"cpt": 4}.get(system, 3)
    return flat[:size] == expected[:size]


def _grade_part(
    part: str,
    key: tuple[RenderedLine, ...],
    submitted: tuple[SubmittedLine, ...],
    book: Codebook,
    table: Mapping[str, float],
    key_codes: tuple[str, ...],
) -> list[GradedLine]:
    """Match key lines to submitted lines: exact, then alternates, then near misses."""
    used: set[int] = set()
    graded: dict[int, GradedLine] = {}
    codes = [_norm(s) for s in submitted]
    order = sorted(range(len(submitted)), key=lambda i: _order_key(submitted[i]))

    def make(
        k: RenderedLine, verdict: LineVerdict, sub: SubmittedLine | None, why: explain.Why
    ) -> GradedLine:
        """Return the graded line of key line k, with the submitted line that matched it."""
        return GradedLine(
            part=part,
            verdict=verdict,
            expected=k.code,
            submitted=_norm(sub) if sub else None,
            credit=table[verdict.value],
            counts=verdict is not LineVerdict.OPTIONAL,
            explanation=why.explanation,
            rationale=k.rationale,
            evidence=k.evidence,
            poa_expected=k.poa if k.poa not in (None, "exempt") else None,
            poa_submitted=sub.poa if sub else None,
            note=why.note,
            guideline=why.guideline,
            detail=why.detail,
            expected_form=form(k.code, k.modifiers, k.units) if part == "procedures" else "",
            submitted_form=form(_norm(sub), sub.modifiers, sub.units)
            if sub is not None and part == "procedures"
            else "",
        )

    def fits(k: RenderedLine, sub: SubmittedLine) -> bool:
        """True when a procedure's modifiers and units are the key's (always, for diagnoses)."""
        return part != "procedures" or (
            sorted(sub.modifiers) == sorted(k.modifiers) and sub.units == k.units
        )

    for pass_alternates in (False, True):
        for ki, k in enumerate(key):
            if ki in graded:
                continue
            targets = set(k.alternates) if pass_alternates else {k.code}
            found = [si for si in order if si not in used and codes[si] in targets]
            if not found:
                continue
            si = next((i for i in found if fits(k, submitted[i])), found[0])
            sub = submitted[si]
            used.add(si)
            if pass_alternates:
                why = explain.Why(f"{codes[si]} is an accepted alternate to {k.code}")
                graded[ki] = make(k, LineVerdict.ALTERNATE, sub, why)
            elif not fits(k, sub):
                why = explain.modifier_units(
                    book, (k.modifiers, k.units), (sub.modifiers, sub.units), k.evidence
                )
                graded[ki] = make(k, LineVerdict.MODIFIER_UNITS, sub, why)
            else:
                graded[ki] = make(k, LineVerdict.CORRECT, sub, explain.Why("matches the key"))

    candidates: list[tuple[float, int, int, int, LineVerdict, explain.Why]] = []
    for ki, k in enumerate(key):
        if ki in graded:
            continue
        for rank, si in enumerate(order):
            if si in used or not _related(k, codes[si], submitted[si].system):
                continue
            verdict, why = _near_miss(k, codes[si], book, key_codes)
            candidates.append((-table[verdict.value], ki, rank, si, verdict, why))
    for _, ki, _, si, verdict, why in sorted(candidates, key=lambda c: c[:3]):
        if ki in graded or si in used:
            continue
        used.add(si)
        graded[ki] = make(key[ki], verdict, submitted[si], why)

    for ki, k in enumerate(key):
        if ki in graded:
            continue
        if k.optional:
            why = explain.Why("optional line; no penalty when left out")
            graded[ki] = make(k, LineVerdict.OPTIONAL, None, why)
        else:
            others = tuple(c for c in key_codes if c != k.code)
            why = explain.missing(book, k.system, k.code, k.evidence, others)
            graded[ki] = make(k, LineVerdict.MISSING, None, why)
    result = [graded[i] for i in range(len(key))]
    all_codes = tuple(sorted({*key_codes, *codes}))
    for si in order:
        if si in used:
            continue
        sub = submitted[si]
        if codes[si] in {codes[u] for u in used}:
            why = explain.duplicate(codes[si], part)
        else:
            others = tuple(c for c in all_codes if c != codes[si])
            why = explain.extra(book, sub.system, codes[si], others)
        result.append(
            GradedLine(
                part=part,
                verdict=LineVerdict.EXTRA,
                expected=None,
                submitted=codes[si],
                credit=table[LineVerdict.EXTRA.value],
                counts=True,
                explanation=why.explanation,
                poa_submitted=sub.poa,
                note=why.note,
                guideline=why.guideline,
                submitted_form=form(codes[si], sub.modifiers, sub.units)
                if part == "procedures"
                else "",
            )
        )
    return result


def _near_miss(
    k: RenderedLine, code: str, book: Codebook, key_codes: tuple[str, ...]
) -> tuple[LineVerdict, explain.Why]:
    """Classify a submitted code of the key line's family."""
    others = tuple(c for c in key_codes if c != k.code)
    if k.system != "icd10cm":
        return LineVerdict.WRONG, explain.wrong_code(
            book, k.system, k.code, code, k.evidence, others
        )
    expected = k.code.replace(".", "")
    got = code.replace(".", "")
    if (
        "X" in expected
        and len(got) < len(expected)
        and got.replace("X", "") == expected.replace("X", "")
    ):
        return LineVerdict.PLACEHOLDER, explain.placeholder(book, k.code, code, k.evidence)
    checked = explain.check(book, code)
    if checked.verdict is Verdict.MISSING_PLACEHOLDER and checked.suggestions:
        filled = checked.suggestions[0]
        if filled[:-1] == k.code[:-1]:
            why = explain.wrong_seventh(book, k.code, filled, k.evidence)
            return LineVerdict.WRONG_SEVENTH, replace(
                why,
                explanation=f"{code} also leaves out placeholder X ({filled}); {why.explanation}",
            )
    if checked.verdict in (Verdict.NOT_BILLABLE, Verdict.MISSING_SEVENTH):
        return LineVerdict.NOT_BILLABLE, explain.not_billable(book, k.code, code, k.evidence)
    if len(got) == len(expected) == 7 and got[:6] == expected[:6]:
        return LineVerdict.WRONG_SEVENTH, explain.wrong_seventh(book, k.code, code, k.evidence)
    got_title = explain.title(book, code)
    exp_title = explain.title(book, k.code)
    if got_title is None or exp_title is None:
        why = explain.wrong_code(book, "icd10cm", k.code, code, k.evidence, others)
        return LineVerdict.WRONG, replace(why, note=checked.message)
    words_got = set(got_title.lower().replace(",", " ").split())
    words_exp = set(exp_title.lower().replace(",", " ").split())
    differ = words_got ^ words_exp
    if differ and differ <= {"right", "left", "bilateral"}:
        return LineVerdict.WRONG_LATERALITY, explain.laterality(book, k.code, code, k.evidence)
    if expected.startswith(got) or (
        explain.is_vague(got_title) and not explain.is_vague(exp_title)
    ):
        return LineVerdict.LESS_SPECIFIC, explain.less_specific(book, k.code, code, k.evidence)
    return LineVerdict.WRONG, explain.wrong_code(book, "icd10cm", k.code, code, k.evidence, others)
