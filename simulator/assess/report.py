"""The screener's report as JSON, CSV or one self-contained HTML page (every text escaped).

No PHI: charts are named by case, patients never appear, and a query's text is summarized, not
repeated. Right and wrong are said in words and symbols, never by colour alone.
"""

from __future__ import annotations

import csv
import io
import json
from html import escape
from typing import Any

from simulator.assess.scorer import (
    CandidateReport,
    ChartReport,
    MarkResult,
    RejectedFile,
    ScreenerReport,
)
from simulator.assess.timeline import TimelineEntry
from simulator.scoring.report import grade_dict, pct, summary_dict, symbol

CSV_COLUMNS = (
    "file",
    "candidate",
    "status",
    "result",
    "reason",
    "seed",
    "charts_finished",
    "charts",
    "minutes_used",
    "time_limit_minutes",
    "code_over_code",
    "record",
    "principal",
    "poa",
    "drg",
    "decision",
    "query",
    "productivity",
    "privacy",
    "warnings",
)
"""The comparison table's columns, one row per result file."""


def clock(seconds: float) -> str:
    """Format seconds as M:SS (or H:MM:SS past an hour)."""
    total = max(round(seconds), 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _r(value: float | None, digits: int = 4) -> float | None:
    """Round a figure for JSON and CSV."""
    return None if value is None else round(value, digits)


def _mark_dict(mark: MarkResult) -> dict[str, Any]:
    """One pass mark as plain data."""
    return {
        "name": mark.name,
        "value": _r(mark.value),
        "mark": mark.mark,
        "passed": mark.passed,
    }


def _entry_dict(entry: TimelineEntry) -> dict[str, Any]:
    """One timeline entry as plain data."""
    return {
        "seconds": round(entry.seconds, 1),
        "seq": entry.seq,
        "kind": entry.kind,
        "text": entry.text,
        "gap_seconds": _r(entry.gap, 1),
        "hesitation": entry.hesitation,
    }


def _chart_dict(chart: ChartReport) -> dict[str, Any]:
    """One chart as plain data: the grade, the outcome and the timeline."""
    return {
        "chart": chart.public_id,
        "case": chart.case_id,
        "title": chart.title,
        "setting": chart.setting,
        "difficulty": chart.difficulty,
        "outcome": chart.outcome,
        "seconds_worked": round(chart.seconds_worked, 1),
        "standard_minutes": chart.standard_minutes,
        "notes": list(chart.notes),
        "grade": grade_dict(chart.grade),
        "timeline": [_entry_dict(e) for e in chart.timeline],
    }


def _candidate_dict(report: CandidateReport) -> dict[str, Any]:
    """One candidate as plain data."""
    return {
        "file": report.file,
        "candidate": report.candidate,
        "seed": report.seed,
        "session": report.session_id,
        "result": "pass" if report.passed else "fail",
        "started_at": report.started_at.isoformat(),
        "handed_in_at": None if report.handed_in_at is None else report.handed_in_at.isoformat(),
        "hand_in_reason": report.hand_in_reason,
        "minutes_used": round(report.minutes_used, 2),
        "time_limit_minutes": report.time_limit_minutes,
        "charts_finished": report.done,
        "earned_minutes": round(report.earned_minutes, 2),
        "productivity": _r(report.productivity),
        "marks": [_mark_dict(m) for m in report.marks],
        "summary": summary_dict(report.summary),
        "warnings": list(report.warnings),
        "charts": [_chart_dict(c) for c in report.charts],
        "sitting_timeline": [_entry_dict(e) for e in report.session_timeline],
        "events": report.events,
    }


def _rejected_dict(item: RejectedFile) -> dict[str, Any]:
    """One file that was not scored, as plain data."""
    return {
        "file": item.file,
        "status": item.status,
        "reason": item.reason,
        "candidate": item.candidate,
    }


def to_json(report: ScreenerReport) -> str:
    """The whole report as JSON."""
    data = {
        "report": "codedesk-assessment-report",
        "version": 1,
        "synthetic": True,
        "generated_at": report.generated_at.isoformat(),
        "assessment": report.assessment,
        "pass_marks": report.pass_marks,
        "hesitation_seconds": report.hesitation_seconds,
        "candidates": [_candidate_dict(c) for c in report.candidates],
        "rejected": [_rejected_dict(r) for r in report.rejected],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _row(report: CandidateReport) -> dict[str, Any]:
    """One candidate's row of the comparison table."""
    summary = report.summary
    return {
        "file": report.file,
        "candidate": report.candidate,
        "status": "scored",
        "result": "pass" if report.passed else "fail",
        "reason": "",
        "seed": report.seed,
        "charts_finished": report.done,
        "charts": len(report.charts),
        "minutes_used": round(report.minutes_used, 1),
        "time_limit_minutes": report.time_limit_minutes,
        "code_over_code": _r(summary.accuracy),
        "record": _r(summary.record_rate),
        "principal": _r(summary.principal_rate),
        "poa": _r(summary.poa_rate),
        "drg": _r(summary.drg_rate),
        "decision": _r(summary.decision_rate),
        "query": _r(summary.query_score),
        "productivity": _r(report.productivity),
        "privacy": "pass" if summary.privacy_passed else "fail",
        "warnings": len(report.warnings),
    }


def to_csv(report: ScreenerReport) -> str:
    """The comparison table as CSV: one row per result file, rejected files included."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for candidate in report.candidates:
        writer.writerow({k: _safe_cell(v) for k, v in _row(candidate).items()})
    for item in report.rejected:
        writer.writerow(
            {
                "file": _safe_cell(item.file),
                "candidate": _safe_cell(item.candidate or ""),
                "status": item.status,
                "reason": _safe_cell(item.reason),
            }
        )
    return out.getvalue()


def _safe_cell(value: object) -> object:
    """Keep a spreadsheet from running a cell as a formula (=, +, -, @ at the start)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em;
  color: #1b1b1b; background: #fff; }
h1 { font-size: 1.5em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #888; }
h3 { font-size: 1.05em; margin-top: 1.4em; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pass { font-weight: bold; } .fail { font-weight: bold; text-decoration: underline; }
.note { color: #444; } .warn { border-left: 4px solid #b00; padding-left: 0.6em; }
.hes { font-weight: bold; } details { margin: 0.4em 0; } summary { cursor: pointer; }
code { font-family: ui-monospace, monospace; }
@media print { details { display: block; } }
"""
"""The page's only style sheet: no external files, fonts or scripts."""


def _e(value: object) -> str:
    """Escape any value for HTML."""
    return escape(str(value), quote=True)


def _verdict(passed: bool) -> str:
    """PASS or FAIL in words and a symbol."""
    return '<span class="pass">✓ PASS</span>' if passed else '<span class="fail">✗ FAIL</span>'


def _figure(mark: MarkResult) -> str:
    """A mark's value as the page shows it."""
    if mark.name == "privacy":
        return "no critical or major event" if mark.passed else "critical or major event"
    return pct(mark.value)


def _needed(mark: MarkResult) -> str:
    """A mark's threshold as the page shows it."""
    return "none allowed" if mark.name == "privacy" else f"≥ {pct(mark.mark)}"


def _comparison(report: ScreenerReport) -> list[str]:
    """The table comparing every candidate."""
    head = (
        "candidate", "result", "seed", "charts finished", "time used", "code-over-code",
        "record", "principal", "POA", "MS-DRG", "decision", "query", "productivity",
        "privacy", "warnings",
    )  # fmt: skip
    out = ["<table>", "<tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>"]
    for c in report.candidates:
        s = c.summary
        cells = [
            f'<a href="#{_e(_anchor(c))}">{_e(c.candidate)}</a>',
            _verdict(c.passed),
            _e(c.seed),
            f"{c.done} of {len(c.charts)}",
            f"{_e(clock(c.minutes_used * 60))} of {c.time_limit_minutes:g} min",
            pct(s.accuracy),
            pct(s.record_rate),
            pct(s.principal_rate),
            pct(s.poa_rate),
            pct(s.drg_rate),
            pct(s.decision_rate),
            pct(s.query_score),
            pct(c.productivity),
            "pass" if s.privacy_passed else "FAIL",
            str(len(c.warnings)),
        ]
        out.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    out.append("</table>")
    return out


def _anchor(report: CandidateReport) -> str:
    """The id of a candidate's section."""
    return "candidate-" + "".join(ch if ch.isalnum() else "-" for ch in report.candidate)


def _timeline_table(entries: tuple[TimelineEntry, ...], threshold: float) -> list[str]:
    """A replay timeline: when, what, and the pause before it."""
    if not entries:
        return ['<p class="note">No actions recorded.</p>']
    out = ["<table>", "<tr><th>at</th><th>action</th><th>pause before</th></tr>"]
    for entry in entries:
        gap = ""
        if entry.gap is not None:
            gap = clock(entry.gap)
            if entry.hesitation:
                gap = f'<span class="hes">⏸ {_e(gap)} hesitation (over {threshold:g} s)</span>'
            else:
                gap = _e(gap)
        out.append(
            f"<tr><td>{_e(clock(entry.seconds))}</td><td>{_e(entry.text)}</td><td>{gap}</td></tr>"
        )
    out.append("</table>")
    return out


def _chart_section(chart: ChartReport, threshold: float) -> list[str]:
    """One chart: its lines, lenses, notes and timeline, folded."""
    g = chart.grade
    hesitations = sum(1 for e in chart.timeline if e.hesitation)
    record = "record ✓ right" if g.record_correct else "record ✗ not right"
    decision = f"decision {g.decision_submitted} ({'✓ right' if g.decision_correct else '✗ expected ' + g.decision_expected})"
    out = [
        "<details>",
        f"<summary><b>{_e(chart.public_id)}</b> · {_e(chart.case_id)} · {_e(chart.setting)} · "
        f"{_e(chart.outcome)} · code-over-code {pct(g.code_over_code) if g.graded_codes else 'n/a'}"
        f" · {record} · {_e(decision)} · {_e(clock(chart.seconds_worked))} worked, standard "
        f"{chart.standard_minutes:g} min · {hesitations} hesitation(s)</summary>",
        f"<p>{_e(chart.title)} (difficulty {chart.difficulty})</p>",
    ]
    if g.lines:
        out += [
            "<table>",
            "<tr><th></th><th>verdict</th><th>expected</th><th>submitted</th><th>credit</th>"
            "<th>why</th></tr>",
        ]
        for line in g.lines:
            credit = f"{line.credit:g}" if line.counts else "-"
            out.append(
                f"<tr><td>{_e(symbol(line))}</td><td>{_e(line.verdict.value)}</td>"
                f"<td><code>{_e(line.expected_form or line.expected or '-')}</code></td>"
                f"<td><code>{_e(line.submitted_form or line.submitted or '-')}</code></td>"
                f'<td class="num">{_e(credit)}</td><td>{_e(line.explanation)}</td></tr>'
            )
        out.append("</table>")
    for note in (*chart.notes, *g.notes):
        out.append(f'<p class="note">{_e(note)}</p>')
    out.append("<h4>Replay</h4>")
    out += _timeline_table(chart.timeline, threshold)
    out.append("</details>")
    return out


def _candidate_section(c: CandidateReport, threshold: float) -> list[str]:
    """One candidate's section."""
    s = c.summary
    handed = (
        f"handed in at {_e(clock((c.handed_in_at - c.started_at).total_seconds()))} "
        f"({_e(c.hand_in_reason or '')})"
        if c.handed_in_at is not None
        else "not handed in"
    )
    out = [
        f'<h2 id="{_e(_anchor(c))}">{_e(c.candidate)}: {_verdict(c.passed)}</h2>',
        f"<p>Seed {_e(c.seed)} · session <code>{_e(c.session_id)}</code> · started "
        f"{_e(c.started_at.strftime('%Y-%m-%d %H:%M UTC'))} · {handed} · time used "
        f"{_e(clock(c.minutes_used * 60))} of {c.time_limit_minutes:g} min · "
        f"{c.events} events · file {_e(c.file)}</p>",
    ]
    for warning in c.warnings:
        out.append(f'<p class="warn">⚠ {_e(warning)}</p>')
    out += [
        "<h3>Pass marks</h3>",
        "<table><tr><th>mark</th><th>figure</th><th>needed</th><th>met</th></tr>",
    ]
    for mark in c.marks:
        met = "✓ yes" if mark.passed else "✗ no"
        out.append(
            f"<tr><td>{_e(mark.label)}</td><td>{_e(_figure(mark))}</td>"
            f"<td>{_e(_needed(mark))}</td><td>{met}</td></tr>"
        )
    out.append("</table>")
    prod = s.productivity
    out += [
        "<h3>Lenses</h3>",
        "<table><tr><th>lens</th><th>figure</th></tr>",
        f"<tr><td>code-over-code accuracy</td><td>{pct(s.accuracy)} ({s.credited:g} of "
        f"{s.possible} credits)</td></tr>",
        f"<tr><td>record (claim) accuracy</td><td>{pct(s.record_rate)}</td></tr>",
        f"<tr><td>principal / first-listed diagnosis</td><td>{pct(s.principal_rate)}</td></tr>",
        f"<tr><td>POA</td><td>{pct(s.poa_rate)}</td></tr>",
        f"<tr><td>MS-DRG match</td><td>{pct(s.drg_rate)}</td></tr>",
        f"<tr><td>decision (code, query, pend, flag)</td><td>{pct(s.decision_rate)}</td></tr>",
        f"<tr><td>query quality</td><td>{pct(s.query_score)}</td></tr>",
        "</table>",
        "<h3>Productivity</h3>",
        f"<p>Standard minutes of the charts finished: {c.earned_minutes:.1f} in "
        f"{c.minutes_used:.1f} minutes used: productivity {pct(c.productivity)}.</p>",
        "<table><tr><th>setting</th><th>charts</th><th>charts/hour</th><th>target</th>"
        "<th>units/hour</th><th>target</th></tr>",
    ]
    for pace in (prod.overall, *prod.by_setting):
        cph = "n/a" if pace.charts_per_hour is None else f"{pace.charts_per_hour:.1f}"
        tcph = (
            "n/a" if pace.target_charts_per_hour is None else f"{pace.target_charts_per_hour:.1f}"
        )
        uph = "n/a" if pace.units_per_hour is None else f"{pace.units_per_hour:.2f}"
        tuph = "n/a" if pace.target_units_per_hour is None else f"{pace.target_units_per_hour:.2f}"
        out.append(
            f"<tr><td>{_e(pace.name)}</td><td class=num>{pace.charts}</td>"
            f"<td class=num>{cph}</td><td class=num>{tcph}</td><td class=num>{uph}</td>"
            f"<td class=num>{tuph}</td></tr>"
        )
    out.append("</table>")
    out.append("<h3>Privacy</h3>")
    if s.privacy:
        out.append("<ul>")
        real = {chart.public_id: chart.case_id for chart in c.charts}
        for finding in s.privacy:
            case = finding.case_id
            where = f" ({case}: {real[case]})" if case in real else (f" ({case})" if case else "")
            out.append(
                f"<li>{_e(finding.severity.value.upper())} {_e(finding.kind.value)}{_e(where)}: "
                f"{_e(finding.message)}</li>"
            )
        out.append("</ul>")
    else:
        out.append("<p>No privacy events.</p>")
    out.append("<h3>Charts</h3>")
    for chart in c.charts:
        out += _chart_section(chart, threshold)
    out += ["<details><summary>The sitting's own events</summary>"]
    out += _timeline_table(c.session_timeline, threshold)
    out.append("</details>")
    return out


def to_html(report: ScreenerReport) -> str:
    """The whole report as one self-contained HTML page."""
    a = report.assessment
    marks = ", ".join(
        f"{k.replace('_', ' ')} {('required' if v else 'not required') if isinstance(v, bool) else '≥ ' + pct(v)}"
        for k, v in report.pass_marks.items()
        if v is not None
    )
    strata = "; ".join(f"{s['name']}: {s['count']} of {s['cases']}" for s in a["strata"])
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Assessment report: {_e(a['title'])}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Assessment report: {_e(a['title'])}</h1>",
        "<p><b>Every patient in this assessment is synthetic.</b> This report holds no patient "
        "data.</p>",
        f"<p>Pack {_e(a['pack'])} {_e(a['pack_version'])} (FY{_e(a['code_year'])} keys) · sealed "
        f"file {_e(a['file'])} (<code>{_e(a['id'])}</code>) · {a['charts']} charts per candidate "
        f"({_e(strata)}; difficulty total {_e(a['difficulty_total'])}) · time limit "
        f"{a['time_limit_minutes']:g} min · report made "
        f"{_e(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}</p>",
        f"<p>Pass marks: {_e(marks)}. A hesitation is a pause of more than "
        f"{report.hesitation_seconds:g} s between two actions on an open chart.</p>",
        "<h2>Candidates compared</h2>",
    ]
    out += _comparison(report) if report.candidates else ["<p>No result was scored.</p>"]
    if report.rejected:
        out += [
            "<h2>Files not scored</h2>",
            "<table><tr><th>file</th><th>candidate</th><th>status</th><th>why</th></tr>",
        ]
        for item in report.rejected:
            out.append(
                f"<tr><td>{_e(item.file)}</td><td>{_e(item.candidate or '?')}</td>"
                f"<td><b>{_e(item.status.upper())}</b></td><td>{_e(item.reason)}</td></tr>"
            )
        out.append("</table>")
    for candidate in report.candidates:
        out += _candidate_section(candidate, report.hesitation_seconds)
    out.append("</body></html>")
    return "\n".join(out) + "\n"
