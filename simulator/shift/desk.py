"""What sits on the coder's desk besides the charts: reasons, flags, identifiers, the inbox.

Plain values and pure functions the session and the screens share (no state, no store).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from simulator.charts.render import DATE_FORMAT, Chart, RenderedDocument
from simulator.charts.template import substitute
from simulator.codebook.index import Codebook
from simulator.packs.decisions import UNDETERMINED
from simulator.packs.models import InboxMessage, Query, QueryAnswer
from simulator.scoring import PrivacyFinding, WrittenQuery
from simulator.scoring.options import deciding_codes, names_code, option_code

PEND_REASONS: tuple[str, ...] = (
    "missing documentation",
    "document not signed",
    "awaiting pathology",
    "charge or account issue",
)
"""The facility's pending reasons (DOMAIN.md); a coder may also type another one."""

FLAG_KINDS: dict[str, str] = {
    "misfiled_document": "misfiled document (another patient's)",
    "wrong_patient": "wrong patient (the encounter is on the wrong record)",
    "conflict_of_interest": "conflict of interest or a restricted (VIP) record",
}
"""The problems a coder may flag, by the kind scoring knows them."""

INBOX_ANSWERS: tuple[str, ...] = ("comply", "refuse", "route_roi", "verify_identity")
"""The answers a coder may give an inbox message, as scoring knows them."""

MASKED_IDENTIFIERS: dict[str, str] = {
    "ssn": "SSN",
    "phone": "phone",
    "address": "address",
    "member_id": "member ID",
}
"""Identifiers a coder does not need, masked until revealed with a reason (minimum necessary)."""

ANSWER_DELAY_SECONDS: dict[str, float] = {"practice": 30.0, "shift": 600.0}
"""How long the physician takes to answer a query, by mode (practice is kept short); in an
assessment no answer comes (see Session.due_answers)."""


@dataclass(frozen=True)
class DirectoryEntry:
    """A patient encounter the hospital's patient search finds; most are not the coder's."""

    chart: Chart
    assigned: bool
    """True when the chart is in this coder's queue."""


@dataclass(frozen=True)
class InboxItem:
    """An inbox message with its placeholders filled in, and the coder's answer."""

    message: InboxMessage
    sender: str
    subject: str
    text: str
    answer: str | None = None


@dataclass(frozen=True)
class InboxResult:
    """The verdict on an inbox answer: right or not, the rule, and the privacy findings."""

    message_id: str
    answer: str
    expected: str
    rationale: str
    findings: tuple[PrivacyFinding, ...]
    also_accepted: tuple[str, ...] = ()
    """Other answers the message accepts as just as safe."""

    @property
    def correct(self) -> bool:
        """True when the answer is the safe one the message expects, or one it also accepts."""
        return self.answer == self.expected or self.answer in self.also_accepted


@dataclass(frozen=True)
class Pace:
    """The shift's pace so far against the pack's targets for the charts worked."""

    charts: int
    hours: float
    """Hours worked: the time since the shift started, less the time the screen was locked."""
    units: float
    """Workload units of the charts done."""
    target_charts_per_hour: float
    target_units_per_hour: float

    @property
    def charts_per_hour(self) -> float:
        """Charts done per hour worked."""
        return self.charts / self.hours if self.hours > 0 else 0.0

    @property
    def units_per_hour(self) -> float:
        """Workload units per hour worked."""
        return self.units / self.hours if self.hours > 0 else 0.0


def member_id(chart: Chart) -> str:
    """The patient's (synthetic) health plan member ID, stable for a chart."""
    digest = hashlib.sha256(f"member\x00{chart.chart_id}".encode()).hexdigest()
    prefix = "".join(word[0] for word in chart.encounter.payer.split()[:3]).upper()
    return f"{prefix or 'X'}{int(digest[:12], 16) % 10**9:09d}"


def identifiers(chart: Chart) -> dict[str, str]:
    """The identifiers a coder does not need, by key of MASKED_IDENTIFIERS."""
    patient = chart.patient
    return {
        "ssn": patient.ssn,
        "phone": patient.phone,
        "address": patient.address,
        "member_id": member_id(chart),
    }


def _fold(text: str) -> str:
    """Fold case and spaces, so an option matches an answer however it was typed."""
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text.lower()).split())


def physician_answer(
    query: Query, written: WrittenQuery, values: dict[str, str], book: Codebook | None = None
) -> QueryAnswer:
    """The answer the physician gives to a written query.

    The physician picks the first of the case's answers that the query offers, in the case's
    words or, with the codebook, in other words naming the same diagnosis (see
    scoring/options.py); an open-ended or yes/no query gets the case's first answer, written
    in; a query offering none of the clinically supported answers gets "clinically
    undetermined" when the case has it.
    """
    offered = [_fold(o) for o in written.options if _fold(o) not in ("yes", "no")]
    if not offered:
        return query.answers[0]
    codes = [option_code(book, o) for o in offered] if book is not None else []
    deciding = deciding_codes(query, values)
    for answer, wanted in zip(query.answers, deciding, strict=True):
        text = _fold(substitute(answer.answer, values))
        if any(text == o or text in o or (len(o) > 3 and o in text) for o in offered):
            return answer
        named = book is not None and any(code and names_code(book, code, wanted) for code in codes)
        if named and not UNDETERMINED.search(answer.answer):
            return answer
    for answer in query.answers:
        if UNDETERMINED.search(answer.answer):
            return answer
    return query.answers[0]


def addendum(
    chart: Chart, written: WrittenQuery, answer: str, response: str, day: date
) -> RenderedDocument:
    """The physician's signed answer to a query, as the chart's next document."""
    offered = "\n".join(f"  [ ] {o}" for o in written.options) or "  (open-ended)"
    return RenderedDocument(
        index=len(chart.documents),
        type="Query response (addendum)",
        author=chart.provider,
        date=day,
        signed=True,
        text=(
            f"PHYSICIAN QUERY RESPONSE - ADDENDUM\n"
            f"Query: {written.text}\nOptions:\n{offered}\n\n"
            f"Answer: {answer}\n{response.strip()}\n"
            f"Electronically signed by {chart.provider} {day.strftime(DATE_FORMAT)}"
        ),
    )
