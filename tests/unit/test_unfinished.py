"""Which stored session counts as unfinished (the offer to resume, issue #9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from simulator.shift.unfinished import find_unfinished
from simulator.store.base import MemoryStore

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def started(
    store: MemoryStore,
    sid: str,
    *,
    hours: int = 0,
    mode: str = "practice",
    pack: str = "starter",
    trainee: str = "ana",
    work: tuple[str, ...] = ("chart_opened",),
) -> None:
    at = T0 + timedelta(hours=hours)
    store.create_session(
        sid, trainee=trainee, pack_id=pack, pack_version="1", mode=mode, seed=1, started_at=at
    )
    store.serve_charts(sid, [("c1", "case-a", 1), ("c2", "case-b", 1), ("c3", "case-c", 1)])
    store.append(sid, at, "session_started", {"charts": ["c1", "c2", "c3"]})
    for minute, kind in enumerate(work, start=1):
        store.append(sid, at + timedelta(minutes=minute), kind, {"chart": "c1"})


def test_the_latest_unfinished_session_with_work_is_found_with_its_counts() -> None:
    store = MemoryStore()
    started(store, "s1", work=("chart_opened", "code_added", "chart_submitted", "chart_opened"))
    found = find_unfinished(store, "ana", "starter")
    assert found is not None
    assert (found.session_id, found.mode, found.charts, found.done, found.actions) == (
        "s1",
        "practice",
        3,
        1,
        4,
    )
    assert found.last_at == T0 + timedelta(minutes=4)
    assert "1 of 3 charts done" in found.describe()


def test_nothing_to_offer() -> None:
    store = MemoryStore()
    assert find_unfinished(store, "ana", "starter") is None
    started(store, "empty", work=())  # opened and left without doing anything
    assert find_unfinished(store, "ana", "starter") is None
    started(store, "other-pack", hours=1, pack="coding-101")
    started(store, "other-trainee", hours=2, trainee="bo")
    assert find_unfinished(store, "ana", "starter") is None
    started(store, "exam", hours=3, mode="assessment")
    assert find_unfinished(store, "ana", "starter") is None  # assessments resume via assess take
    started(store, "done", hours=4)
    store.end_session("done", T0 + timedelta(hours=5))
    assert find_unfinished(store, "ana", "starter") is None


def test_only_the_most_recent_session_counts_and_the_new_one_is_excluded() -> None:
    store = MemoryStore()
    started(store, "old")
    started(store, "newer", hours=1, work=())
    assert find_unfinished(store, "ana", "starter") is None  # the trainee started afresh
    assert find_unfinished(store, "ana", "starter", exclude="newer") is not None
    started(store, "shift", hours=2, mode="shift")
    found = find_unfinished(store, "ana", "starter")
    assert found is not None and found.mode == "shift"
