"""A candidate's sitting: the seed, the draw, the public pack in the cache, and the result.

`open_sitting` finds (or plans) the candidate's session: a candidate who quit comes back to the
same session, with the same seed and draw, and the clock still running. `write_sitting_result`
reads the session's events from the store and seals them to the screener.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.assess.draw import MAX_SEED, candidate_seed, draw
from simulator.assess.errors import AssessError
from simulator.assess.handin import HANDED_IN, seconds_left
from simulator.assess.result import write_result
from simulator.assess.sealed import SealedAssessment, write_public_pack

if TYPE_CHECKING:
    from simulator.store.base import Store

CANDIDATE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")
"""A candidate ID: letters, digits and . _ @ + -, at most 64 characters."""


@dataclass(frozen=True)
class Sitting:
    """One candidate's sitting of one sealed assessment."""

    sealed: SealedAssessment
    candidate: str
    seed: int
    drawn: tuple[str, ...]
    """The public ids of the candidate's charts."""
    pack_dir: Path
    """The public pack of the drawn cases, in the user's cache folder."""
    session_id: str | None
    """The session to resume; None when the candidate has not started yet."""
    started_at: datetime | None
    ended: bool
    """True once the assessment was handed in (or the time ran out and it was handed in)."""

    def seconds_left(self, now: datetime) -> float:
        """Seconds left in the time box (the full limit before the session starts)."""
        if self.started_at is None:
            return self.sealed.time_limit_minutes * 60
        return seconds_left(self.started_at, self.sealed.time_limit_minutes, now)


def check_candidate(candidate: str) -> str:
    """Return a valid candidate ID or raise ValueError saying what an ID may hold."""
    if not CANDIDATE_PATTERN.match(candidate):
        raise ValueError(
            "a candidate ID is 1 to 64 letters, digits and . _ @ + - (starting with a letter "
            "or digit), e.g. C-0042"
        )
    return candidate


def _session_of(store: Store, candidate: str, pack_id: str) -> dict[str, Any] | None:
    """The candidate's latest session on this assessment's public pack, with id and ended_at."""
    session_id = store.latest_session(candidate, pack_id)
    if session_id is None:
        return None
    for row in store.sessions(trainee=candidate):
        if row["id"] == session_id:
            return row
    info = store.session_info(session_id)
    return None if info is None else {"id": session_id, "ended_at": None, **info}


def open_sitting(
    sealed: SealedAssessment,
    candidate: str,
    seed: int | None,
    cache_dir: Path,
    store: Store,
) -> Sitting:
    """Find or plan a candidate's sitting and write its public pack to the cache folder.

    A candidate who already started keeps the seed recorded with the session; asking for
    another seed then is an error, so a sitting cannot be restarted with a fresh draw.
    """
    check_candidate(candidate)
    if seed is not None and not 1 <= seed <= MAX_SEED:
        raise AssessError(sealed.path, f"--seed must be between 1 and {MAX_SEED}")
    found = _session_of(store, candidate, sealed.public_pack_id)
    if found is not None:
        recorded = int(found["seed"])
        if seed is not None and seed != recorded:
            raise AssessError(
                sealed.path,
                f"candidate {candidate} already started this assessment with seed {recorded}; "
                "run the same command without --seed (or with that seed) to continue",
            )
        seed = recorded
    elif seed is None:
        seed = candidate_seed(sealed.salt, candidate)
    drawn = tuple(draw(sealed.plan, sealed.salt, seed))
    person = hashlib.sha256(candidate.encode("utf-8")).hexdigest()[:16]
    folder = Path(cache_dir) / "assessments" / sealed.id / f"{person}-{seed}"
    write_public_pack(sealed, list(drawn), folder)
    return Sitting(
        sealed=sealed,
        candidate=candidate,
        seed=seed,
        drawn=drawn,
        pack_dir=folder,
        session_id=None if found is None else str(found["id"]),
        started_at=None if found is None else found["started_at"],
        ended=found is not None and found.get("ended_at") is not None,
    )


def result_path(sealed: SealedAssessment, candidate: str, folder: Path) -> Path:
    """The default name of a candidate's result file: <sealed file's stem>.<candidate>.cdresult."""
    return folder / f"{sealed.path.stem}.{candidate}.cdresult"


def write_sitting_result(
    sitting: Sitting, session_id: str, store: Store, out: Path, now: datetime
) -> Path:
    """Seal the session's events to the screener and write the result file."""
    from simulator import __version__

    info = store.session_info(session_id)
    if info is None:
        raise AssessError(out, f"no session {session_id} in the store to write a result from")
    events = store.events(session_id)
    ended = next(
        (row["ended_at"] for row in store.sessions(sitting.candidate) if row["id"] == session_id),
        None,
    )
    header = {
        "assessment": sitting.sealed.id,
        "candidate": sitting.candidate,
        "session": session_id,
        "written_at": now.isoformat(),
    }
    session = {
        "assessment": sitting.sealed.id,
        "candidate": sitting.candidate,
        "session": session_id,
        "seed": sitting.seed,
        "drawn": list(sitting.drawn),
        "pack": {"id": info["pack_id"], "version": info["pack_version"]},
        "mode": info["mode"],
        "started_at": info["started_at"].isoformat(),
        "ended_at": ended.isoformat() if isinstance(ended, datetime) else None,
        "time_limit_minutes": sitting.sealed.time_limit_minutes,
        "codedesk": __version__,
    }
    end = {
        "events": len(events),
        "handed_in": any(event.kind == HANDED_IN for event in events),
        "written_at": now.isoformat(),
    }
    return write_result(out, sitting.sealed.public_key, header, session, events, end)
