"""Grade a submission against a rendered chart's key, line by line, like a coding auditor."""

from __future__ import annotations

from collections.abc import Mapping

from simulator.charts.render import Chart, RenderedLine
from simulator.codebook.index import Codebook
from simulator.codebook.validate import Verdict, normalize_code, validate_icd10cm
from simulator.scoring.model import (
    CREDITS,
    Grade,
    GradedLine,
    LineVerdict,
    Submission,
    SubmittedLine,
)

_PERFECT = {LineVerdict.CORRECT, LineVerdict.ALTERNATE, LineVerdict.OPTIONAL}


def grade(
    chart: Chart,
    submission: Submission,
    book: Codebook,
    credits: Mapping[str, float] | None = None,
) -> Grade:
    """Grade one chart: a verdict per line, then code-over-code, record, principal and POA.

    credits maps verdict names to the credit each earns (the pack's table); missing names
    use the defaults in CREDITS.
    """
    table = {v.value: c for v, c in CREDITS.items()}
    table.update(credits or {})
    lines: list[GradedLine] = []
    dx_lines = _grade_part("diagnoses", chart.diagnoses, submission.diagnoses, book, table)
    px_lines = _grade_part("procedures", chart.procedures, submission.procedures, book, table)
    notes: list[str] = []

    principal_correct: bool | None = None
    if chart.diagnoses:
        key_first = chart.diagnoses[0]
        accepted = {key_first.code, *key_first.alternates}
        first = submission.diagnoses[0].code if submission.diagnoses else None
        principal_correct = first is not None and normalize_code(first) in accepted
        if not principal_correct:
            index = next((i for i, g in enumerate(dx_lines) if g.expected == key_first.code), None)
            if index is not None and dx_lines[index].verdict in _PERFECT:
                found = dx_lines[index]
                dx_lines[index] = _replace(
                    found,
                    verdict=LineVerdict.SEQUENCING,
                    credit=table[LineVerdict.SEQUENCING.value],
                    explanation=(
                        f"{key_first.code} is right but must be listed first: it is the "
                        f"{'principal' if chart.setting == 'inpatient' else 'first-listed'} "
                        f"diagnosis; you listed {first} first"
                    ),
                )
    poa_checked = poa_right = 0
    if chart.setting == "inpatient":
        for i, graded in enumerate(dx_lines):
            if graded.poa_expected is None or graded.submitted is None:
                continue
            if graded.verdict in (LineVerdict.EXTRA, LineVerdict.MISSING):
                continue
            poa_checked += 1
            if graded.poa_submitted == graded.poa_expected:
                poa_right += 1
            elif graded.verdict in _PERFECT:
                dx_lines[i] = _replace(
                    graded,
                    verdict=LineVerdict.POA_WRONG,
                    credit=table[LineVerdict.POA_WRONG.value],
                    explanation=(
                        f"POA should be {graded.poa_expected}, "
                        f"you gave {graded.poa_submitted or 'none'}"
                    ),
                )
    lines = dx_lines + px_lines
    counted = [line for line in lines if line.counts]
    possible = len(counted)
    credited = sum(line.credit for line in counted)
    code_over_code = credited / possible if possible else 1.0
    decision_submitted = submission.action
    decision_expected = chart.action.value
    record_correct = (
        all(line.verdict in _PERFECT for line in lines)
        and principal_correct is not False
        and decision_submitted == decision_expected
    )
    if decision_submitted != decision_expected:
        notes.append(
            f"this chart called for '{decision_expected}', you chose '{decision_submitted}'"
        )
    return Grade(
        chart_id=chart.chart_id,
        case_id=chart.case_id,
        lines=tuple(lines),
        code_over_code=code_over_code,
        record_correct=record_correct,
        principal_correct=principal_correct,
        poa_accuracy=(poa_right / poa_checked) if poa_checked else None,
        decision_expected=decision_expected,
        decision_submitted=decision_submitted,
        notes=tuple(notes),
    )


def _replace(line: GradedLine, **changes: object) -> GradedLine:
    """Return a copy of a graded line with some fields changed."""
    from dataclasses import replace

    return replace(line, **changes)  # type: ignore[arg-type]


def _norm(line: SubmittedLine) -> str:
    """Normalise a submitted code for comparison."""
    if line.system == "icd10cm":
        return normalize_code(line.code)
    return line.code.strip().upper()


def _grade_part(
    part: str,
    key: tuple[RenderedLine, ...],
    submitted: tuple[SubmittedLine, ...],
    book: Codebook,
    table: Mapping[str, float],
) -> list[GradedLine]:
    """Match key lines to submitted lines: exact, then alternates, then near misses."""
    used: set[int] = set()
    graded: dict[int, GradedLine] = {}
    codes = [_norm(s) for s in submitted]

    def make(
        k: RenderedLine, verdict: LineVerdict, sub: SubmittedLine | None, why: str
    ) -> GradedLine:
        counts = verdict is not LineVerdict.OPTIONAL
        return GradedLine(
            part=part,
            verdict=verdict,
            expected=k.code,
            submitted=_norm(sub) if sub else None,
            credit=table[verdict.value],
            counts=counts,
            explanation=why,
            rationale=k.rationale,
            evidence=k.evidence,
            poa_expected=k.poa if k.poa not in (None, "exempt") else None,
            poa_submitted=sub.poa if sub else None,
        )

    for pass_alternates in (False, True):
        for ki, k in enumerate(key):
            if ki in graded:
                continue
            targets = set(k.alternates) if pass_alternates else {k.code}
            for si, code in enumerate(codes):
                if si in used or code not in targets:
                    continue
                sub = submitted[si]
                used.add(si)
                if pass_alternates:
                    graded[ki] = make(
                        k,
                        LineVerdict.ALTERNATE,
                        sub,
                        f"{code} is an accepted alternate to {k.code}",
                    )
                elif part == "procedures" and (
                    tuple(sorted(sub.modifiers)) != tuple(sorted(k.modifiers))
                    or sub.units != k.units
                ):
                    graded[ki] = make(
                        k,
                        LineVerdict.MODIFIER_UNITS,
                        sub,
                        f"code right; expected modifiers {'-'.join(k.modifiers) or 'none'} and "
                        f"{k.units} unit(s), got {'-'.join(sub.modifiers) or 'none'} and {sub.units}",
                    )
                else:
                    graded[ki] = make(k, LineVerdict.CORRECT, sub, "matches the key")
                break
    for ki, k in enumerate(key):
        if ki in graded:
            continue
        for si, code in enumerate(codes):
            if si in used:
                continue
            near = _near_miss(k, code, submitted[si].system, book)
            if near is not None:
                used.add(si)
                verdict, why = near
                graded[ki] = make(k, verdict, submitted[si], why)
                break
    for ki, k in enumerate(key):
        if ki not in graded:
            if k.optional:
                graded[ki] = make(
                    k, LineVerdict.OPTIONAL, None, "optional line; no penalty when left out"
                )
            else:
                graded[ki] = make(
                    k, LineVerdict.MISSING, None, f"{k.code} was expected and not coded"
                )
    result = [graded[i] for i in range(len(key))]
    for si, sub in enumerate(submitted):
        if si not in used:
            result.append(
                GradedLine(
                    part=part,
                    verdict=LineVerdict.EXTRA,
                    expected=None,
                    submitted=codes[si],
                    credit=0.0,
                    counts=True,
                    explanation=f"{codes[si]} is not supported by the key; extra codes count against accuracy",
                    poa_submitted=sub.poa,
                )
            )
    return result


def _near_miss(
    k: RenderedLine, code: str, system: str, book: Codebook
) -> tuple[LineVerdict, str] | None:
    """Classify a submitted code that is close to a key code, or return None."""
    if k.system != "icd10cm" or system != "icd10cm":
        return None
    expected = k.code.replace(".", "")
    got = code.replace(".", "")
    if got[:3] != expected[:3]:
        return None
    check = validate_icd10cm(book, code)
    if check.verdict is Verdict.MISSING_PLACEHOLDER and check.suggestions[:1] == (k.code,):
        return LineVerdict.PLACEHOLDER, f"{code} lacks placeholder X: {k.code}"
    if check.verdict in (Verdict.NOT_BILLABLE, Verdict.MISSING_SEVENTH):
        return (
            LineVerdict.NOT_BILLABLE,
            f"{code} is a heading, not a billable code; the documentation supports {k.code}",
        )
    if len(got) == len(expected) == 7 and got[:6] == expected[:6]:
        seventh = book.seventh_characters(k.code)
        return LineVerdict.WRONG_SEVENTH, (
            f"7th character {got[6]} ({seventh.get(got[6], '?')}) should be "
            f"{expected[6]} ({seventh.get(expected[6], '?')})"
        )
    entry_got = book.lookup(code)
    entry_exp = book.lookup(k.code)
    if entry_got and entry_exp and len(got) == len(expected):
        diff = [i for i in range(len(got)) if got[i] != expected[i]]
        sides = {"right", "left", "bilateral"}
        words_got = set(entry_got.title.lower().replace(",", " ").split())
        words_exp = set(entry_exp.title.lower().replace(",", " ").split())
        if len(diff) == 1 and (words_got ^ words_exp) and (words_got ^ words_exp) <= sides:
            return LineVerdict.WRONG_LATERALITY, (
                f"{code} is the wrong side: the documentation supports {k.code} ({entry_exp.title})"
            )
    if entry_got and entry_exp:
        vague = ("unspecified", "without complications", "not elsewhere classified")
        unspecified = any(w in entry_got.title.lower() for w in vague) and not any(
            w in entry_exp.title.lower() for w in vague
        )
        if expected.startswith(got) or unspecified:
            return LineVerdict.LESS_SPECIFIC, (
                f"{code} ({entry_got.title}) is less specific than the documentation supports: "
                f"{k.code} ({entry_exp.title})"
            )
    return (
        LineVerdict.WRONG,
        f"{code} ({entry_got.title if entry_got else 'unknown'}) is not what the documentation supports: {k.code}",
    )
