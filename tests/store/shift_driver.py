"""A scripted shift for the SIGKILL test, run as a child process over a SqlStore.

It starts the session (or resumes it with Session.resume when the store already holds it),
works out from the stored events how far the fixed script got, and goes on from there,
printing `ack N` on stdout after action N returns. Each action waits for a line on stdin
(the test lets a few go, then kills); once stdin is closed the rest run freely. A fake clock moves STEP seconds before
each action, so an interrupted run and an uninterrupted one see the same times.

    python -m tests.store.shift_driver URL CACHE_DIR PACK SEED SESSION_ID
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from simulator.codebook.index import Codebook
from simulator.packs.loader import LoadedPack, load_pack
from simulator.shift.clock import FakeClock
from simulator.shift.session import Session
from simulator.store.base import Store

START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
"""When the scripted session starts."""

STEP = 7.0
"""Seconds the fake clock moves before each action."""

ACTION_KINDS = frozenset(
    {
        "chart_opened",
        "chart_closed",
        "code_added",
        "code_removed",
        "code_moved",
        "poa_set",
        "chart_submitted",
    }
)
"""The events the script's actions write, one each (session_started/resumed are not actions)."""

Action = tuple[Any, ...]


def _raw_dx(code: str, poa: str | None, inpatient: bool) -> str:
    """A diagnosis as a coder types it; inpatient ones carry their POA (exempt is 1)."""
    if not inpatient or poa is None:
        return code
    return f"{code}:{'1' if poa == 'exempt' else poa}"


def script(session: Session) -> list[Action]:
    """The fixed actions for a session's queue: code every chart, with detours, and submit it.

    Each chart: open it; add each key diagnosis but the last, each followed by a wrong code
    that is removed again, and a trip back to the queue after every third; move a line down
    and back up; set the principal's POA to N and back (inpatient); add the procedures; add
    the last diagnosis and submit.
    """
    actions: list[Action] = []
    for state in session.charts:
        chart = state.chart
        cid = chart.chart_id
        inpatient = chart.setting.value == "inpatient"
        dx = [_raw_dx(line.code, line.poa, inpatient) for line in chart.diagnoses]
        actions.append(("open", cid))
        for index, raw in enumerate(dx[:-1]):
            actions.append(("add", cid, "diagnoses", raw))
            actions.append(("add", cid, "diagnoses", "R69:Y" if inpatient else "R69"))
            actions.append(("remove", cid, "diagnoses", index + 1))
            if index % 3 == 2:
                actions += [("close",), ("open", cid)]
        if len(dx) >= 3:
            actions += [("move", cid, "diagnoses", 0, 1), ("move", cid, "diagnoses", 1, -1)]
        if inpatient:
            actions += [("poa", cid, 0, "N"), ("poa", cid, 0, "Y")]
        for line in chart.procedures:
            raw = line.code + "".join(f"-{m}" for m in line.modifiers)
            units = f" x{line.units}" if line.units > 1 else ""
            actions.append(("add", cid, "procedures", raw + units))
        actions += [("add", cid, "diagnoses", dx[-1]), ("submit", cid)]
    return actions


def perform(session: Session, action: Action) -> None:
    """Do one scripted action through the session's public methods."""
    name, *args = action
    if name == "open":
        session.open_chart(args[0])
    elif name == "close":
        session.close_chart()
    elif name == "add":
        session.add_code(args[0], args[1], args[2])
    elif name == "remove":
        session.remove_code(args[0], args[1], args[2])
    elif name == "move":
        session.move_code(args[0], args[1], args[2], args[3])
    elif name == "poa":
        session.set_poa(args[0], args[1], args[2])
    elif name == "submit":
        session.submit(args[0])
    else:
        raise ValueError(f"unknown scripted action {name!r}")


def actions_done(store: Store, session_id: str) -> int:
    """How many scripted actions the stored events show as done."""
    return sum(1 for event in store.events(session_id) if event.kind in ACTION_KINDS)


def open_or_resume(
    pack: LoadedPack, book: Codebook, store: Store, seed: int, session_id: str
) -> tuple[Session, FakeClock, int]:
    """Start the session, or resume it with the clock at its last action; return where it is."""
    if store.session_info(session_id) is None:
        clock = FakeClock(START)
        session = Session(
            pack,
            book,
            clock,
            store,
            seed=seed,
            trainee="kill-test",
            mode="shift",
            session_id=session_id,
            started_at=START,
        )
        return session, clock, 0
    done = actions_done(store, session_id)
    clock = FakeClock(START + timedelta(seconds=STEP * done))
    return Session.resume(pack, book, clock, store, session_id), clock, done


def run(
    session: Session,
    clock: FakeClock,
    done: int,
    ack: Callable[[int], None] | None = None,
    gate: Callable[[], object] | None = None,
) -> list[Action]:
    """Do the script's remaining actions, calling gate() before and ack(index) after each."""
    actions = script(session)
    for index in range(done, len(actions)):
        if gate is not None:
            gate()
        clock.advance(STEP)
        perform(session, actions[index])
        if ack is not None:
            ack(index)
    return actions


def main(argv: list[str]) -> int:
    """Run (or go on with) the scripted shift, acknowledging each action on stdout."""
    from simulator.store.sql import SqlStore

    url, cache_dir, pack_dir, seed, session_id = argv
    store = SqlStore(url)
    pack = load_pack(Path(pack_dir))
    book = Codebook.open(Path(cache_dir))
    session, clock, done = open_or_resume(pack, book, store, int(seed), session_id)
    print(f"ready {done}", flush=True)
    run(
        session,
        clock,
        done,
        ack=lambda index: print(f"ack {index}", flush=True),
        gate=sys.stdin.readline,  # one line lets one action go; at end of input, all go
    )
    print("done", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
