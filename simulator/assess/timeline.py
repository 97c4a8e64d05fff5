"""The replay timeline of a sitting: each event in plain words, and the pauses between them.

Patient data never appears: a query's text is summarized, not repeated, and what was typed in a
search is shown with any patient identifier of the sitting's charts redacted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from simulator.assess import handin

if TYPE_CHECKING:
    from simulator.store.base import Event

CLOSING = {"chart_closed", "chart_submitted", "chart_pended", "query_sent"}
"""Events after which a chart is no longer open (no hesitation is measured across them)."""


@dataclass(frozen=True)
class TimelineEntry:
    """One action in a sitting, as the screener's replay shows it."""

    seconds: float
    """Seconds since the sitting started."""
    seq: int
    kind: str
    text: str
    gap: float | None = None
    """Seconds since the previous action on this chart, while it was open."""
    hesitation: bool = False
    """True when the gap is longer than the report's hesitation threshold."""


def describe(event: Event) -> str:
    """Say one event in a few plain words (no patient data; query text is not repeated)."""
    p = event.payload
    kind = event.kind
    part = "diagnosis" if p.get("part") == "diagnoses" else "procedure"
    if kind == "chart_opened":
        return "opened the chart"
    if kind == "chart_closed":
        return "back to the queue"
    if kind == "code_added":
        verdict = p.get("verdict", "")
        check = "" if verdict in ("", "valid") else f" (codebook: {verdict})"
        return f"added {part} {p.get('raw', p.get('code', '?'))}{check}"
    if kind == "code_removed":
        return f"removed {part} {p.get('code', '?')}"
    if kind == "code_moved":
        return f"moved {part} line {int(p.get('from', 0)) + 1} to {int(p.get('to', 0)) + 1}"
    if kind == "poa_set":
        return f"POA of diagnosis {int(p.get('index', 0)) + 1} set to {p.get('poa') or 'none'}"
    if kind == "chart_submitted":
        dx = " ".join(f"{c}{':' + poa if poa else ''}" for c, poa in p.get("diagnoses", []))
        px = " ".join(str(line[0]) for line in p.get("procedures", []))
        codes = " | ".join(x for x in (dx, px) if x) or "no codes"
        reason = f" ({p['reason']})" if p.get("reason") else ""
        return f"submitted as {p.get('action', 'code')}{reason}: {codes}"
    if kind == "chart_pended":
        return f"pended: {p.get('reason', '')}"
    if kind == "pend_released":
        return "released the pend"
    if kind == "query_sent":
        options = p.get("options") or []
        return f"sent a physician query ({len(options)} option(s), {len(str(p.get('text', '')))} characters)"
    if kind == "query_answered":
        return f"physician answered: {p.get('answer', '')}"
    if kind == "identifier_revealed":
        reason = p.get("reason") or "no reason given"
        return f"revealed the {p.get('identifier', '?')} (reason: {reason})"
    if kind == "unassigned_chart_opened":
        return "opened a chart that is not in the queue (patient search)"
    if kind == "patient_searched":
        return f"searched the patient index ({p.get('results', '?')} found)"
    if kind == "inbox_answered":
        return f"answered inbox message {p.get('message', '?')}: {p.get('answer', '?')}"
    if kind == "code_looked_up":
        picked = f", took {p['picked']}" if p.get("picked") else ", took nothing"
        return f'looked up "{p.get("query", "")}" ({p.get("results", "?")} results{picked})'
    if kind == "tabular_browsed":
        return f"browsed the tabular list (took {p.get('picked') or 'nothing'})"
    if kind == "chart_searched":
        return f'found "{p.get("text", "")}" in the chart ({p.get("hits", "?")} hits)'
    if kind == "document_viewed":
        return f"read document {p.get('document', '?')}"
    if kind == "screen_locked":
        return "screen locked (idle)"
    if kind == "screen_unlocked":
        return "screen unlocked"
    if kind == "session_started":
        return f"sitting started ({len(p.get('charts', []))} charts)"
    if kind == "session_resumed":
        return "came back to the sitting (the app was restarted)"
    if kind == handin.HANDED_IN:
        return f"assessment handed in ({p.get('reason', '')})"
    if kind == "session_ended":
        return "sitting ended"
    shown = ", ".join(f"{k}={v}" for k, v in sorted(p.items()) if k != "chart")
    return f"{kind.replace('_', ' ')}{': ' + shown if shown else ''}"


def timelines(
    events: Sequence[Event],
    start: datetime,
    hesitation: float,
    redact: Callable[[str], str] = str,
) -> tuple[dict[str, list[TimelineEntry]], list[TimelineEntry]]:
    """Split the events into one timeline per chart (with gaps) and the sitting's own events.

    Every description passes through `redact`: what a candidate typed in a search could be a
    patient's name or number.
    """
    charts: dict[str, list[TimelineEntry]] = {}
    sitting: list[TimelineEntry] = []
    last: dict[str, Event] = {}
    for event in events:
        seconds = (event.at - start).total_seconds()
        chart = event.payload.get("chart")
        if event.kind == "unassigned_chart_opened" or not isinstance(chart, str):
            sitting.append(TimelineEntry(seconds, event.seq, event.kind, redact(describe(event))))
            continue
        gap = None
        before = last.get(chart)
        if before is not None and before.kind not in CLOSING:
            gap = (event.at - before.at).total_seconds()
        charts.setdefault(chart, []).append(
            TimelineEntry(
                seconds,
                event.seq,
                event.kind,
                redact(describe(event)),
                gap,
                gap is not None and gap > hesitation,
            )
        )
        last[chart] = event
    return charts, sitting
