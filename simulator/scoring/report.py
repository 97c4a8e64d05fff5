"""Grades and shift summaries as plain text lines and as JSON-ready data, never with PHI.

Right and wrong are said in words and symbols (never colour alone): a line starts with
"✓" (full credit), "~" (partial credit or a sequencing/POA error) or "✗" (no credit).
"""

from __future__ import annotations

from typing import Any

from simulator.scoring.explain import one_line
from simulator.scoring.model import PERFECT, Grade, GradedLine, PrivacyFinding
from simulator.scoring.productivity import Pace
from simulator.scoring.summary import GroupScore, ShiftSummary

BAR_WIDTH = 40
"""Width of the accuracy bar in characters; the goal line is drawn as '|'."""


def pct(value: float | None) -> str:
    """Format a share as a whole percentage, or 'n/a'."""
    return "n/a" if value is None else f"{value * 100:.0f}%"


def pct1(value: float | None) -> str:
    """Format a share as a percentage with one decimal, or 'n/a'."""
    return "n/a" if value is None else f"{value * 100:.1f}%"


def yes_no(value: bool | None) -> str:
    """Say a lens result as yes, NO or n/a."""
    return "n/a" if value is None else ("yes" if value else "NO")


def symbol(line: GradedLine) -> str:
    """Return the line's symbol: full credit, partial, or none."""
    if line.verdict in PERFECT:
        return "✓"
    return "~" if line.credit > 0 else "✗"


def goal_bar(value: float, goal: float, width: int = BAR_WIDTH) -> str:
    """Draw a share as a bar with the goal line: [#######-----|--]."""
    filled = round(max(0.0, min(1.0, value)) * width)
    mark = min(width - 1, round(goal * width))
    cells = ["#" if i < filled else "-" for i in range(width)]
    cells[mark] = "|"
    return "[" + "".join(cells) + "]"


def lens_line(grade: Grade) -> list[str]:
    """Return the lenses of one grade as indented text lines."""
    role = "principal" if grade.setting == "inpatient" else "first-listed"
    if grade.graded_codes:
        coc = f"code-over-code {pct(grade.code_over_code)} ({grade.credited:g} of {grade.possible})"
    else:
        coc = "code-over-code n/a (not coded)"
    decision = grade.decision
    decided = (
        f"decision: {grade.decision_submitted}, "
        f"{'right' if grade.decision_correct else 'expected ' + grade.decision_expected}"
    )
    lines = [
        f"  lenses: {coc} · record: {yes_no(grade.record_correct)} · {role}: "
        f"{yes_no(grade.principal_correct)} · POA: {pct(grade.poa_accuracy)} · {decided}"
    ]
    if decision is not None and not decision.correct:
        lines.append(f"    decision: {decision.explanation}")
    if grade.drg is not None:
        drg = grade.drg
        got = f"{drg.submitted_drg:03d}" if drg.submitted_drg is not None else "none"
        change = drg.severity_change
        if drg.match:
            state = "match"
        elif change == "same":
            state = f"NO MATCH, same severity ({drg.expected_severity})"
        else:
            state = f"NO MATCH ({change})"
        lines.append(f"    MS-DRG: key {drg.expected_drg:03d}, yours {got}: {state}")
        lines.append(f"      {drg.explanation}")
    if grade.query is not None:
        query = grade.query
        passed = sum(1 for c in query.checks if c.passed)
        needed = "" if query.needed else " (this chart did not need a query)"
        lines.append(f"    query quality: {passed} of {len(query.checks)} rubric points{needed}")
        for check in query.checks:
            mark = "✓" if check.passed else "✗"
            lines.append(f"      {mark} {check.name}: {check.detail}")
    if grade.time is not None:
        time = grade.time
        state = "within" if time.within_standard else "OVER"
        excluded = (
            f", {time.excluded_seconds / 60:.1f} min pended or locked not counted"
            if time.excluded_seconds
            else ""
        )
        lines.append(
            f"    time: {time.minutes:.1f} min, standard {time.standard_minutes:g} min "
            f"({state} standard){excluded}"
        )
    if grade.privacy:
        lines.append("    privacy: FAIL" if not grade.privacy_passed else "    privacy: pass")
        lines += [f"      {_finding(f)}" for f in grade.privacy]
    else:
        lines.append("    privacy: pass")
    return lines


def _finding(finding: PrivacyFinding) -> str:
    """Say one privacy finding on one line."""
    return f"{finding.severity.value.upper()} {finding.kind.value}: {finding.message}"


def grade_lines(grade: Grade, title: str = "") -> list[str]:
    """Return one chart's grade as text: a line per verdict, its reasons, then the lenses."""
    head = f"{grade.case_id} ({grade.setting})" if grade.setting else grade.case_id
    lines = [f"{head}{' - ' + title if title else ''}"]
    for line in grade.lines:
        credit = f"{line.credit:g}" if line.counts else "-"
        expected = line.expected_form or line.expected or "-"
        submitted = line.submitted_form or line.submitted or "-"
        lines.append(
            f"  {symbol(line)} {line.verdict.value:<24} {expected:<9} {submitted:<9} "
            f"{credit:>4}  {line.explanation}"
        )
        if line.verdict in PERFECT:
            continue
        if line.rationale:
            lines.append(f"      rationale: {one_line(line.rationale)}")
        if line.evidence:
            lines.append(f'      evidence: "{one_line(line.evidence)}"')
        if line.note:
            lines.append(f"      codebook: {one_line(line.note)}")
        if line.guideline:
            lines.append(f"      rule: {line.guideline}")
    if not grade.lines:
        lines.append("  (no code lines graded)")
    for note in grade.notes:
        if note.startswith("graded against"):
            lines.append(f"  note: {note}")
    return lines + lens_line(grade)


def _pace(pace: Pace) -> str:
    """Say one group's pace against its targets."""

    def rate(value: float | None) -> str:
        """Format a rate with one decimal, or 'n/a'."""
        return "n/a" if value is None else f"{value:.1f}"

    return (
        f"{pace.name}: {pace.charts} chart(s) in {pace.hours * 60:.1f} min, "
        f"{rate(pace.charts_per_hour)} charts/h (target {rate(pace.target_charts_per_hour)}), "
        f"{rate(pace.units_per_hour)} WU/h (target {rate(pace.target_units_per_hour)}), "
        f"{pct(pace.productivity)} of standard"
    )


def _group(group: GroupScore) -> str:
    """Say one setting's or topic's accuracy."""
    return (
        f"{group.name} {pct1(group.accuracy)} code-over-code, "
        f"{group.records}/{group.charts} record-level"
    )


def summary_lines(summary: ShiftSummary) -> list[str]:
    """Return the shift summary as text lines."""
    accuracy = summary.accuracy
    goal = summary.accuracy_goal
    lines = [f"Shift summary: {summary.charts} chart(s), synthetic patients"]
    if accuracy is None:
        lines.append("  accuracy: n/a (no charts coded)")
    else:
        state = (
            "goal met"
            if summary.accuracy_met
            else f"BELOW GOAL by {(goal - accuracy) * 100:.1f} points"
        )
        lines.append(
            f"  accuracy {pct1(accuracy)} {goal_bar(accuracy, goal)} goal {pct(goal)}: {state} "
            f"({summary.credited:g} of {summary.possible} credits)"
        )
    lines.append(
        f"  record level {pct(summary.record_rate)} · principal/first-listed "
        f"{pct(summary.principal_rate)} · POA {pct(summary.poa_rate)} · MS-DRG match "
        f"{pct(summary.drg_rate)} · decisions {pct(summary.decision_rate)} · query quality "
        f"{pct(summary.query_score)}"
    )
    prod = summary.productivity
    if prod.overall.charts:
        met = "goal met" if prod.met else "BELOW GOAL"
        lines.append(
            f"  productivity {pct(prod.overall.productivity)} of standard (goal "
            f"{pct(prod.goal)}): {met}"
        )
        lines.append(f"    {_pace(prod.overall)}")
        lines += [f"    {_pace(p)}" for p in prod.by_setting]
        lines.append(
            f"    pended or locked time not counted: {prod.excluded_hours * 60:.1f} min; "
            f"idle time counted: {prod.idle_hours * 60:.1f} min"
        )
    else:
        lines.append("  productivity: n/a (no timings)")
    if prod.untimed:
        lines.append(f"    {prod.untimed} chart(s) without timings left out of productivity")
    if summary.privacy_passed:
        minor = len(summary.privacy)
        lines.append(f"  privacy: pass{f' ({minor} minor event(s))' if minor else ''}")
    else:
        counts = {
            s: sum(1 for f in summary.privacy if f.severity.value == s)
            for s in ("critical", "major", "minor")
        }
        lines.append("  privacy: FAIL (" + ", ".join(f"{n} {s}" for s, n in counts.items()) + ")")
    for finding in summary.privacy:
        where = f"{finding.case_id}: " if finding.case_id else ""
        lines.append(f"    {where}{_finding(finding)}")
    lines.append("  by setting, weakest first:")
    lines += [f"    {_group(g)}" for g in summary.by_setting]
    if summary.by_topic:
        lines.append("  by topic, weakest first:")
        lines += [f"    {_group(g)}" for g in summary.by_topic]
    if summary.study:
        lines.append("  study list:")
        for number, point in enumerate(summary.study, start=1):
            lines.append(f"    {number}. {point.point} (weight {point.weight:g}): {point.why}")
            lines += [f"       - {item}" for item in point.items]
    else:
        lines.append("  study list: nothing to review")
    return lines


def line_dict(line: GradedLine) -> dict[str, Any]:
    """Return one graded line as JSON-ready data."""
    return {
        "part": line.part,
        "verdict": line.verdict.value,
        "expected": line.expected,
        "submitted": line.submitted,
        "credit": line.credit,
        "counts": line.counts,
        "explanation": line.explanation,
        "rationale": one_line(line.rationale),
        "evidence": line.evidence,
        "codebook_note": one_line(line.note),
        "guideline": line.guideline,
        "detail": line.detail,
        "poa_expected": line.poa_expected,
        "poa_submitted": line.poa_submitted,
    }


def grade_dict(grade: Grade) -> dict[str, Any]:
    """Return one chart's grade as JSON-ready data: lines, every lens, notes."""
    drg = grade.drg
    query = grade.query
    time = grade.time
    return {
        "case": grade.case_id,
        "chart": grade.chart_id,
        "setting": grade.setting,
        "topics": list(grade.topics),
        "lines": [line_dict(line) for line in grade.lines],
        "lenses": grade.lens_scores(),
        "code_over_code": {
            "credited": grade.credited,
            "possible": grade.possible,
            "accuracy": grade.code_over_code if grade.graded_codes else None,
        },
        "record_correct": grade.record_correct,
        "principal_correct": grade.principal_correct,
        "poa": {"right": grade.poa_right, "checked": grade.poa_checked},
        "decision": {
            "expected": grade.decision_expected,
            "submitted": grade.decision_submitted,
            "correct": grade.decision_correct,
            "explanation": grade.decision.explanation if grade.decision else "",
        },
        "drg": None
        if drg is None
        else {
            "version": drg.version,
            "expected": drg.expected_drg,
            "expected_title": drg.expected_title,
            "expected_severity": drg.expected_severity,
            "submitted": drg.submitted_drg,
            "submitted_title": drg.submitted_title,
            "submitted_severity": drg.submitted_severity,
            "match": drg.match,
            "severity_change": drg.severity_change,
            "explanation": drg.explanation,
        },
        "query": None
        if query is None
        else {
            "needed": query.needed,
            "score": query.score,
            "compliant": query.compliant,
            "checks": [
                {"name": c.name, "passed": c.passed, "detail": c.detail} for c in query.checks
            ],
        },
        "time": None
        if time is None
        else {
            "counted_minutes": round(time.minutes, 2),
            "excluded_minutes": round(time.excluded_seconds / 60, 2),
            "standard_minutes": time.standard_minutes,
            "within_standard": time.within_standard,
        },
        "privacy": {
            "passed": grade.privacy_passed,
            "findings": [_finding_dict(f) for f in grade.privacy],
        },
        "notes": list(grade.notes),
    }


def _finding_dict(finding: PrivacyFinding) -> dict[str, Any]:
    """Return one privacy finding as JSON-ready data."""
    return {
        "kind": finding.kind.value,
        "severity": finding.severity.value,
        "message": finding.message,
        "rule": finding.rule,
        "case": finding.case_id,
    }


def _pace_dict(pace: Pace) -> dict[str, Any]:
    """Return one group's pace as JSON-ready data."""

    def r(value: float | None) -> float | None:
        """Round a rate for JSON."""
        return None if value is None else round(value, 3)

    return {
        "name": pace.name,
        "charts": pace.charts,
        "counted_minutes": round(pace.hours * 60, 2),
        "standard_minutes": round(pace.standard_hours * 60, 2),
        "charts_per_hour": r(pace.charts_per_hour),
        "target_charts_per_hour": r(pace.target_charts_per_hour),
        "workload_units": round(pace.units, 3),
        "units_per_hour": r(pace.units_per_hour),
        "target_units_per_hour": r(pace.target_units_per_hour),
        "productivity": r(pace.productivity),
    }


def summary_dict(summary: ShiftSummary) -> dict[str, Any]:
    """Return the shift summary as JSON-ready data."""
    prod = summary.productivity

    def group(g: GroupScore) -> dict[str, Any]:
        """Return one setting's or topic's accuracy as JSON-ready data."""
        return {
            "name": g.name,
            "charts": g.charts,
            "accuracy": g.accuracy,
            "records_correct": g.records,
        }

    return {
        "charts": summary.charts,
        "accuracy": {
            "code_over_code": summary.accuracy,
            "credited": summary.credited,
            "possible": summary.possible,
            "goal": summary.accuracy_goal,
            "met": summary.accuracy_met,
        },
        "lenses": {
            "record": summary.record_rate,
            "principal": summary.principal_rate,
            "poa": summary.poa_rate,
            "drg": summary.drg_rate,
            "decision": summary.decision_rate,
            "query": summary.query_score,
        },
        "productivity": {
            "overall": _pace_dict(prod.overall),
            "by_setting": [_pace_dict(p) for p in prod.by_setting],
            "goal": prod.goal,
            "met": prod.met,
            "untimed_charts": prod.untimed,
            "excluded_minutes": round(prod.excluded_hours * 60, 2),
            "idle_minutes": round(prod.idle_hours * 60, 2),
        },
        "privacy": {
            "passed": summary.privacy_passed,
            "findings": [_finding_dict(f) for f in summary.privacy],
        },
        "by_setting": [group(g) for g in summary.by_setting],
        "by_topic": [group(g) for g in summary.by_topic],
        "study": [
            {"point": p.point, "weight": p.weight, "why": p.why, "items": list(p.items)}
            for p in summary.study
        ],
    }
