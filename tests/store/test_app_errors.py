"""The app shows a store problem as a message, never a traceback, and leaves the file alone."""

from __future__ import annotations

import argparse
import hashlib
import random
from typing import Any

import pytest
from textual.widgets import Static

from simulator import cli
from simulator.config import Settings
from simulator.factory import make_app
from simulator.shift import FakeClock
from simulator.store.sql import SqlStore
from simulator.tui.screens.loading import LoadingScreen


def _damaged(settings: Settings) -> tuple[str, str]:
    """Put random bytes where the session database goes; return its path and hash."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / "codedesk.sqlite3"
    path.write_bytes(random.Random(9).randbytes(8192))
    return str(path), hashlib.sha256(path.read_bytes()).hexdigest()


async def test_damaged_store_is_reported_when_it_is_attached(settings: Settings) -> None:
    path, digest = _damaged(settings)
    app = make_app(settings, seed=5, clock=FakeClock())
    shown: list[dict[str, Any]] = []
    app.notify = lambda message, **kw: shown.append({"message": message, **kw})  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(200):  # the store is opened in a worker after the queue's first frame
            await pilot.pause(0.05)
            if any(n.get("severity") == "error" for n in shown):
                break
        assert not app.store_ready()
    errors = [n for n in shown if n.get("severity") == "error"]
    assert len(errors) == 1
    message = errors[0]["message"]
    assert path in message and "not a SQLite database" in message and "backup" in message
    assert "Traceback" not in message
    with open(path, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == digest


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
