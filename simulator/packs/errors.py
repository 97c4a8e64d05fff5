"""Located problems in untrusted pack files, reported as `file:line:col: message`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
"""Characters that would break a `file:line:col: message` line if a file name held them."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a pack, and where (1-based line and column); warnings do not fail."""

    file: str
    line: int
    col: int
    message: str
    severity: Severity = "error"

    def __post_init__(self) -> None:
        """Keep every problem on one line, so each printed line is one located problem."""
        if "\n" in self.message or "\r" in self.message:
            object.__setattr__(self, "message", " ".join(self.message.split()))
        if _CONTROL.search(self.file):
            object.__setattr__(self, "file", _CONTROL.sub("?", self.file))

    def __str__(self) -> str:
        """Format the problem the way compilers do, so editors can jump to it."""
        kind = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}:{self.col}: {kind}{self.message}"

    @property
    def is_error(self) -> bool:
        """True when the problem makes the pack unfit to use."""
        return self.severity == "error"

    def as_dict(self) -> dict[str, str | int]:
        """Return the problem as plain data for `--json` output."""
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
        }


class PackError(Exception):
    """A pack could not be loaded; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        """Keep the problems sorted by file and position."""
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
