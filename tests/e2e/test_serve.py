"""`codedesk serve` in a real browser: headless Chromium codes one chart with keys only.

Set E2E_SCREENSHOT_DIR to a folder (docs/img for the README picture) to keep a screenshot of
the chart as the browser shows it: `E2E_SCREENSHOT_DIR=docs/img python -m pytest -q
tests/e2e/test_serve.py` writes docs/img/serve.png. (The test conftest clears every CODEDESK_
variable, hence the other prefix.)
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from simulator.store.sql import SqlStore

MINI = Path(__file__).parents[1] / "data" / "packs" / "mini"
TRAINEE = "browser-e2e"

# textual-serve keeps its xterm.js terminal in a local variable; this page script catches the
# object that owns it the moment its `fitAddon` is assigned, so the test can read the screen.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "fitAddon", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "fitAddon", {value, writable: true, configurable: true});
    window.__codedeskTerminal = this;
  },
});
"""

READ_SCREEN = """() => {
  const owner = window.__codedeskTerminal;
  if (!owner || !owner.terminal) return null;
  const terminal = owner.terminal;
  const buffer = terminal.buffer.active;
  const rows = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""


def chromium_path() -> str | None:
    """Debian's Chromium, or another one named by E2E_CHROMIUM."""
    named = os.environ.get("E2E_CHROMIUM")
    if named:
        return named if Path(named).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def served_env(tmp_path: Path, cache_dir: Path) -> dict[str, str]:
    """The server's environment: the shared index, a fresh data folder, no user config."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("CODEDESK_")}
    env.update(
        HOME=str(home),
        CODEDESK_CACHE_DIR=str(cache_dir),
        CODEDESK_DATA_DIR=str(tmp_path / "data"),
        CODEDESK_CONFIG=str(tmp_path / "none.toml"),
    )
    return env


@dataclass
class Served:
    """A running `codedesk serve`: its address, data folder, process and output."""

    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture
def server(tmp_path: Path, cache_dir: Path) -> Iterator[Served]:
    """`codedesk serve` on loopback on the mini pack, stopped with its app processes after."""
    port = free_port()
    log = tmp_path / "serve.log"
    command = [
        sys.executable,
        "-m",
        "simulator",
        "serve",
        "--port",
        str(port),
        "--pack",
        str(MINI),
        "--seed",
        "7",
        "--trainee",
        TRAINEE,
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            env=served_env(tmp_path, cache_dir),
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"codedesk serve stopped:\n{log.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"codedesk serve never listened:\n{log.read_text()}"
                    ) from None
                time.sleep(0.1)
        yield Served(f"http://127.0.0.1:{port}", tmp_path / "data", process, log)
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and the codedesk processes it started (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # any app process still in the group


def group_ends(group: int, within: float) -> bool:
    """Whether every process of a process group is gone within so many seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def wait_for(page: Any, text: str, timeout: float = 30.0) -> str:
    """Wait until text is on the terminal in the page; return the screen."""
    deadline = time.monotonic() + timeout
    shown = None
    while time.monotonic() < deadline:
        shown = page.evaluate(READ_SCREEN)
        if shown is not None and text in shown:
            return str(shown)
        time.sleep(0.1)
    if shown is None:
        raise AssertionError(
            "the terminal object was never caught: has textual-serve's page changed? "
            "(see CATCH_TERMINAL)"
        )
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{shown}")


@pytest.mark.e2e
@pytest.mark.skipif(
    chromium_path() is None, reason="chromium is not installed (apt-get install chromium)"
)
@pytest.mark.skipif(
    importlib.util.find_spec("playwright") is None,
    reason="playwright is not installed (pip install -e '.[test]')",
)
def test_code_one_chart_in_a_browser(server: Served) -> None:
    from playwright import sync_api

    url = server.url
    outside: list[str] = []
    sockets: list[str] = []

    def only_this_host(route: Any) -> None:
        """Serve the page from the host only; note (and refuse) anything else it asks for."""
        if route.request.url.startswith(url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path())
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.route("**/*", only_this_host)
            page.on("websocket", lambda ws: sockets.append(ws.url))
            page.add_init_script(CATCH_TERMINAL)
            page.goto(url + "/")
            queue = wait_for(page, "Account")
            assert "SYNTHETIC DATA" in queue and "3 of 3 charts" in queue
            page.evaluate("() => window.__codedeskTerminal.terminal.focus()")

            page.keyboard.press("Enter")
            chart = wait_for(page, "Diagnoses (ICD-10-CM)")
            assert "Inpatient, acute on chronic heart failure" in chart
            page.keyboard.type("I13.0:Y")
            page.keyboard.press("Enter")
            coded = wait_for(page, "I13.0 POA Y")
            assert "✓ valid" in coded
            shots = os.environ.get("E2E_SCREENSHOT_DIR")
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                time.sleep(0.5)  # let the claim edits and the MS-DRG line settle
                page.screenshot(path=str(Path(shots) / "serve.png"))

            page.keyboard.press("Control+s")
            feedback = wait_for(page, "Code-over-code accuracy")

            # Ctrl+C (SIGTERM here) ends every connection's app and tells the page so.
            server.process.send_signal(signal.SIGTERM)
            assert server.process.wait(timeout=20) == 0
            page.wait_for_selector("body.-closed", state="attached", timeout=5000)
        finally:
            browser.close()

    assert "Code-over-code accuracy 12% (1 of 8 credits)" in feedback
    assert "Principal/first-listed: yes" in feedback
    verdicts = [line.split() for line in feedback.splitlines() if "I13.0" in line]
    assert ["✓", "correct", "I13.0", "I13.0", "1"] in [row[:5] for row in verdicts]
    assert sockets and all(ws.startswith(url.replace("http", "ws", 1)) for ws in sockets)
    assert all(u.startswith("https://fonts.googleapis.com/") for u in outside), outside

    output = server.log.read_text()
    assert "CodeDesk is served on " + url in output and "Traceback" not in output
    assert group_ends(server.process.pid, within=5.0), "app processes outlived the server"

    store = SqlStore(f"sqlite:///{server.data_dir / 'codedesk.sqlite3'}")
    sessions = store.sessions(trainee=TRAINEE)
    assert len(sessions) == 1 and sessions[0]["pack_id"] == "mini"
    session_id = sessions[0]["id"]
    events = {event.kind: event.payload for event in store.events(session_id)}
    assert events["code_added"]["raw"] == "I13.0:Y"
    assert events["chart_submitted"]["diagnoses"] == [["I13.0", "Y"]]
    graded = store.grades(session_id)
    assert list(graded) == [events["chart_opened"]["chart"]]
    grade = next(iter(graded.values()))["grade"]
    assert grade["case"] == "ip-chf-exacerbation"
    assert grade["principal_correct"] is True
    assert grade["code_over_code"] == {"accuracy": 0.125, "credited": 1.0, "possible": 8}


def test_bad_arguments_are_one_clear_line(tmp_path: Path, cache_dir: Path) -> None:
    env = served_env(tmp_path, cache_dir)

    def serve(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "simulator", "serve", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    for args, message in [
        (["--port", "0"], "--port must be between 1 and 65535"),
        (["--pack", str(tmp_path / "nope")], "no such pack folder"),
        (["--pack", str(MINI), "--", "shift"], "--pack applies only to the default command"),
        (["--", "practice", "--theme", "plaid"], "not a codedesk command to serve"),
        (["--", "serve"], "cannot be `serve` itself"),
        (["--public-url", "exam.example.org"], "--public-url must start with http"),
    ]:
        result = serve(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr

    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the bind fails, nothing is sent.
    result = serve("--host", "192.0.2.1", "--port", str(free_port()))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "WARNING: listening on 192.0.2.1" in result.stderr
    assert "plain HTTP" in result.stderr
    assert "cannot listen on 192.0.2.1" in result.stderr

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve("--port", str(port))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "WARNING" not in result.stderr
