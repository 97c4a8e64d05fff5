"""Drawn lines that free themselves: a fix to two caches of Textual's Strip (textual 8.2.8).

Every line Textual draws is a Strip, and a Strip keeps small caches of what it was turned
into. Two of them can hold the strip itself:

- `divide(cuts)` caches its result, and when the only cut is the strip's own end (a widget's
  line that the compositor does not cut up, the common case) that result is `[self]`;
- `crop_extend(0, length)` of a strip of that length caches `self`.

A strip that holds itself is a reference cycle, so it and its seven caches are not freed when
the last frame using them is gone: only the garbage collector frees them. In CodeDesk that
was most of what the collector found, and its generation-1 collections, 12-15 in the 330
key presses of benchmarks/tui.py, took 17-60 ms each in the middle of a key press.

`install()` replaces the two methods with ones that return the same values without caching
the strip in itself; everything else still goes through Textual's own code and caches. It is
called once by the app. tests/tui/test_strips.py checks that the results are unchanged, that
no drawn line is left for the collector, and that Textual's own methods still make the cycle
(when an upgrade fixes it, that test says this module can go).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.style import Style
from textual.strip import Strip

_textual_divide = Strip.divide
_textual_crop_extend = Strip.crop_extend


def divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    """Strip.divide, except that a strip cut only at its own end is not cached in itself."""
    kept = [cut for cut in cuts if cut <= self.cell_length]
    if kept == [self.cell_length]:
        return [self]
    return _textual_divide(self, kept)


def crop_extend(self: Strip, start: int, end: int, style: Style | None) -> Strip:
    """Strip.crop_extend, except that cropping a strip to itself is not cached in itself."""
    if start == 0 and end == self.cell_length:
        return self
    return _textual_crop_extend(self, start, end, style)


def install() -> None:
    """Use the two methods above for every Strip (idempotent)."""
    Strip.divide = divide  # type: ignore[method-assign]
    Strip.crop_extend = crop_extend  # type: ignore[method-assign]
