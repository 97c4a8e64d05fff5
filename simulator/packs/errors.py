"""Located problems in untrusted pack files, reported as `file:line:col: message`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a pack, and where (1-based line and column)."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        """Format the problem the way compilers do, so editors can jump to it."""
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class PackError(Exception):
    """A pack could not be loaded; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        """Keep the problems sorted by file and position."""
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
