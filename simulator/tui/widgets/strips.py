"""Drawn lines that free themselves and make their caches when used: fixes to Textual's Strip
(textual 8.2.8).

Every line Textual draws is a Strip, and a Strip keeps small caches of what it was turned
into. Two of them can hold the strip itself:

- `divide(cuts)` caches its result, and when the only cut is the strip's own end (a widget's
  line that the compositor does not cut up, the common case) that result is `[self]`;
- `crop_extend(0, length)` of a strip of that length caches `self`.

A strip that holds itself is a reference cycle, so it and its seven caches are not freed when
the last frame using them is gone: only the garbage collector frees them. In CodeDesk that
was most of what the collector found, and its generation-1 collections, 12-15 in the 330
key presses of benchmarks/tui.py, took 17-60 ms each in the middle of a key press.

Each Strip also makes its seven caches (FIFOCaches, each an object the collector tracks) the
moment it is made, though most lines use one or two of them, or none. Opening a chart draws
about 1,100 lines, so those caches alone were ~8,000 of the ~10,000 tracked allocations that
set off a young collection (3-8 ms), and one came in nearly every chart opened: 95-99 young
collections in the 330 timed key presses of benchmarks/tui.py, and 7-9 generation-1 ones. With
the caches made on first use (as Textual's own Content does with its divide cache), 13-14 and
1; and making a Strip takes 0.18 us instead of 1.2 (reading a cache takes ~0.13 us more, as
it goes through a Python descriptor: about 0.4 ms more a chart opened, against 1.1 ms less).

`install()` replaces the two methods with ones that return the same values without caching
the strip in itself, and makes the seven caches lazy: a Strip is made without them, and a
`LazyCache` in place of each slot makes that cache, the same size as Textual's, when it is
first read. Everything else still goes through Textual's own code and caches. It is called
once by the app. tests/tui/test_strips.py checks that the results are unchanged, that no
drawn line is left for the collector, that a strip makes only the caches it uses, the sizes
Textual gives them, and that Textual's own Strip still makes the cycle and all seven caches
(when an upgrade changes that, the test says which part of this module can go).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.cache import FIFOCache
from textual.strip import Strip

_textual_divide = Strip.divide
_textual_crop_extend = Strip.crop_extend
_textual_init = Strip.__init__

CACHE_SIZES = {
    "_divide_cache": 4,
    "_crop_cache": 16,
    "_style_cache": 16,
    "_filter_cache": 4,
    "_line_length_cache": 4,
    "_crop_extend_cache": 4,
    "_offsets_cache": 4,
}
"""Strip's caches and their sizes, as Textual's Strip.__init__ makes them."""

_SLOTS = {name: Strip.__dict__[name] for name in CACHE_SIZES}
"""Textual's slot descriptors of the caches, where LazyCache keeps each cache it makes."""


def divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    """Strip.divide, except that a strip cut only at its own end is not cached in itself."""
    kept = [cut for cut in cuts if cut <= self.cell_length]
    if kept == [self.cell_length]:
        return [self]
    return _textual_divide(self, kept)


def crop_extend(self: Strip, start: int, end: int, style: Style | None) -> Strip:
    """Strip.crop_extend, except that cropping a strip to itself is not cached in itself."""
    if start <= 0 and end == self.cell_length:  # (Textual's crop counts a start below 0 as 0)
        return self
    return _textual_crop_extend(self, start, end, style)


class LazyCache:
    """In place of one of Strip's cache slots: the strip's cache, made when first read."""

    __slots__ = ("_delete", "_get", "_set", "size")

    def __init__(self, slot: Any, size: int) -> None:
        """Keep the cache in slot (Textual's slot descriptor); make it with size entries."""
        self._get = slot.__get__
        self._set = slot.__set__
        self._delete = slot.__delete__
        self.size = size

    def __get__(self, strip: Strip | None, owner: type | None = None) -> Any:
        """The strip's cache, made now if this is its first use."""
        try:
            return self._get(strip, owner)  # (read on the class: Textual's slot descriptor)
        except AttributeError:  # not made yet
            cache: FIFOCache[Any, Any] = FIFOCache(self.size)
            self._set(strip, cache)
            return cache

    def __set__(self, strip: Strip, cache: FIFOCache[Any, Any]) -> None:
        """Set the strip's cache (as Textual's own __init__ does)."""
        self._set(strip, cache)

    def __delete__(self, strip: Strip) -> None:
        """Drop the strip's cache (a later read makes a new one)."""
        self._delete(strip)


def init(self: Strip, segments: Iterable[Segment], cell_length: int | None = None) -> None:
    """Strip.__init__, without making the caches (LazyCache makes each on first use)."""
    self._segments = list(segments)
    self._cell_length = cell_length
    self._render_cache = None
    self._link_ids = None
    self._cell_count = None


def install() -> None:
    """Use the methods above for every Strip, and make its caches lazily (idempotent)."""
    Strip.divide = divide  # type: ignore[method-assign]
    Strip.crop_extend = crop_extend  # type: ignore[method-assign]
    for name, size in CACHE_SIZES.items():
        setattr(Strip, name, LazyCache(_SLOTS[name], size))
    Strip.__init__ = init  # type: ignore[method-assign]
