"""Grade a submission against an answer key: a verdict per line and every audit lens."""

from simulator.scoring.grade import grade
from simulator.scoring.model import (
    CREDITS,
    Grade,
    GradedLine,
    LineVerdict,
    Submission,
    SubmittedLine,
)

__all__ = [
    "CREDITS",
    "Grade",
    "GradedLine",
    "LineVerdict",
    "Submission",
    "SubmittedLine",
    "grade",
]
