"""What a grade is made of: the submission, a verdict per line, and the lenses."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class LineVerdict(StrEnum):
    """The feedback vocabulary of DOMAIN.md for one line."""

    CORRECT = "correct"
    ALTERNATE = "acceptable alternate"
    LESS_SPECIFIC = "less specific"
    WRONG_SEVENTH = "wrong 7th character"
    WRONG_LATERALITY = "wrong laterality"
    PLACEHOLDER = "placeholder X missing"
    MODIFIER_UNITS = "modifier or units wrong"
    WRONG = "wrong code"
    MISSING = "missing"
    EXTRA = "extra"
    OPTIONAL = "optional"
    NOT_BILLABLE = "not billable"
    SEQUENCING = "sequencing"
    POA_WRONG = "POA wrong"


CREDITS: dict[LineVerdict, float] = {
    LineVerdict.CORRECT: 1.0,
    LineVerdict.ALTERNATE: 1.0,
    LineVerdict.LESS_SPECIFIC: 0.5,
    LineVerdict.WRONG_SEVENTH: 0.5,
    LineVerdict.WRONG_LATERALITY: 0.5,
    LineVerdict.PLACEHOLDER: 0.5,
    LineVerdict.MODIFIER_UNITS: 0.5,
    LineVerdict.WRONG: 0.0,
    LineVerdict.MISSING: 0.0,
    LineVerdict.EXTRA: 0.0,
    LineVerdict.OPTIONAL: 0.0,
    LineVerdict.NOT_BILLABLE: 0.0,
    LineVerdict.SEQUENCING: 1.0,
    LineVerdict.POA_WRONG: 1.0,
}
"""Default credit per verdict (DOMAIN.md, Practicode's rules); a pack may override them.

Sequencing and POA errors keep the code's credit: they are measured by their own lenses
(principal diagnosis, POA accuracy) and by record-level accuracy."""

PERFECT = frozenset({LineVerdict.CORRECT, LineVerdict.ALTERNATE, LineVerdict.OPTIONAL})
"""Verdicts that leave a line fully right (record-level accuracy allows only these)."""


class Severity(StrEnum):
    """How serious a privacy event is; critical and major events fail the privacy lens."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


class PrivacyKind(StrEnum):
    """The privacy events DOMAIN.md names, as the feedback says them."""

    UNASSIGNED_CHART = "unassigned chart opened"
    IDENTIFIER_REVEALED = "identifier revealed without need"
    PHI_IN_QUERY = "PHI in a query"
    MISFILED_CODED = "misfiled document coded"
    UNSAFE_INBOX = "unsafe inbox answer"


PRIVACY_SEVERITY: dict[PrivacyKind, Severity] = {
    PrivacyKind.UNASSIGNED_CHART: Severity.CRITICAL,
    PrivacyKind.UNSAFE_INBOX: Severity.CRITICAL,
    PrivacyKind.PHI_IN_QUERY: Severity.MAJOR,
    PrivacyKind.MISFILED_CODED: Severity.MAJOR,
    PrivacyKind.IDENTIFIER_REVEALED: Severity.MINOR,
}
"""The severity of each privacy event (snooping and disclosure are the firing offences)."""

EVENT_KINDS: tuple[str, ...] = (
    "unassigned_chart_opened",
    "identifier_revealed",
    "inbox_answer",
    "phi_in_query",
    "misfiled_document_coded",
    "unsafe_inbox_answer",
)
"""The event kinds a submission may carry; the first three are judged, the rest are findings."""


@dataclass(frozen=True)
class SubmittedLine:
    """One code the coder put on the claim."""

    code: str
    system: str = "icd10cm"
    poa: str | None = None
    modifiers: tuple[str, ...] = ()
    units: int = 1


@dataclass(frozen=True)
class WrittenQuery:
    """A physician query the coder wrote, and the physician's answer when it came back."""

    text: str
    options: tuple[str, ...] = ()
    """The choices offered; none for an open-ended query, ("Yes", "No") for a yes/no one."""
    answer: str | None = None
    """The option the physician chose; the chart is then graded against that answer's key."""


@dataclass(frozen=True)
class SubmittedFlag:
    """A problem the coder flagged on the chart instead of coding from it."""

    kind: str
    """misfiled_document, wrong_patient or conflict_of_interest."""
    document: int | None = None
    """The problem document, counting from 1 as the chart's document list does."""


@dataclass(frozen=True)
class Timings:
    """How long the chart was open, and the time within it that does not count as work."""

    open_seconds: float
    """Wall-clock seconds the chart was open, every visit summed."""
    idle_seconds: float = 0.0
    """Seconds without a keystroke while the chart was open and workable (counted as work)."""
    pended_seconds: float = 0.0
    """Seconds the chart sat pended while open (waiting on documentation): not counted."""
    locked_seconds: float = 0.0
    """Seconds the screen was locked while the chart was open: not counted."""

    @property
    def excluded_seconds(self) -> float:
        """Seconds taken out of the chart's time: pended and locked."""
        return min(self.open_seconds, self.pended_seconds + self.locked_seconds)

    @property
    def counted_seconds(self) -> float:
        """Seconds that count as work on the chart."""
        return max(0.0, self.open_seconds - self.excluded_seconds)


@dataclass(frozen=True)
class PrivacyEvent:
    """Something the coder did that privacy rules judge (one of EVENT_KINDS)."""

    kind: str
    case_id: str | None = None
    """The chart's case the event concerns, when there is one."""
    identifier: str | None = None
    """For identifier_revealed: which identifier (ssn, phone, address, ...)."""
    reason: str | None = None
    """For identifier_revealed: the need the coder gave; none means no need was given."""
    message: str | None = None
    """For inbox answers: the inbox message id."""
    answer: str | None = None
    """For inbox_answer: comply, refuse, route_roi or verify_identity."""
    detail: str = ""
    """Free text from the log, shown with the finding."""


@dataclass(frozen=True)
class Submission:
    """Everything the coder decided for one chart."""

    diagnoses: tuple[SubmittedLine, ...] = ()
    procedures: tuple[SubmittedLine, ...] = ()
    action: str = "code"
    reason: str | None = None
    query: WrittenQuery | None = None
    flags: tuple[SubmittedFlag, ...] = ()
    timings: Timings | None = None
    events: tuple[PrivacyEvent, ...] = ()

    @property
    def coded(self) -> bool:
        """True when the coder put any code on the claim."""
        return bool(self.diagnoses or self.procedures)


@dataclass(frozen=True)
class GradedLine:
    """The verdict on one key line or one extra submitted line, and why."""

    part: str
    verdict: LineVerdict
    expected: str | None
    submitted: str | None
    credit: float
    counts: bool
    """Whether the line is in the code-over-code denominator."""
    explanation: str
    rationale: str = ""
    evidence: str = ""
    poa_expected: str | None = None
    poa_submitted: str | None = None
    note: str = ""
    """The codebook note that applies (7th-character table, Excludes1, code first, title)."""
    guideline: str = ""
    """The coding rule behind the verdict, e.g. 'ICD-10-CM Guideline I.A.5 (7th characters)'."""
    detail: str = ""
    """For 'less specific': the documented detail the submitted code leaves out."""
    expected_form: str = ""
    """The expected procedure as written, with modifiers and units (e.g. 99283-25, J1885 x2)."""
    submitted_form: str = ""
    """The submitted procedure as written, with modifiers and units."""


@dataclass(frozen=True)
class DecisionResult:
    """The decision lens: was the action (code, query, pend, flag) the one the case expects."""

    expected: str
    submitted: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class RubricCheck:
    """One point of the AHIMA/ACDIS query rubric, passed or not, and why."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class QueryQuality:
    """The query-quality lens: each rubric point for a query the coder wrote."""

    checks: tuple[RubricCheck, ...]
    needed: bool
    """Whether this chart called for a query at all (over-querying when False)."""

    @property
    def score(self) -> float:
        """Share of the rubric points passed."""
        return sum(1 for c in self.checks if c.passed) / len(self.checks) if self.checks else 1.0

    @property
    def compliant(self) -> bool:
        """True when every rubric point passed."""
        return all(c.passed for c in self.checks)


@dataclass(frozen=True)
class DrgResult:
    """The MS-DRG lens for an inpatient chart: the key's DRG, the submission's, and the change."""

    version: int
    expected_drg: int
    expected_title: str
    expected_severity: str
    submitted_drg: int | None
    submitted_title: str
    submitted_severity: str | None
    explanation: str
    error: str | None = None

    @property
    def match(self) -> bool:
        """True when the submission groups to the key's MS-DRG."""
        return self.submitted_drg == self.expected_drg

    @property
    def severity_change(self) -> str:
        """The severity as 'MCC -> CC', or 'same' when it did not change."""
        if self.submitted_severity is None or self.submitted_severity == self.expected_severity:
            return "same" if self.submitted_severity is not None else "not grouped"
        return f"{self.expected_severity} -> {self.submitted_severity}"


@dataclass(frozen=True)
class PrivacyFinding:
    """One privacy event, judged: what, how serious, the rule, and what to do instead."""

    kind: PrivacyKind
    severity: Severity
    message: str
    rule: str
    case_id: str | None = None

    @property
    def fails(self) -> bool:
        """True when the event fails the privacy lens (critical or major)."""
        return self.severity is not Severity.MINOR


@dataclass(frozen=True)
class TimeResult:
    """The time lens of one chart: counted minutes against the chart's time standard."""

    counted_seconds: float
    excluded_seconds: float
    idle_seconds: float
    standard_minutes: float

    @property
    def minutes(self) -> float:
        """Counted minutes on the chart."""
        return self.counted_seconds / 60.0

    @property
    def efficiency(self) -> float | None:
        """Standard minutes over counted minutes (1.0 = exactly on standard, above is faster)."""
        return self.standard_minutes / self.minutes if self.counted_seconds > 0 else None

    @property
    def within_standard(self) -> bool:
        """True when the chart took no longer than its time standard."""
        return self.minutes <= self.standard_minutes


@dataclass(frozen=True)
class Grade:
    """The grade of one chart: lines, and each lens as a figure."""

    chart_id: str
    case_id: str
    lines: tuple[GradedLine, ...]
    code_over_code: float
    record_correct: bool
    principal_correct: bool | None
    poa_accuracy: float | None
    decision_expected: str
    decision_submitted: str
    notes: tuple[str, ...] = field(default=())
    setting: str = ""
    topics: tuple[str, ...] = ()
    decision: DecisionResult | None = None
    query: QueryQuality | None = None
    drg: DrgResult | None = None
    privacy: tuple[PrivacyFinding, ...] = ()
    time: TimeResult | None = None
    poa_right: int = 0
    """POA indicators reported right, on key lines that were coded."""
    poa_checked: int = 0
    """POA indicators checked: key lines that need one and were coded."""
    graded_codes: bool = True
    """False when the chart was rightly not coded (a pend, flag or query with no codes)."""

    @property
    def decision_correct(self) -> bool:
        """True when the coder took the action the case expects (a flag of the right kind)."""
        if self.decision is not None:
            return self.decision.correct
        return self.decision_expected == self.decision_submitted

    @property
    def credited(self) -> float:
        """Sum of credits earned."""
        return sum(line.credit for line in self.lines if line.counts)

    @property
    def possible(self) -> int:
        """Lines in the denominator: required key lines, submitted optional ones, extras."""
        return sum(1 for line in self.lines if line.counts)

    @property
    def privacy_passed(self) -> bool:
        """True when no critical or major privacy event happened on this chart."""
        return not any(finding.fails for finding in self.privacy)

    def lens_scores(self) -> dict[str, float | None]:
        """Every lens as a figure from 0 to 1 (None when the lens does not apply)."""

        def flag(value: bool | None) -> float | None:
            """Turn a yes/no lens into 1.0 or 0.0."""
            return None if value is None else float(value)

        return {
            "code_over_code": self.code_over_code if self.graded_codes else None,
            "record": flag(self.record_correct),
            "principal": flag(self.principal_correct),
            "poa": self.poa_accuracy,
            "drg": None if self.drg is None else float(self.drg.match),
            "decision": float(self.decision_correct),
            "query": None if self.query is None else self.query.score,
            "privacy": float(self.privacy_passed),
        }
