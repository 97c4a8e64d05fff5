"""The reference submission: what an expert submits for a chart, scoring 100% on every lens."""

from __future__ import annotations

from simulator.charts.render import Chart
from simulator.charts.template import substitute
from simulator.packs.models import Case
from simulator.scoring.model import (
    Submission,
    SubmittedFlag,
    SubmittedLine,
    Timings,
    WrittenQuery,
)


def reference_query(chart: Chart, case: Case) -> WrittenQuery | None:
    """Return a compliant query for a query case: its indicators cited, its options offered."""
    if case.query is None:
        return None
    cited = "; ".join(substitute(i, chart.values) for i in case.query.clinical_indicators)
    return WrittenQuery(
        text=(
            f"Clinical indicators in this record: {cited}. Based on your clinical judgment, "
            "please clarify the diagnosis these findings represent, if any."
        ),
        options=tuple(substitute(o, chart.values) for o in case.query.acceptable_options),
    )


def key_submission(chart: Chart, case: Case | None = None, *, optional: bool = True) -> Submission:
    """Return the key as a submission: every key line, the expected action, flag and query.

    The chart is timed at exactly its time standard. optional=False leaves the optional key
    lines out, which costs nothing either.
    """
    coded = chart.action.value == "code"
    diagnoses = tuple(
        SubmittedLine(line.code, line.system, line.poa if line.poa != "exempt" else None)
        for line in chart.diagnoses
        if coded and (optional or not line.optional)
    )
    procedures = tuple(
        SubmittedLine(line.code, line.system, None, line.modifiers, line.units)
        for line in chart.procedures
        if coded and (optional or not line.optional)
    )
    flags: tuple[SubmittedFlag, ...] = ()
    if case is not None and case.flag is not None:
        flags = (SubmittedFlag(case.flag.kind, case.flag.document),)
    query = reference_query(chart, case) if case is not None else None
    return Submission(
        diagnoses=diagnoses,
        procedures=procedures,
        action=chart.action.value,
        reason=chart.action_reason or ("documentation incomplete" if not coded else None),
        query=query,
        flags=flags,
        timings=Timings(open_seconds=chart.time_standard_minutes * 60),
    )
