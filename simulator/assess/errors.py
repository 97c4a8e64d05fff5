"""The one error of the assessment commands: a file and what is wrong with it, in plain words."""

from __future__ import annotations

from pathlib import Path


class AssessError(Exception):
    """A problem with an assessment file or its passphrase, shown as `file: message`."""

    def __init__(self, path: Path | str, message: str) -> None:
        """Keep the file the problem is in and the words that explain it."""
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        """The file the problem is in, as the user named it."""
        self.message = message
        """What is wrong, and what to do about it when there is something to do."""


class TamperedError(Exception):
    """A result file whose contents do not check out: changed, cut short, or re-assembled."""

    def __init__(self, reason: str) -> None:
        """Keep the reason the check failed."""
        super().__init__(reason)
        self.reason = reason
        """Which check failed, in plain words."""
