"""Reports as data, then as JSON and CSV: one de-identified tree that every format is written from.

`report_data` builds the whole report (a session, a trainee's sessions, or a cohort's) as
JSON-ready data and passes every string through the session's `Redactor` before anything is
written, so JSON, CSV, HTML and text can only say what the tree says.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from simulator.reports.cohort import compare, comparison_dict
from simulator.reports.deid import Redactor
from simulator.reports.history import TraineeHistory, group_dict, history_from_reports, row_dict
from simulator.reports.html_report import render_html
from simulator.reports.load import (
    ChartResult,
    Packs,
    ReportError,
    SessionReport,
    cohort_reports,
    session_report,
    trainee_reports,
)
from simulator.reports.text_report import render_text
from simulator.scoring.report import grade_dict, summary_dict
from simulator.scoring.summary import summarize
from simulator.store.base import ManualCredit, Store

FORMAT = "codedesk-report/1"
"""The report format and its version, written at the top of every JSON report."""

FORMATS = ("text", "csv", "json", "html")
"""The formats `codedesk report` writes."""

DEIDENTIFIED = (
    "De-identified (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)): no patient name, date of birth, "
    "MRN, account number, SSN, address, phone number or encounter date. Case, chart and "
    "session ids and the trainee's name or ID are kept. Every patient is synthetic."
)
"""The statement every report carries."""

KEEP = frozenset(
    {
        "format",
        "kind",
        "subject",
        "generated_at",
        "session",
        "trainee",
        "cohort",
        "pack",
        "pack_version",
        "mode",
        "started_at",
        "ended_at",
        "graded_at",
        "at",
        "chart",
        "case",
        "verdict",
        "expected",
        "submitted",
        "part",
        "setting",
        "topics",
        "poa_expected",
        "poa_submitted",
        "severity",
        "by",
        "targets_from",
        "deidentified",
    }
)
"""Keys whose strings are ids, codes, names of things or timestamps: written as they are."""

FREE = frozenset({"detail", "items", "notes", "message", "comment"})
"""Keys whose strings may carry typed text or quote the record: quoted passages are removed."""


def _credit_dict(credit: ManualCredit, in_force: bool) -> dict[str, Any]:
    """Return one manual credit as data (the line numbered from 1)."""
    return {
        "id": credit.id,
        "chart": credit.chart_id,
        "line": credit.line + 1,
        "original_credit": credit.original,
        "credit": credit.credit,
        "by": credit.by,
        "at": credit.at.isoformat(),
        "comment": credit.comment,
        "in_force": in_force,
    }


def chart_data(chart: ChartResult) -> dict[str, Any]:
    """Return one graded chart: grade_dict with manual credits applied, and the original."""
    data = grade_dict(chart.grade)
    original = grade_dict(chart.original)
    data["graded_at"] = chart.graded_at.isoformat() if chart.graded_at else None
    data["original_code_over_code"] = original["code_over_code"]
    data["original_lenses"] = original["lenses"]
    lines = []
    for index, (line, before) in enumerate(zip(data["lines"], original["lines"], strict=True)):
        manual = chart.manual.get(index)
        lines.append(
            {
                "line": index + 1,
                **line,
                "original_credit": before["credit"],
                "manual": None
                if manual is None
                else {
                    "credit": manual.credit,
                    "original_credit": manual.original,
                    "by": manual.by,
                    "at": manual.at.isoformat(),
                    "comment": manual.comment,
                },
            }
        )
    data["lines"] = lines
    return data


def session_data(report: SessionReport) -> dict[str, Any]:
    """Return one session's report as data (before redaction)."""
    summary = summary_dict(report.summary)
    original = report.original
    in_force = {c.id for chart in report.charts for c in chart.manual.values()}
    accuracy = summary["accuracy"]
    return {
        "session": report.session_id,
        "trainee": report.trainee,
        "cohort": report.cohort,
        "pack": report.pack_id,
        "pack_version": report.pack_version,
        "mode": report.mode,
        "started_at": report.started_at.isoformat(),
        "ended_at": report.ended_at.isoformat() if report.ended_at else None,
        "targets_from": report.pack.source,
        "charts_served": report.charts_served,
        "charts_submitted": report.charts_submitted,
        "charts_graded": len(report.charts),
        "accuracy": {
            **accuracy,
            "original_code_over_code": original.accuracy,
            "original_credited": original.credited,
        },
        "lenses": summary["lenses"],
        "productivity": summary["productivity"],
        "privacy": summary["privacy"],
        "by_setting": summary["by_setting"],
        "by_topic": summary["by_topic"],
        "study": summary["study"],
        "charts": [chart_data(chart) for chart in report.charts],
        "manual_credits": [_credit_dict(c, c.id in in_force) for c in report.credits],
    }


def report_data(
    kind: str,
    subject: str,
    sessions: Sequence[SessionReport],
    *,
    histories: Sequence[TraineeHistory] = (),
    generated_at: datetime,
) -> dict[str, Any]:
    """Return the whole report as de-identified, JSON-ready data with stable keys.

    kind is session, trainee or cohort; histories are the trainees compared (trainee and
    cohort reports).
    """
    identifiers: set[str] = set()
    for report in sessions:
        identifiers |= report.identifiers
    overall = summarize([g for report in sessions for g in report.grades])
    data = {
        "format": FORMAT,
        "kind": kind,
        "subject": subject,
        "generated_at": generated_at.isoformat(),
        "synthetic": True,
        "deidentified": DEIDENTIFIED,
        "trainees": [comparison_dict(h) for h in histories],
        "history": [
            {"trainee": h.trainee, "sessions": [row_dict(row) for row in h.rows]} for h in histories
        ],
        "by_topic": [group_dict(g) for g in overall.by_topic],
        "sessions": [session_data(report) for report in sessions],
    }
    cleaned: dict[str, Any] = Redactor(identifiers).tree(data, keep=KEEP, free=FREE)
    return cleaned


def render_json(data: Mapping[str, Any]) -> str:
    """Write the report as JSON (keys in a fixed order, UTF-8 text)."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = (
    "session",
    "trainee",
    "cohort",
    "pack",
    "pack_version",
    "mode",
    "session_started_at",
    "chart",
    "case",
    "setting",
    "topics",
    "line",
    "part",
    "verdict",
    "expected",
    "submitted",
    "counts",
    "original_credit",
    "credit",
    "manual_by",
    "manual_at",
    "manual_comment",
    "poa_expected",
    "poa_submitted",
    "explanation",
    "rationale",
    "evidence",
    "codebook_note",
    "guideline",
    "chart_code_over_code",
    "chart_original_code_over_code",
    "chart_record_correct",
    "chart_principal_correct",
    "chart_poa",
    "chart_drg_match",
    "chart_decision",
    "chart_decision_correct",
    "chart_query_score",
    "chart_privacy_passed",
    "chart_privacy_events",
    "chart_counted_minutes",
    "chart_standard_minutes",
)
"""The CSV header: one row per graded line, the chart's lenses repeated on each of its rows."""

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (CSV injection)."""


def _cell(value: Any) -> Any:
    """Return a value as a CSV cell: text that could start a formula is quoted with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def csv_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the CSV rows of a report: one per graded line (one for a chart with no line)."""
    rows = []
    for session in data["sessions"]:
        for chart in session["charts"]:
            lenses = chart["lenses"]
            time = chart["time"] or {}
            base = {
                "session": session["session"],
                "trainee": session["trainee"],
                "cohort": session["cohort"],
                "pack": session["pack"],
                "pack_version": session["pack_version"],
                "mode": session["mode"],
                "session_started_at": session["started_at"],
                "chart": chart["chart"],
                "case": chart["case"],
                "setting": chart["setting"],
                "topics": chart["topics"],
                "chart_code_over_code": chart["code_over_code"]["accuracy"],
                "chart_original_code_over_code": chart["original_code_over_code"]["accuracy"],
                "chart_record_correct": chart["record_correct"],
                "chart_principal_correct": chart["principal_correct"],
                "chart_poa": lenses["poa"],
                "chart_drg_match": None if chart["drg"] is None else chart["drg"]["match"],
                "chart_decision": chart["decision"]["submitted"],
                "chart_decision_correct": chart["decision"]["correct"],
                "chart_query_score": lenses["query"],
                "chart_privacy_passed": chart["privacy"]["passed"],
                "chart_privacy_events": len(chart["privacy"]["findings"]),
                "chart_counted_minutes": time.get("counted_minutes"),
                "chart_standard_minutes": time.get("standard_minutes"),
            }
            if not chart["lines"]:
                rows.append(base)
            for line in chart["lines"]:
                manual = line["manual"] or {}
                rows.append(
                    {
                        **base,
                        "line": line["line"],
                        "part": line["part"],
                        "verdict": line["verdict"],
                        "expected": line["expected"],
                        "submitted": line["submitted"],
                        "counts": line["counts"],
                        "original_credit": line["original_credit"],
                        "credit": line["credit"],
                        "manual_by": manual.get("by"),
                        "manual_at": manual.get("at"),
                        "manual_comment": manual.get("comment"),
                        "poa_expected": line["poa_expected"],
                        "poa_submitted": line["poa_submitted"],
                        "explanation": line["explanation"],
                        "rationale": line["rationale"],
                        "evidence": line["evidence"],
                        "codebook_note": line["codebook_note"],
                        "guideline": line["guideline"],
                    }
                )
    return rows


def render_csv(data: Mapping[str, Any]) -> str:
    """Write the report as CSV with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in csv_rows(data):
        writer.writerow({column: _cell(row.get(column)) for column in CSV_COLUMNS})
    return out.getvalue()


def make_report(
    store: Store,
    *,
    session: str | None = None,
    trainee: str | None = None,
    cohort: str | None = None,
    packs: Packs | None = None,
    generated_at: datetime,
) -> dict[str, Any]:
    """Read one session, a trainee's sessions or a cohort's from the store into report data.

    Exactly one of session, trainee and cohort is given; ReportError when it is unknown.
    """
    packs = packs or Packs()
    if session is not None:
        reports = [session_report(store, session, packs)]
        return report_data("session", session, reports, generated_at=generated_at)
    if trainee is not None:
        reports = trainee_reports(store, trainee, packs)
        cohort_of = next(
            (row["cohort"] for row in store.trainees() if row["trainee"] == trainee), None
        )
        histories = [history_from_reports(trainee, cohort_of, reports)]
        return report_data(
            "trainee", trainee, reports, histories=histories, generated_at=generated_at
        )
    if cohort is None:
        raise ReportError("name a session, a --trainee or a --cohort")
    found = cohort_reports(store, cohort, packs)
    histories = compare(cohort, found)
    reports = [report for h in histories for report in found[h.trainee]]
    return report_data("cohort", cohort, reports, histories=histories, generated_at=generated_at)


RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "text": render_text,
    "csv": render_csv,
    "json": render_json,
    "html": render_html,
}
"""The writer of each report format."""
