"""widgets/strips.py: drawn lines are freed when dropped, with the same results as Textual's
(that the app installs it: test_textual_fixes.py)."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from rich.segment import Segment
from rich.style import Style
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


def test_the_fixed_methods_give_textuals_results() -> None:
    for cuts in ([11], [3, 11], [5, 8, 11], [4, 20], [11, 11], []):
        assert list(strips.divide(line(), cuts)) == list(strips._textual_divide(line(), cuts))
    for start, end in ((0, 11), (0, 15), (2, 11), (0, 4), (3, 20), (5, 5)):
        ours = strips.crop_extend(line(), start, end, Style(italic=True))
        assert ours == strips._textual_crop_extend(line(), start, end, Style(italic=True))
