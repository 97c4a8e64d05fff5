"""The app shows a store problem as a message, never a traceback, and leaves the file alone."""

from __future__ import annotations

import argparse
import hashlib
import random
from datetime import datetime
from typing import Any

import pytest
from textual.widgets import Static

from simulator import cli
from simulator.config import Settings
from simulator.factory import make_app
from simulator.shift import FakeClock, Session
from simulator.store import MemoryStore
from simulator.store.base import Event, StoreError
from simulator.store.sql import SqlStore
from simulator.tui.screens.loading import LoadingScreen
from simulator.tui.screens.storefailed import StoreFailedScreen


def _damaged(settings: Settings) -> tuple[str, str]:
    """Put random bytes where the session database goes; return its path and hash."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / "codedesk.sqlite3"
    path.write_bytes(random.Random(9).randbytes(8192))
    return str(path), hashlib.sha256(path.read_bytes()).hexdigest()


async def test_damaged_store_is_reported_when_it_is_attached(settings: Settings) -> None:
    """The store opens after the first frame; when it can't, the work is blocked with the reason."""
    path, digest = _damaged(settings)
    app = make_app(settings, seed=5, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(200):  # the store is opened in a worker after the queue's first frame
            await pilot.pause(0.05)
            screen = app.screen
            if isinstance(screen, StoreFailedScreen) and screen.query("#storefailed-problem"):
                break  # pushed and composed
        assert isinstance(app.screen, StoreFailedScreen)
        assert not app.store_ready()
        message = str(app.screen.query_one("#storefailed-problem", Static).content)
        hint = str(app.screen.query_one("#storefailed-detail", Static).content)
        await pilot.press("escape")  # the problem cannot be dismissed and worked around
        assert isinstance(app.screen, StoreFailedScreen)
    assert path in message and "not a SQLite database" in message and "backup" in message
    assert "Traceback" not in message
    assert "codedesk practice --resume s-" in hint
    with open(path, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == digest


async def test_a_failed_write_blocks_the_work_and_resume_keeps_what_was_saved(
    settings: Settings,
) -> None:
    """A write that fails mid-chart (disk full) is not acknowledged; the screen says so."""
    store = FlakyStore()
    app = make_app(settings, seed=5, clock=FakeClock(), store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.session is not None and app.session.current is not None
        chart = app.session.current.chart.chart_id
        await pilot.press(*"R07.9", "enter")
        await pilot.pause()
        store.broken = True
        await pilot.press(*"R69", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StoreFailedScreen)
        session = app.session
        await pilot.press("escape")  # the problem cannot be dismissed and worked around
        assert isinstance(app.screen, StoreFailedScreen)
    store.broken = False
    codes = [e.payload["code"] for e in store.events(session.session_id) if e.kind == "code_added"]
    assert codes == ["R07.9"]
    resumed = Session.resume(session.pack, session.book, FakeClock(), store, session.session_id)
    assert [line.code for line in resumed.state(chart).diagnoses] == ["R07.9"]


class FlakyStore(MemoryStore):
    """A memory store whose event writes fail once `broken` is set, like a full disk."""

    def __init__(self) -> None:
        super().__init__()
        self.broken = False

    def append(self, session_id: str, at: datetime, kind: str, payload: dict[str, Any]) -> Event:
        if self.broken:
            raise StoreError("disk full", location="/data/x.sqlite3", advice="free some space")
        return super().append(session_id, at, kind, payload)


async def test_damaged_store_is_reported_when_resuming(settings: Settings) -> None:
    path, digest = _damaged(settings)
    app = make_app(settings.model_copy(update={"resume": "latest"}), clock=FakeClock())
    async with app.run_test(size=(120, 30)) as pilot:
        problems = ""
        for _ in range(200):  # the start-up worker opens the store to resume from it
            await pilot.pause(0.05)
            assert isinstance(app.screen, LoadingScreen)
            problems = str(app.screen.query_one("#loading-problems", Static).content)
            if problems:
                break
    assert path in problems and "not a SQLite database" in problems
    assert "Traceback" not in problems
    with open(path, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == digest


def test_cli_prints_a_store_error_as_one_line(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A command that opens a damaged store prints the message alone and exits with 1."""
    path, digest = _damaged(settings)

    def open_store(_args: argparse.Namespace) -> int:
        SqlStore(f"sqlite:///{path}")
        return 0

    monkeypatch.setattr(cli, "_run_tui", open_store)
    assert cli.main([]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"codedesk: {path}: the file is not a SQLite database")
    assert err.count("\n") == 1 and "Traceback" not in err
    with open(path, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == digest
