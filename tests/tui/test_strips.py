"""widgets/strips.py: drawn lines are freed when dropped, with the same results as Textual's
(that the app installs it: test_textual_fixes.py)."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.cache import FIFOCache
from textual.strip import Strip

from simulator.tui.widgets import strips
from tests.tui.helpers import collector_off


def line(text: str = "hello world") -> Strip:
    return Strip([Segment(text[:5], Style(bold=True)), Segment(text[5:])])


def freed_without_collector(use: Callable[[Strip], Any]) -> bool:
    """True when a strip used so is freed as soon as it is dropped: the collector, run after,
    finds nothing (a strip in a reference cycle would be found, with its caches)."""
    with collector_off():
        gc.collect()
        strip = line()
        use(strip)
        del strip
        return gc.collect() == 0


def test_textual_still_caches_a_strip_in_itself() -> None:
    """When this fails, Textual no longer makes the cycle: remove widgets/strips.py."""
    assert not freed_without_collector(lambda s: strips._textual_divide(s, [s.cell_length]))
    assert not freed_without_collector(
        lambda s: strips._textual_crop_extend(s, 0, s.cell_length, None)
    )


def test_the_fixed_methods_free_the_strip() -> None:
    assert freed_without_collector(lambda s: strips.divide(s, [s.cell_length]))
    assert freed_without_collector(lambda s: strips.crop_extend(s, 0, s.cell_length, None))
    assert freed_without_collector(lambda s: strips.crop_extend(s, -1, s.cell_length, None))


def test_the_fixed_methods_give_textuals_results() -> None:
    for cuts in ([11], [3, 11], [5, 8, 11], [4, 20], [11, 11], []):
        assert list(strips.divide(line(), cuts)) == list(strips._textual_divide(line(), cuts))
    for start, end in ((0, 11), (-1, 11), (0, 15), (2, 11), (0, 4), (3, 20), (5, 5)):
        ours = strips.crop_extend(line(), start, end, Style(italic=True))
        assert ours == strips._textual_crop_extend(line(), start, end, Style(italic=True))


def caches_of(strip: Strip) -> list[FIFOCache[Any, Any]]:
    return [held for held in gc.get_referents(strip) if isinstance(held, FIFOCache)]


def textual_strip() -> Strip:
    """A strip made by Textual's own __init__ (all seven caches made up front)."""
    strip = Strip.__new__(Strip)
    strips._textual_init(strip, line()._segments)
    return strip


def test_textual_still_makes_every_cache_up_front() -> None:
    """When this fails, Textual's Strip has other caches, or makes them lazily itself: change
    or remove the lazy caches of widgets/strips.py."""
    named = {
        name for name in Strip.__slots__ if name.endswith("_cache") and name != "_render_cache"
    }
    assert named == set(strips.CACHE_SIZES)
    strip = textual_strip()
    assert len(caches_of(strip)) == len(strips.CACHE_SIZES)
    for name, size in strips.CACHE_SIZES.items():
        assert strips._SLOTS[name].__get__(strip)._maxsize == size, name


def test_a_strip_makes_only_the_caches_it_uses() -> None:
    strips.install()  # as the app does (idempotent)
    strip = line()
    assert caches_of(strip) == []
    cropped = strip.crop(1, 4)
    assert strip.crop(1, 4) is cropped  # the crop cache, made on first use, keeps it
    [crop_cache] = caches_of(strip)
    assert crop_cache._maxsize == strips.CACHE_SIZES["_crop_cache"]
    assert crop_cache is strip._crop_cache
    del strip._crop_cache
    assert caches_of(strip) == [] and strip.crop(1, 4) == cropped


def test_lazy_strips_give_textuals_results() -> None:
    strips.install()
    uses: list[Callable[[Strip], Any]] = [
        lambda s: s.crop(1, 4),
        lambda s: list(s.divide([3, 7])),
        lambda s: s.apply_style(Style(italic=True)),
        lambda s: s.adjust_cell_length(15),
        lambda s: s.adjust_cell_length(6),
        lambda s: s.extend_cell_length(14),
        lambda s: s.crop_extend(2, 13, None),
        lambda s: s.apply_offsets(2, 3),
        lambda s: s.simplify(),
        lambda s: s.text_align(20, "center"),
        lambda s: s.render(Console()),
    ]
    for use in uses:
        lazy, textual = line(), textual_strip()
        assert use(lazy) == use(textual) == use(lazy) == use(textual)  # cached or not
