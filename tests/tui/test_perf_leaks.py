"""Charts opened and closed leave nothing behind (deterministic counts, no timing).

Each closed chart used to stay reachable through Textual: its document viewer in the app's
theme watchers, the queue footer's old keys in the footer's watchers, the widgets' drawn lines
in a module-level lru_cache (~10,000 objects a chart, all rescanned by each full collection).
"""

from __future__ import annotations

import gc
from collections import Counter
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, TextArea
from textual.widgets._footer import FooterKey

from simulator.config import Settings
from simulator.tui.screens.chart import ChartScreen
from simulator.tui.screens.lookup import LookupScreen
from tests.tui.helpers import build_app, open_chart, until_ready


def _alive() -> tuple[int, Counter[str]]:
    """Objects the collector tracks after a full collection, and the widgets of interest
    (frozen objects are not counted)."""
    gc.collect()
    tracked = gc.get_objects()
    kinds = Counter(
        type(o).__name__ for o in tracked if isinstance(o, ChartScreen | TextArea | FooterKey)
    )
    return len(tracked), kinds


async def round_trip(pilot: Pilot[None], keys: tuple[str, ...], opened: type[Screen[Any]]) -> None:
    """Press keys, which open a screen of type opened, then Escape back to the screen before."""
    app = pilot.app
    back = app.screen
    await pilot.press(*keys)
    await pilot.pause()
    assert isinstance(app.screen, opened)
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen is back


async def settled(pilot: Pilot[None]) -> None:
    """Wait for the app's workers and the frame after them."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_closed_charts_are_let_go(settings: Settings) -> None:
    app = build_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        queue = app.screen
        table = queue.query_one(DataTable)

        async def open_and_close(times: int) -> None:
            for run in range(times):
                table.move_cursor(row=run % table.row_count)
                await round_trip(pilot, ("enter",), ChartScreen)
            await settled(pilot)

        await open_and_close(3)
        before, kinds_before = _alive()
        await open_and_close(6)
        after, kinds_after = _alive()

    # Compared as growth: what an earlier test's app froze (and pins) is in both counts.
    grown = kinds_after - kinds_before
    assert not grown, grown  # no chart screen, document viewer or footer key more
    # Growth was ~10,000 objects a chart; what is left is caches being refilled.
    assert (after - before) / 6 < 1_000, (before, after)


async def test_closed_lookups_are_let_go(settings: Settings) -> None:
    """The lookup is a new screen each time (the chart screen is reused, so the test above
    cannot see a screen kept): each closed one must go, with its results table and entry."""
    app = build_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        assert app.session is not None
        await open_chart(pilot, app.session.charts[0].chart.chart_id)

        async def look_up(times: int) -> None:
            for run in range(times):
                await round_trip(pilot, ("ctrl+l", *("afib", "chf", "copd")[run % 3]), LookupScreen)
            await settled(pilot)

        def lookups_alive() -> int:
            gc.collect()
            return sum(isinstance(o, LookupScreen) for o in gc.get_objects())

        await look_up(2)
        before = lookups_alive()
        await look_up(6)
        after = lookups_alive()
    assert after - before == 0, (before, after)
