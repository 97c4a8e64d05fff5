"""A de-identified summary of a session: case and chart ids, verdicts and scores, never PHI."""

from __future__ import annotations

from typing import Any

from simulator.shift.session import Session


def session_summary(session: Session) -> dict[str, Any]:
    """Return the session's results as plain data with no patient identifiers."""
    charts = []
    for state in session.charts:
        chart = state.chart
        entry: dict[str, Any] = {
            "case": chart.case_id,
            "seed": chart.seed,
            "setting": chart.setting.value,
            "status": state.status.value,
            "seconds_worked": round(state.seconds_worked, 1),
            "time_standard_minutes": chart.time_standard_minutes,
        }
        if state.grade is not None:
            grade = state.grade
            entry.update(
                code_over_code=round(grade.code_over_code, 4),
                record_correct=grade.record_correct,
                principal_correct=grade.principal_correct,
                decision_correct=grade.decision_correct,
                lines=[
                    {
                        "verdict": line.verdict.value,
                        "expected": line.expected,
                        "submitted": line.submitted,
                        "credit": line.credit,
                    }
                    for line in grade.lines
                ],
            )
        charts.append(entry)
    accuracy = session.accuracy()
    return {
        "session": session.session_id,
        "pack": session.pack.pack.id,
        "pack_version": session.pack.pack.version,
        "mode": session.mode,
        "charts_done": session.done_count(),
        "charts_total": len(session.charts),
        "accuracy": None if accuracy is None else round(accuracy, 4),
        "charts": charts,
    }


def summary_lines(session: Session) -> list[str]:
    """Return a short plain-text summary for the terminal after the app closes."""
    data = session_summary(session)
    accuracy = data["accuracy"]
    acc = "no charts graded" if accuracy is None else f"code-over-code accuracy {accuracy:.1%}"
    lines = [
        f"Session {data['session']} ({data['pack']} {data['pack_version']}, {data['mode']}): "
        f"{data['charts_done']}/{data['charts_total']} charts done, {acc}."
    ]
    for chart in data["charts"]:
        if "code_over_code" in chart:
            lines.append(
                f"  {chart['case']}: {chart['code_over_code']:.0%}"
                f"{' (record correct)' if chart['record_correct'] else ''}"
            )
    return lines
