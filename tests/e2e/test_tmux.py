"""The real program in a real terminal: tmux starts `codedesk`, keys only, read the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

SESSION = f"codedesk-e2e-{os.getpid()}"


def tmux(*args: str) -> str:
    """Run a tmux command against the test server and return its output."""
    result = subprocess.run(
        ["tmux", "-L", SESSION, *args], capture_output=True, text=True, check=True
    )
    return result.stdout


def screen() -> str:
    """Return the visible text of the pane."""
    return tmux("capture-pane", "-p", "-t", SESSION)


def wait_for(text: str, timeout: float = 60.0) -> str:
    """Wait until text is on the screen; return the screen."""
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = screen()
        if text in shown:
            return shown
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{shown}")


def test_code_one_chart_with_keys_only(tmp_path: Path, cache_dir: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "HOME": str(home),
        "CODEDESK_CACHE_DIR": str(cache_dir),
        "CODEDESK_DATA_DIR": str(tmp_path / "data"),
        "CODEDESK_CONFIG": str(tmp_path / "none.toml"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
    }
    exports = " ".join(f"{key}={value!s}" for key, value in env.items())
    command = f"env -i {exports} {sys.executable} -m simulator.cli practice --seed 11; sleep 60"
    tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", command)
    try:
        wait_for("Account")
        tmux("send-keys", "-t", SESSION, "F1")
        keys = wait_for("Help · Queue screen")
        assert "Open the highest-priority chart not done" in keys
        tmux("send-keys", "-t", SESSION, "Escape")
        time.sleep(0.3)
        tmux("send-keys", "-t", SESSION, "n")
        chart = wait_for("Diagnoses (ICD-10-CM)")
        assert "SYNTHETIC" in chart
        tmux("send-keys", "-t", SESSION, "E11", "Enter")
        wait_for("not billable")
        tmux("send-keys", "-t", SESSION, "R69", "Enter")
        wait_for("Illness, unspecified")
        tmux("send-keys", "-t", SESSION, "C-s")
        shown = wait_for("fix or remove the invalid")
        assert "E11" in shown
        tmux("send-keys", "-t", SESSION, "Tab")
        time.sleep(0.3)
        tmux("send-keys", "-t", SESSION, "Delete")
        time.sleep(0.3)
        tmux("send-keys", "-t", SESSION, "C-s")
        feedback = wait_for("Code-over-code accuracy")
        assert "extra" in feedback and "R69" in feedback
        assert "Record correct: NO" in feedback
        tmux("send-keys", "-t", SESSION, "Escape")
        wait_for("done 0%")
        tmux("send-keys", "-t", SESSION, "q")
        done = wait_for("charts done")
        assert "1/" in done and "code-over-code accuracy 0.0%" in done
    finally:
        subprocess.run(["tmux", "-L", SESSION, "kill-server"], capture_output=True, check=False)
