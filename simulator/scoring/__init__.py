"""Grade a submission against an answer key: a verdict per line and every audit lens."""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from simulator.scoring.grader import grade
    from simulator.scoring.reference import key_submission
    from simulator.scoring.summary import ShiftSummary, summarize

_LAZY = {
    "grade": "simulator.scoring.grader",
    "key_submission": "simulator.scoring.reference",
    "ShiftSummary": "simulator.scoring.summary",
    "summarize": "simulator.scoring.summary",
}


def __getattr__(name: str) -> Any:
    """Import the grader (codebook notes, MS-DRG) only when grading: the queue starts without it."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'simulator.scoring' has no attribute {name!r}")


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
