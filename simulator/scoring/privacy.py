"""The privacy lens: each event judged against HIPAA's rules, with a severity each."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from simulator.charts.render import Chart
from simulator.packs.models import Case, InboxMessage
from simulator.scoring.model import (
    PRIVACY_SEVERITY,
    PrivacyEvent,
    PrivacyFinding,
    PrivacyKind,
    Submission,
)

RULES: dict[PrivacyKind, str] = {
    PrivacyKind.UNASSIGNED_CHART: (
        "Minimum necessary, 45 CFR 164.502(b) and 164.514(d): open only the charts assigned "
        "to you; looking up anyone else is snooping"
    ),
    PrivacyKind.IDENTIFIER_REVEALED: (
        "Minimum necessary, 45 CFR 164.514(d): identifiers a coder does not need (SSN, "
        "address, phone) stay masked; revealing one needs a stated reason"
    ),
    PrivacyKind.PHI_IN_QUERY: (
        "Minimum necessary, 45 CFR 164.502(b): a query or note carries only what the "
        "question needs, never an SSN, address or phone"
    ),
    PrivacyKind.MISFILED_CODED: (
        "Record integrity: a document with another patient's name, DOB or MRN is flagged, "
        "never coded from"
    ),
    PrivacyKind.UNSAFE_INBOX: (
        "45 CFR 164.514(h) and 164.502: verify the requester and route requests for PHI to "
        "release of information; never email PHI"
    ),
}
"""The rule behind each privacy event."""

_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b|\b(?:ssn|social security)\b", re.IGNORECASE)
_PHONE = re.compile(r"(?<!\d)\(?\d{3}\)?[-. ]?\d{3}[-. ]\d{4}(?!\d)")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_STREET = re.compile(
    r"\b\d{1,6}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|"
    r"Boulevard|Blvd|Court|Ct|Way|Place|Pl|Circle|Cir|Terrace|Parkway|Pkwy|Trail|Highway|Hwy)"
    r"\b\.?"
)
"""Identifier shapes a query must not carry: SSN, phone, email and street address."""

_UNSAFE_ANSWERS = {
    "refuse": "comply",
    "route_roi": "comply",
    "verify_identity": "comply",
}
"""For each expected inbox answer, the answer that discloses PHI (critical)."""

INBOX_WORDS = {
    "comply": "answer the request",
    "refuse": "refuse it",
    "route_roi": "route it to release of information",
    "verify_identity": "verify the requester's identity first",
}
"""The inbox answers in words."""


def identifiers_in(text: str, chart: Chart | None = None) -> list[str]:
    """Return the kinds of identifier a text carries: ssn, phone, email, address."""
    found: list[str] = []
    lowered = text.lower()
    patient = chart.patient if chart is not None else None
    if _SSN.search(text) or (patient is not None and patient.ssn in text):
        found.append("SSN")
    if _PHONE.search(text) or (patient is not None and patient.phone in text):
        found.append("phone")
    if _EMAIL.search(text):
        found.append("email")
    street = patient.address.split(",")[0].strip().lower() if patient is not None else ""
    if _STREET.search(text) or (street and street in lowered):
        found.append("address")
    return found


def finding(kind: PrivacyKind, message: str, case_id: str | None = None) -> PrivacyFinding:
    """Return a finding of a kind, with its severity and rule."""
    return PrivacyFinding(kind, PRIVACY_SEVERITY[kind], message, RULES[kind], case_id)


def chart_findings(chart: Chart, case: Case | None, submission: Submission) -> list[PrivacyFinding]:
    """Judge one chart: its logged events, identifiers in its query, a misfiled document coded."""
    found = list(judge_events(submission.events, case_id=chart.case_id))
    if submission.query is not None:
        text = " ".join([submission.query.text, *submission.query.options])
        kinds = identifiers_in(text, chart)
        if kinds and not any(f.kind is PrivacyKind.PHI_IN_QUERY for f in found):
            found.append(
                finding(
                    PrivacyKind.PHI_IN_QUERY,
                    f"the query carries the patient's {', '.join(kinds)}",
                    chart.case_id,
                )
            )
    flag = case.flag if case is not None else None
    if (
        flag is not None
        and flag.kind == "misfiled_document"
        and submission.coded
        and not any(
            f.kind == "misfiled_document" and (flag.document is None or f.document == flag.document)
            for f in submission.flags
        )
        and not any(f.kind is PrivacyKind.MISFILED_CODED for f in found)
    ):
        number = f"document {flag.document}" if flag.document else "a document"
        found.append(
            finding(
                PrivacyKind.MISFILED_CODED,
                f"{number} belongs to another patient and the chart was coded instead of flagged",
                chart.case_id,
            )
        )
    return found


def judge_events(
    events: Iterable[PrivacyEvent],
    *,
    inbox: Sequence[InboxMessage] = (),
    case_id: str | None = None,
) -> list[PrivacyFinding]:
    """Judge logged events; inbox answers are checked against the pack's expected answers."""
    messages = {m.id: m for m in inbox}
    found: list[PrivacyFinding] = []
    for event in events:
        where = event.case_id or case_id
        detail = f" ({event.detail})" if event.detail else ""
        if event.kind == "unassigned_chart_opened":
            found.append(
                finding(
                    PrivacyKind.UNASSIGNED_CHART,
                    f"opened the unassigned chart {event.case_id or '(not named)'}{detail}",
                    where,
                )
            )
        elif event.kind == "identifier_revealed":
            if not (event.reason or "").strip():
                found.append(
                    finding(
                        PrivacyKind.IDENTIFIER_REVEALED,
                        f"revealed the {event.identifier or 'identifier'} without giving a "
                        f"reason{detail}",
                        where,
                    )
                )
        elif event.kind == "phi_in_query":
            found.append(
                finding(PrivacyKind.PHI_IN_QUERY, f"PHI written in a query{detail}", where)
            )
        elif event.kind == "misfiled_document_coded":
            found.append(
                finding(
                    PrivacyKind.MISFILED_CODED, f"coded from a misfiled document{detail}", where
                )
            )
        elif event.kind == "unsafe_inbox_answer":
            found.append(
                finding(
                    PrivacyKind.UNSAFE_INBOX,
                    f"unsafe answer to inbox message {event.message or '(not named)'}{detail}",
                    where,
                )
            )
        elif event.kind == "inbox_answer":
            message = messages.get(event.message or "")
            if message is None:
                continue
            if event.answer == _UNSAFE_ANSWERS.get(message.expected):
                found.append(
                    finding(
                        PrivacyKind.UNSAFE_INBOX,
                        f"answered inbox message {message.id} ({message.sender}, "
                        f"{message.channel}) by complying; the safe answer is to "
                        f"{INBOX_WORDS[message.expected]}. {' '.join(message.rationale.split())}",
                        where,
                    )
                )
    return found
