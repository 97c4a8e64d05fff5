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


@dataclass(frozen=True)
class SubmittedLine:
    """One code the coder put on the claim."""

    code: str
    system: str = "icd10cm"
    poa: str | None = None
    modifiers: tuple[str, ...] = ()
    units: int = 1


@dataclass(frozen=True)
class Submission:
    """Everything the coder decided for one chart."""

    diagnoses: tuple[SubmittedLine, ...] = ()
    procedures: tuple[SubmittedLine, ...] = ()
    action: str = "code"
    reason: str | None = None


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

    @property
    def decision_correct(self) -> bool:
        """True when the coder took the action the case expects."""
        return self.decision_expected == self.decision_submitted

    @property
    def credited(self) -> float:
        """Sum of credits earned."""
        return sum(line.credit for line in self.lines if line.counts)

    @property
    def possible(self) -> int:
        """Lines in the denominator: required key lines, submitted optional ones, extras."""
        return sum(1 for line in self.lines if line.counts)
