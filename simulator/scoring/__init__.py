"""Grade a submission against an answer key: a verdict per line and every audit lens."""

from simulator.scoring.grade import grade
from simulator.scoring.model import (
    CREDITS,
    DecisionResult,
    DrgResult,
    Grade,
    GradedLine,
    LineVerdict,
    PrivacyEvent,
    PrivacyFinding,
    PrivacyKind,
    QueryQuality,
    RubricCheck,
    Severity,
    Submission,
    SubmittedFlag,
    SubmittedLine,
    TimeResult,
    Timings,
    WrittenQuery,
)
from simulator.scoring.reference import key_submission
from simulator.scoring.summary import ShiftSummary, summarize

__all__ = [
    "CREDITS",
    "DecisionResult",
    "DrgResult",
    "Grade",
    "GradedLine",
    "LineVerdict",
    "PrivacyEvent",
    "PrivacyFinding",
    "PrivacyKind",
    "QueryQuality",
    "RubricCheck",
    "Severity",
    "ShiftSummary",
    "Submission",
    "SubmittedFlag",
    "SubmittedLine",
    "TimeResult",
    "Timings",
    "WrittenQuery",
    "grade",
    "key_submission",
    "summarize",
]
