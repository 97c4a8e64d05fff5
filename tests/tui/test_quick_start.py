"""Start-up takes the short way (no loading screen) only when nothing slow is left to do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from simulator.codebook.index import Codebook
from simulator.config import Settings
from simulator.packs.checkcache import open_checked_pack
from simulator.tui import app as app_module
from simulator.tui.screens.loading import LoadingScreen
from simulator.tui.screens.queue import QueueScreen
from tests.tui.helpers import build_app, until_ready


@pytest.fixture
def loading_screens(monkeypatch: pytest.MonkeyPatch) -> list[LoadingScreen]:
    """Every loading screen the app makes."""
    made: list[LoadingScreen] = []

    class Counted(LoadingScreen):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    monkeypatch.setattr(app_module, "LoadingScreen", Counted)
    return made


async def test_a_checked_pack_opens_straight_on_the_queue(
    settings: Settings, book: Codebook, loading_screens: list[LoadingScreen]
) -> None:
    open_checked_pack(settings.pack, book, settings.cache_dir)  # checked before: in the cache
    app = build_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert len(app.screen_stack) == 2  # the default screen and the queue, nothing stacked
        assert app.session is not None and app.session.charts
        assert loading_screens == []


async def test_a_pack_not_checked_before_goes_through_the_loading_screen(
    settings: Settings, tmp_path: Path, loading_screens: list[LoadingScreen]
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(settings.pack, pack)
    with (pack / "pack.yaml").open("a", encoding="utf-8") as out:
        out.write("\n# a changed copy: its checks are not in the cache\n")
    app = build_app(settings.model_copy(update={"pack": pack}))
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert len(app.screen_stack) == 2  # the queue took the loading screen's place
        assert len(loading_screens) == 1
