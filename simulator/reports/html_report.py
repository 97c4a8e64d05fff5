"""The HTML report: one self-contained file a trainer can e-mail (inline CSS and SVG, no script).

It is written from the de-identified report data only, and every string in it goes through
`html.escape`, so nothing in a pack, a grade or a comment can add markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from simulator.reports.svg import bar_chart, grouped_bars, line_chart

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1b1b;margin:24px;
max-width:1100px;line-height:1.4}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid
#1f5fa8;padding-bottom:2px}h3{font-size:15px;margin:18px 0 6px}
.note{background:#f3f6fa;border-left:4px solid #1f5fa8;padding:6px 10px;font-size:13px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
th,td{border:1px solid #c9d1da;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eef1f5}td.n{text-align:right;white-space:nowrap}
.ok{font-weight:bold}.bad{font-weight:bold;text-decoration:underline}
.why{color:#444;font-size:12px}dl{display:grid;grid-template-columns:max-content auto;
gap:2px 12px;font-size:13px}dt{font-weight:bold}dd{margin:0}
.chart{border-top:1px solid #c9d1da;margin-top:10px}
@media print{body{margin:0}h2{page-break-before:auto}.chart{page-break-inside:avoid}}
"""
"""The report's style sheet, inlined in the file."""

PERFECT = {"correct", "acceptable alternate", "optional"}
"""Verdicts that leave a line fully right."""


def _e(value: Any) -> str:
    """Escape any value for HTML text or an attribute."""
    return escape("" if value is None else str(value), quote=True)


def _pct(value: float | None, digits: int = 1) -> str:
    """Format a share as a percentage, or n/a."""
    return "n/a" if value is None else f"{value * 100:.{digits}f}%"


def _num(value: float | None) -> str:
    """Format a rate with one decimal, or n/a."""
    return "n/a" if value is None else f"{value:.1f}"


def _yes(value: bool | None) -> str:
    """Say a yes/no lens in words."""
    return "n/a" if value is None else ("yes" if value else "NO")


def _symbol(line: Mapping[str, Any]) -> str:
    """Return the line's mark and verdict: ✓ full credit, ~ partial, ✗ none."""
    mark = "✓" if line["verdict"] in PERFECT else "~" if float(line["credit"]) > 0 else "✗"
    return f"{mark} {line['verdict']}"


def _table(
    head: Sequence[str], rows: Sequence[Sequence[str]], numeric: frozenset[int] = frozenset()
) -> str:
    """Return a table; cells are already-escaped HTML, numeric columns right-aligned."""
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>")
        out += [
            f'<td class="n">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        ]
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _accuracy(value: float | None, original: float | None) -> str:
    """Say an accuracy, with the graded figure when manual credit changed it."""
    text = _pct(value)
    if value is not None and original is not None and abs(value - original) > 1e-9:
        text += f" (graded {_pct(original)})"
    return _e(text)


def _pace_cells(pace: Mapping[str, Any]) -> list[str]:
    """Return a pace's cells: charts, minutes, charts/h (target), WU/h (target), productivity."""
    return [
        _e(pace["charts"]),
        _e(f"{pace['counted_minutes']:.1f}"),
        _e(f"{_num(pace['charts_per_hour'])} ({_num(pace['target_charts_per_hour'])})"),
        _e(f"{_num(pace['units_per_hour'])} ({_num(pace['target_units_per_hour'])})"),
        _e(_pct(pace["productivity"], 0)),
    ]


def _trainees(data: Mapping[str, Any]) -> str:
    """Return the trainee comparison: a table and a chart (cohort) or a progress chart."""
    trainees = data["trainees"]
    if not trainees:
        return ""
    rows = []
    for t in trainees:
        weakest = ", ".join(f"{g['name']} {_pct(g['accuracy'], 0)}" for g in t["weakest_topics"])
        rows.append(
            [
                _e(t["trainee"]),
                _e(t["sessions"]),
                _e(t["charts_graded"]),
                _accuracy(t["accuracy"], t["original_accuracy"]),
                _e(_pct(t["record_accuracy"], 0)),
                *_pace_cells(t["productivity"])[2:],
                _e(t["privacy_events"]),
                _e(weakest or "-"),
            ]
        )
    head = [
        "trainee",
        "sessions",
        "charts graded",
        "accuracy",
        "record",
        "charts/h (target)",
        "WU/h (target)",
        "productivity",
        "privacy events",
        "weakest topics",
    ]
    title = "Trainees compared" if data["kind"] == "cohort" else "Trainee"
    parts = [f"<h2>{_e(title)}</h2>", _table(head, rows, frozenset({1, 2, 3, 4, 5, 6, 7, 8}))]
    goal = trainees[0]["accuracy_goal"]
    if data["kind"] == "cohort":
        parts.append(
            grouped_bars(
                "Accuracy and productivity by trainee",
                ["code-over-code accuracy", "productivity (share of standard)"],
                [
                    (t["trainee"], [t["accuracy"], t["productivity"]["productivity"]])
                    for t in trainees
                ],
                goal=goal,
                uid="cohort",
            )
        )
    for i, history in enumerate(data["history"]):
        sessions = history["sessions"]
        if data["kind"] == "trainee" and sessions:
            parts.append(
                line_chart(
                    f"Progress of {history['trainee']} over time",
                    [s["started_at"][5:10] for s in sessions],
                    [
                        ("code-over-code accuracy", [s["accuracy"] for s in sessions]),
                        (
                            "productivity (share of standard)",
                            [s["productivity"]["productivity"] for s in sessions],
                        ),
                    ],
                    goal=goal,
                    uid=f"progress{i}",
                )
            )
    return "".join(parts)


def _topics(topics: Sequence[Mapping[str, Any]], title: str) -> str:
    """Return accuracy by topic, weakest first."""
    if not topics:
        return ""
    rows = [
        [
            _e(g["name"]),
            _e(g["charts"]),
            _e(_pct(g["accuracy"])),
            _e(f"{g['records_correct']}/{g['charts']}"),
        ]
        for g in topics
    ]
    return f"<h3>{_e(title)}</h3>" + _table(
        ["topic", "charts", "code-over-code", "record level"], rows, frozenset({1, 2, 3})
    )


def _lenses(session: Mapping[str, Any], index: int) -> str:
    """Return a session's totals: every lens with the goal, and a bar chart of them."""
    acc = session["accuracy"]
    lenses = session["lenses"]
    met = acc["met"]
    state = "n/a" if met is None else ("goal met" if met else "BELOW GOAL")
    graded = acc["original_code_over_code"]
    changed = (
        graded is not None
        and acc["code_over_code"] is not None
        and abs(graded - acc["code_over_code"]) > 1e-9
    )
    coc = (
        f"{_pct(acc['code_over_code'])} ({acc['credited']:g} of {acc['possible']} credits)"
        + (
            f"; graded {_pct(graded)} ({acc['original_credited']:g}) before manual credit"
            if changed
            else ""
        )
        + f"; goal {_pct(acc['goal'], 0)}: {state}"
    )
    rows = [
        ["code-over-code", _e(coc)],
        ["record level", _e(_pct(lenses["record"]))],
        ["principal / first-listed", _e(_pct(lenses["principal"]))],
        ["POA", _e(_pct(lenses["poa"]))],
        ["MS-DRG match", _e(_pct(lenses["drg"]))],
        ["decision", _e(_pct(lenses["decision"]))],
        ["query quality", _e(_pct(lenses["query"]))],
        ["privacy", _e("pass" if session["privacy"]["passed"] else "FAIL")],
    ]
    chart = bar_chart(
        "Lenses of this session",
        [
            ("code-over-code", acc["code_over_code"]),
            ("record level", lenses["record"]),
            ("principal", lenses["principal"]),
            ("POA", lenses["poa"]),
            ("MS-DRG", lenses["drg"]),
            ("decision", lenses["decision"]),
            ("query quality", lenses["query"]),
        ],
        goal=acc["goal"],
        uid=f"lens{index}",
    )
    return "<h3>Totals</h3>" + _table(["lens", "result"], rows) + chart


def _productivity(session: Mapping[str, Any]) -> str:
    """Return the session's productivity against the pack's targets."""
    prod = session["productivity"]
    head = ["", "charts", "minutes", "charts/h (target)", "WU/h (target)", "productivity"]
    rows = [[_e("all charts"), *_pace_cells(prod["overall"])]]
    rows += [[_e(p["name"]), *_pace_cells(p)] for p in prod["by_setting"]]
    met = prod["met"]
    state = "n/a" if met is None else ("goal met" if met else "BELOW GOAL")
    return (
        "<h3>Productivity</h3>"
        + f"<p>Goal {_e(_pct(prod['goal'], 0))} of standard: {_e(state)}. Targets: "
        + f"{_e(session['targets_from'])}. Pended or locked time not counted: "
        + f"{_e(prod['excluded_minutes'])} min; charts without timings: {_e(prod['untimed_charts'])}.</p>"
        + _table(head, rows, frozenset({1, 2, 3, 4, 5}))
    )


def _privacy(session: Mapping[str, Any]) -> str:
    """Return the session's privacy events."""
    findings = session["privacy"]["findings"]
    if not findings:
        return "<h3>Privacy</h3><p>No privacy events.</p>"
    rows = [
        [
            _e(f["case"] or "shift"),
            _e(f["severity"].upper()),
            _e(f["kind"]),
            _e(f["message"]),
            _e(f["rule"]),
        ]
        for f in findings
    ]
    return "<h3>Privacy events</h3>" + _table(["case", "severity", "event", "what", "rule"], rows)


def _credits(session: Mapping[str, Any]) -> str:
    """Return the session's manual credits, the replaced ones marked."""
    credits = session["manual_credits"]
    if not credits:
        return ""
    rows = [
        [
            _e(c["chart"]),
            _e(c["line"]),
            _e(f"{c['original_credit']:g}"),
            _e(f"{c['credit']:g}"),
            _e(c["by"]),
            _e(c["at"][:16].replace("T", " ")),
            _e(c["comment"]),
            _e("in force" if c["in_force"] else "replaced"),
        ]
        for c in credits
    ]
    return "<h3>Manual credits</h3>" + _table(
        ["chart", "line", "original", "new", "by", "when (UTC)", "comment", "status"],
        rows,
        frozenset({1, 2, 3}),
    )


def _chart(chart: Mapping[str, Any]) -> str:
    """Return one chart: its lenses in a line, then a row per graded line."""
    coc = chart["code_over_code"]
    original = chart["original_code_over_code"]["accuracy"]
    decision = chart["decision"]
    bits = [
        f"code-over-code {_pct(coc['accuracy'])}"
        + (
            f" (graded {_pct(original)})"
            if original is not None
            and coc["accuracy"] is not None
            and abs(original - coc["accuracy"]) > 1e-9
            else ""
        ),
        f"record {_yes(chart['record_correct'])}",
        f"principal {_yes(chart['principal_correct'])}",
        f"POA {_pct(chart['lenses']['poa'], 0)}",
        f"decision {decision['submitted']} ({'right' if decision['correct'] else 'expected ' + str(decision['expected'])})",
    ]
    if chart["drg"] is not None:
        drg = chart["drg"]
        bits.append(
            f"MS-DRG key {drg['expected']}, yours {drg['submitted']}: {'match' if drg['match'] else 'NO MATCH'}"
        )
    if chart["query"] is not None:
        bits.append(f"query quality {_pct(chart['query']['score'], 0)}")
    if chart["time"] is not None:
        time = chart["time"]
        bits.append(
            f"time {time['counted_minutes']:.1f} of {time['standard_minutes']:g} min "
            f"({'within' if time['within_standard'] else 'OVER'} standard)"
        )
    bits.append(f"privacy {'pass' if chart['privacy']['passed'] else 'FAIL'}")
    rows = []
    for line in chart["lines"]:
        credit = f"{line['credit']:g}" if line["counts"] else "-"
        if line["manual"] is not None:
            credit = f"{line['original_credit']:g} → {line['credit']:g} (manual)"
        why = _e(line["explanation"])
        if line["verdict"] not in PERFECT:
            extra = [
                (label, line[key])
                for label, key in (
                    ("rationale", "rationale"),
                    ("evidence", "evidence"),
                    ("codebook", "codebook_note"),
                    ("rule", "guideline"),
                )
                if line[key]
            ]
            why += "".join(
                f'<br><span class="why">{_e(label)}: {_e(text)}</span>' for label, text in extra
            )
        if line["manual"] is not None:
            m = line["manual"]
            why += (
                f'<br><span class="why">manual credit by {_e(m["by"])} at '
                f"{_e(m['at'][:16].replace('T', ' '))} UTC: {_e(m['comment'])}</span>"
            )
        rows.append(
            [
                _e(line["line"]),
                _e(_symbol(line)),
                _e(line["expected"] or "-"),
                _e(line["submitted"] or "-"),
                _e(credit),
                why,
            ]
        )
    table = (
        _table(["#", "verdict", "expected", "coded", "credit", "why"], rows, frozenset({0}))
        if rows
        else "<p>No code lines graded.</p>"
    )
    notes = "".join(f'<p class="why">note: {_e(n)}</p>' for n in chart["notes"])
    return (
        f'<div class="chart"><h3>{_e(chart["chart"])} ({_e(chart["setting"])})</h3>'
        f"<p>{_e(' · '.join(bits))}</p>{table}{notes}</div>"
    )


def _study(session: Mapping[str, Any]) -> str:
    """Return the study list."""
    study = session["study"]
    if not study:
        return ""
    items = []
    for point in study:
        sub = "".join(f"<li>{_e(item)}</li>" for item in point["items"])
        items.append(
            f"<li><b>{_e(point['point'])}</b> (weight {_e(point['weight'])}): {_e(point['why'])}"
            f"<ul>{sub}</ul></li>"
        )
    return "<h3>Study list</h3><ol>" + "".join(items) + "</ol>"


def _session(session: Mapping[str, Any], index: int) -> str:
    """Return one session's section."""
    served = session["charts_served"]
    meta = [
        ("trainee", session["trainee"]),
        ("cohort", session["cohort"] or "-"),
        ("pack", f"{session['pack']} {session['pack_version']}"),
        ("mode", session["mode"]),
        ("started", session["started_at"][:16].replace("T", " ") + " UTC"),
        ("ended", (session["ended_at"] or "-")[:16].replace("T", " ")),
        (
            "charts",
            f"{session['charts_submitted']} submitted"
            + (f" of {served} served" if served is not None else "")
            + f", {session['charts_graded']} graded",
        ),
    ]
    dl = "<dl>" + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in meta) + "</dl>"
    charts = "".join(_chart(chart) for chart in session["charts"])
    return (
        f'<section class="session"><h2>Session {_e(session["session"])}</h2>{dl}'
        + _lenses(session, index)
        + _productivity(session)
        + _privacy(session)
        + _credits(session)
        + _topics(session["by_topic"], "Accuracy by topic, weakest first")
        + _study(session)
        + f"<h3>Charts</h3>{charts or '<p>No graded charts.</p>'}</section>"
    )


def render_html(data: Mapping[str, Any]) -> str:
    """Write the report as one self-contained HTML document."""
    kind, subject = data["kind"], data["subject"]
    title = f"CodeDesk report: {kind} {subject}"
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="note">{_e(data["deidentified"])}</p>',
        f"<p>Generated {_e(data['generated_at'][:16].replace('T', ' '))} UTC.</p>",
        _trainees(data),
    ]
    if kind != "session":
        body.append(
            _topics(data["by_topic"], "Accuracy by topic over every session, weakest first")
        )
    body += [_session(session, i) for i, session in enumerate(data["sessions"])]
    if not data["sessions"]:
        body.append("<p>No sessions recorded yet.</p>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>"
        + "".join(body)
        + "</body></html>\n"
    )
