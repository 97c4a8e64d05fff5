"""Show untrusted text literally: no markup parsing, no terminal escape sequences."""

from __future__ import annotations

import re

from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")


def clean(text: str) -> str:
    """Replace control characters (ESC and friends) with visible symbols."""
    return _CONTROL.sub(lambda m: "␛" if m.group(0) == "\x1b" else "�", text)


def literal(text: str, style: str = "") -> Text:
    """Return a rich Text that shows text exactly as written (markup-free, escape-free)."""
    return Text(clean(text), style=style)


_CONTINUATION = re.compile(r"[ \t]*\n[ \t]*(?=[a-z(])")


def reflow(text: str) -> str:
    """Join hard-wrapped lines that continue a sentence, so soft wrapping reads cleanly.

    A line break is kept when the next line starts a new item (a capital, a digit, a dash, a
    blank line); it is removed when the next line starts in lower case, as the second half of
    a wrapped sentence does.
    """
    return _CONTINUATION.sub(" ", text)


def markup_safe(text: str) -> str:
    """Escape every '[' for the few places Textual parses markup (palette help, toasts).

    `textual.markup.escape` leaves a bare "[/" alone, which still raises MarkupError.
    """
    return clean(text).replace("\\", "/").replace("[", "\\[")
