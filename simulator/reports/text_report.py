"""The plain-text report for a terminal, written from the de-identified report data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PERFECT = {"correct", "acceptable alternate", "optional"}
"""Verdicts that leave a line fully right."""


def _pct(value: float | None, digits: int = 1) -> str:
    """Format a share as a percentage, or n/a."""
    return "n/a" if value is None else f"{value * 100:.{digits}f}%"


def _num(value: float | None) -> str:
    """Format a rate with one decimal, or n/a."""
    return "n/a" if value is None else f"{value:.1f}"


def _yes(value: bool | None) -> str:
    """Say a yes/no lens in words."""
    return "n/a" if value is None else ("yes" if value else "NO")


def _changed(value: float | None, original: float | None) -> str:
    """Say the graded figure when manual credit changed a share."""
    if value is None or original is None or abs(value - original) <= 1e-9:
        return ""
    return f" (graded {_pct(original)})"


def _pace(pace: Mapping[str, Any]) -> str:
    """Say a pace against its targets."""
    return (
        f"{pace['charts']} chart(s) in {pace['counted_minutes']:.1f} min, "
        f"{_num(pace['charts_per_hour'])} charts/h (target {_num(pace['target_charts_per_hour'])}), "
        f"{_num(pace['units_per_hour'])} WU/h (target {_num(pace['target_units_per_hour'])}), "
        f"{_pct(pace['productivity'], 0)} of standard"
    )


def _trainees(data: Mapping[str, Any]) -> list[str]:
    """Return the trainees compared, as an aligned table (weakest accuracy first)."""
    if not data["trainees"]:
        return []
    head = (
        "trainee",
        "sessions",
        "charts",
        "accuracy",
        "record",
        "charts/h (target)",
        "WU/h (target)",
        "prod.",
        "privacy",
        "weakest topics",
    )
    rows = [head]
    for t in data["trainees"]:
        pace = t["productivity"]
        weakest = ", ".join(f"{g['name']} {_pct(g['accuracy'], 0)}" for g in t["weakest_topics"])
        rows.append(
            (
                t["trainee"],
                str(t["sessions"]),
                str(t["charts_graded"]),
                _pct(t["accuracy"]) + _changed(t["accuracy"], t["original_accuracy"]),
                _pct(t["record_accuracy"], 0),
                f"{_num(pace['charts_per_hour'])} ({_num(pace['target_charts_per_hour'])})",
                f"{_num(pace['units_per_hour'])} ({_num(pace['target_units_per_hour'])})",
                _pct(pace["productivity"], 0),
                str(t["privacy_events"]),
                weakest or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head) - 1)]
    title = "Trainees compared, weakest accuracy first:" if data["kind"] == "cohort" else "Trainee:"
    lines = ["", title]
    for row in rows:
        cells = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=False))
        ]
        lines.append("  " + "  ".join([*cells, row[-1]]))
    return lines


def _session(session: Mapping[str, Any]) -> list[str]:
    """Return one session's part of the report."""
    acc = session["accuracy"]
    lenses = session["lenses"]
    met = acc["met"]
    state = "n/a" if met is None else ("goal met" if met else "BELOW GOAL")
    served = session["charts_served"]
    lines = [
        "",
        f"Session {session['session']}: trainee {session['trainee']}, pack {session['pack']} "
        f"{session['pack_version']}, {session['mode']}, started "
        f"{session['started_at'][:16].replace('T', ' ')} UTC",
        f"  charts: {session['charts_submitted']} submitted"
        + (f" of {served} served" if served is not None else "")
        + f", {session['charts_graded']} graded",
        f"  code-over-code {_pct(acc['code_over_code'])}"
        f"{_changed(acc['code_over_code'], acc['original_code_over_code'])} "
        f"({acc['credited']:g} of {acc['possible']} credits), goal {_pct(acc['goal'], 0)}: {state}",
        f"  record {_pct(lenses['record'])} · principal {_pct(lenses['principal'])} · POA "
        f"{_pct(lenses['poa'])} · MS-DRG {_pct(lenses['drg'])} · decision "
        f"{_pct(lenses['decision'])} · query {_pct(lenses['query'])} · privacy "
        f"{'pass' if session['privacy']['passed'] else 'FAIL'}",
    ]
    prod = session["productivity"]
    lines.append(f"  productivity: {_pace(prod['overall'])} (targets: {session['targets_from']})")
    lines += [f"    {p['name']}: {_pace(p)}" for p in prod["by_setting"]]
    for finding in session["privacy"]["findings"]:
        lines.append(
            f"  privacy {finding['severity'].upper()} {finding['kind']}"
            f" ({finding['case'] or 'shift'}): {finding['message']}"
        )
    for credit in session["manual_credits"]:
        state_word = "in force" if credit["in_force"] else "replaced"
        lines.append(
            f"  manual credit {credit['chart']} line {credit['line']}: "
            f"{credit['original_credit']:g} -> {credit['credit']:g} by {credit['by']} at "
            f"{credit['at'][:16].replace('T', ' ')} UTC [{state_word}]: {credit['comment']}"
        )
    if session["by_topic"]:
        weakest = ", ".join(
            f"{g['name']} {_pct(g['accuracy'], 0)}" for g in session["by_topic"][:5]
        )
        lines.append(f"  weakest topics: {weakest}")
    for chart in session["charts"]:
        coc = chart["code_over_code"]
        decision = chart["decision"]
        lines.append(
            f"  {chart['chart']} ({chart['setting']}): code-over-code {_pct(coc['accuracy'])}"
            f"{_changed(coc['accuracy'], chart['original_code_over_code']['accuracy'])}, "
            f"record {_yes(chart['record_correct'])}, principal "
            f"{_yes(chart['principal_correct'])}, decision {decision['submitted']}"
            f"{'' if decision['correct'] else ' (expected ' + str(decision['expected']) + ')'}"
        )
        for line in chart["lines"]:
            mark = "✓" if line["verdict"] in PERFECT else ("~" if line["credit"] > 0 else "✗")
            credit = f"{line['credit']:g}" if line["counts"] else "-"
            if line["manual"] is not None:
                credit = f"{line['original_credit']:g}->{line['credit']:g}"
            lines.append(
                f"    {line['line']:>2} {mark} {line['verdict']:<24} {line['expected'] or '-':<9} "
                f"{line['submitted'] or '-':<9} {credit:>6}  {line['explanation']}"
            )
    return lines


def render_text(data: Mapping[str, Any]) -> str:
    """Write the report as plain text."""
    lines = [
        f"CodeDesk report: {data['kind']} {data['subject']} (generated "
        f"{data['generated_at'][:16].replace('T', ' ')} UTC)",
        data["deidentified"],
        *_trainees(data),
    ]
    if data["kind"] != "session" and data["by_topic"]:
        lines += ["", "Accuracy by topic over every session, weakest first:"]
        lines += [
            f"  {g['name']:<32} {_pct(g['accuracy']):>6}  {g['records_correct']}/{g['charts']} "
            "record-level"
            for g in data["by_topic"]
        ]
    for session in data["sessions"]:
        lines += _session(session)
    if not data["sessions"]:
        lines.append("No sessions recorded yet.")
    return "\n".join(lines) + "\n"
