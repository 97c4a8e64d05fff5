"""Find the session a trainee left unfinished, so the app can offer to resume it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from simulator.store.base import Store

NOT_WORK = frozenset({"session_started", "session_resumed"})
"""Event kinds that are not the trainee's work: a session with only these has nothing to resume."""

RESUMABLE_MODES = frozenset({"practice", "shift"})
"""Assessments resume only through `codedesk assess take` (their clock keeps running)."""


@dataclass(frozen=True)
class Unfinished:
    """A trainee's latest session on a pack, not ended, with work in it."""

    session_id: str
    mode: str
    started_at: datetime
    last_at: datetime
    """When the last action was saved."""
    charts: int
    """Charts in its queue."""
    done: int
    """Charts submitted (coded, queried, flagged or otherwise decided and sent on)."""
    actions: int
    """Saved actions (events other than the session's start and resumes)."""

    def describe(self) -> str:
        """One plain sentence for the offer: no patient data, only counts and times."""
        return (
            f"{self.mode.capitalize()} session {self.session_id}, started "
            f"{self.started_at:%Y-%m-%d %H:%M} UTC, last action {self.last_at:%Y-%m-%d %H:%M} "
            f"UTC: {self.done} of {self.charts} charts done, {self.actions} actions saved. "
            "Resuming restores the queue, the open chart, the codes typed and the timers "
            "(time away is not counted)."
        )


def find_unfinished(
    store: Store, trainee: str, pack_id: str, *, exclude: str | None = None
) -> Unfinished | None:
    """Return the trainee's most recent session on the pack if it was left unfinished.

    Only the most recent one counts (apart from `exclude`, the session just started): a
    trainee who started afresh instead of resuming is not asked about older sessions again.
    """
    mine = [
        info
        for info in store.sessions(trainee=trainee)
        if info["pack_id"] == pack_id and info["id"] != exclude
    ]
    if not mine:
        return None
    latest = mine[-1]
    if latest["ended_at"] is not None or latest["mode"] not in RESUMABLE_MODES:
        return None
    events = store.events(latest["id"])
    work = [e for e in events if e.kind not in NOT_WORK]
    if not work:
        return None
    done = {e.payload.get("chart") for e in work if e.kind == "chart_submitted"}
    served = store.served(latest["id"])
    return Unfinished(
        session_id=latest["id"],
        mode=latest["mode"],
        started_at=latest["started_at"],
        last_at=events[-1].at,
        charts=len(served),
        done=len(done),
        actions=len(work),
    )
