"""SIGKILL at random points of a scripted shift, many times: resuming loses and doubles nothing.

Each round starts tests/store/shift_driver.py in a child process over the same store; the
child resumes the session (Session.resume), goes on with the script from where the stored
events say it is, and acknowledges every action on stdout. The test lets a seeded, random
number of actions (0 to 3) go and kills the child with SIGKILL a random 0-1.5 ms after the
last-but-one acknowledgement, so kills land before, inside and after an action's commit,
and right after a resume. At the end the events,
the charts served and the grades must equal those of the same script run without a kill.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from simulator.codebook import Codebook
from simulator.packs import load_pack
from simulator.scoring.report import grade_dict
from simulator.shift import Session
from simulator.store.sql import SqlStore
from tests.store.shift_driver import ACTION_KINDS, open_or_resume, run

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "data" / "packs" / "mini"
SEED = 3
SESSION = "s-kill-test"
KILLS = {"sqlite": 20, "postgresql": 12}
"""Kills per backend (PostgreSQL children start a little slower; together under ~40 s)."""


class Child:
    """One run of the driver; reads its acknowledgements."""

    def __init__(self, url: str, cache_dir: Path, log: Any) -> None:
        """Start the driver on the shared store."""
        driver_args = [url, str(cache_dir), str(MINI), str(SEED), SESSION]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.store.shift_driver", *driver_args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        self.acked: list[int] = []
        self.finished = False

    def let_go(self, actions: int) -> None:
        """Let the child do this many more actions."""
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n" * actions)
        self.proc.stdin.flush()

    def let_all_go(self) -> None:
        """Let the child run to the end of the script."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()

    def read(self) -> str:
        """Read one line, keeping acknowledgements; '' when the child is gone."""
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if line.startswith("ack "):
            self.acked.append(int(line.split()[1]))
        elif line == "done":
            self.finished = True
        return line

    def kill(self) -> None:
        """SIGKILL the child, then keep every acknowledgement it printed before dying."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        while self.read():
            pass


def action_events(store: SqlStore) -> list[tuple[str, dict[str, Any]]]:
    """The session's action events (kind, payload), in order."""
    return [(e.kind, e.payload) for e in store.events(SESSION) if e.kind in ACTION_KINDS]


def test_sigkill_at_random_points(db_url: str, cache_dir: Path, book: Codebook) -> None:
    backend = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    pack = load_pack(MINI)

    # The same script without a kill, in this process, on its own store.
    with tempfile.TemporaryDirectory() as folder:
        reference_store = SqlStore(f"sqlite:///{folder}/reference.sqlite3")
        session, clock, done = open_or_resume(pack, book, reference_store, SEED, SESSION)
        script = run(session, clock, done)
        expected_events = action_events(reference_store)
        expected_grades = reference_store.grades(SESSION)
        expected_served = reference_store.served(SESSION)
        expected_memory = {
            c.chart.chart_id: grade_dict(c.grade) for c in session.charts if c.grade is not None
        }
        reference_store.close()
    assert len(expected_events) == len(script) and len(expected_grades) == len(session.charts)

    rng = random.Random(20261124)
    acked: set[int] = set()
    kills = before = 0
    outcome = dict.fromkeys(
        ("right after a resume", "before the last action's commit", "after it"), 0
    )
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as log:
        while kills < KILLS[backend]:
            child = Child(db_url, cache_dir, log)
            ready = child.read()
            if not ready.startswith("ready"):
                log.seek(0)
                pytest.fail(f"the driver did not start: {ready!r}\n{log.read()[-3000:]}")
            # Let 0 to 3 actions go, wait for all but the last one's ack, then kill within a
            # few ms: during the last action (before, inside or after its commit) or after it.
            allowed = rng.choice((0, 1, 1, 2, 2, 3))
            child.let_go(allowed)
            for _ in range(allowed - 1):
                if not child.read().startswith("ack"):
                    break
            if child.proc.poll() is not None:  # the script ran out before this kill
                while child.read():
                    pass
                if not child.finished:
                    log.seek(0)
                    pytest.fail(f"the driver failed:\n{log.read()[-3000:]}")
                acked.update(child.acked)
                break
            time.sleep(rng.uniform(0, 0.0015))
            child.kill()
            kills += 1
            acked.update(child.acked)
            store = SqlStore(db_url)
            done = len(action_events(store))
            store.close()
            if allowed == 0:
                outcome["right after a resume"] += 1
            elif done < before + allowed:
                outcome["before the last action's commit"] += 1
            else:
                outcome["after it"] += 1
            before = done
            assert acked <= set(range(done)), "an acknowledged action was lost"
        last = Child(db_url, cache_dir, log)
        last.let_all_go()
        while last.read():
            pass
        assert last.proc.wait() == 0 and last.finished
        acked.update(last.acked)
    elapsed = time.monotonic() - started

    assert kills == KILLS[backend]
    store = SqlStore(db_url)
    try:
        events = store.events(SESSION)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        got = action_events(store)
        assert got == expected_events  # every action once, in order: nothing lost or doubled
        assert acked <= set(range(len(got)))
        assert store.served(SESSION) == expected_served
        assert store.grades(SESSION) == expected_grades
        resumed = Session.resume(pack, book, session.clock, store, SESSION)
        assert {
            c.chart.chart_id: grade_dict(c.grade) for c in resumed.charts if c.grade is not None
        } == expected_memory
    finally:
        store.close()
    print(
        f"{backend}: {kills} kills (killed {outcome}), "
        f"{len(acked)} of {len(script)} actions acknowledged, {elapsed:.1f} s"
    )
