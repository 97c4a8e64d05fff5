"""The store's interface and an in-memory store; the SQL store lives in store/sql.py."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol


@dataclass(frozen=True)
class Event:
    """One recorded action of a session."""

    session_id: str
    seq: int
    at: datetime
    kind: str
    payload: dict[str, Any]


class StoreError(Exception):
    """The session store cannot be opened or written: what is wrong, where, and what to do.

    Raised instead of a driver's exception, so a caller shows `str(error)` as one clear
    message; the database is left exactly as it was (a failed write is rolled back whole).
    """

    def __init__(self, problem: str, *, location: str, advice: str) -> None:
        """Keep the three parts; the message reads "location: problem. advice"."""
        self.problem = problem
        """What is wrong, in words a trainee or an administrator can act on."""
        self.location = location
        """The database file, or the database URL with its password hidden."""
        self.advice = advice
        """What to do about it."""
        super().__init__(f"{location}: {problem}. {advice}")

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickle by its parts, so the error crosses process boundaries (multiprocessing)."""
        return partial(StoreError, location=self.location, advice=self.advice), (self.problem,)


@dataclass(frozen=True)
class ManualCredit:
    """A trainer's change to the credit of one graded line; the original is kept beside it."""

    id: int
    session_id: str
    chart_id: str
    line: int
    """Index of the line in the grade's `lines` list (scoring.report.grade_dict order)."""
    credit: float
    """The credit the trainer grants, 0 to 1 (0 removes credit)."""
    original: float
    """The credit the line had from the answer key."""
    comment: str
    by: str
    at: datetime


class Store(Protocol):
    """Where sessions and events are kept; a store that cannot do what is asked raises StoreError."""

    def create_session(
        self,
        session_id: str,
        *,
        trainee: str,
        pack_id: str,
        pack_version: str,
        mode: str,
        seed: int,
        started_at: datetime,
    ) -> None:
        """Record a new session."""
        ...

    def append(self, session_id: str, at: datetime, kind: str, payload: dict[str, Any]) -> Event:
        """Commit one event and return it with its sequence number."""
        ...

    def events(self, session_id: str) -> list[Event]:
        """Return a session's events in order."""
        ...

    def session_info(self, session_id: str) -> dict[str, Any] | None:
        """Return a session's trainee, pack_id, pack_version, mode, seed and started_at."""
        ...

    def latest_session(self, trainee: str, pack_id: str) -> str | None:
        """Return the id of the trainee's most recently started session on a pack."""
        ...

    def serve_charts(self, session_id: str, charts: list[tuple[str, str, int]]) -> None:
        """Record the charts a session's queue was given: (chart_id, case_id, seed) each."""
        ...

    def served(self, session_id: str) -> list[tuple[str, str, int]]:
        """Return the charts a session's queue was given, in queue order."""
        ...

    def end_session(self, session_id: str, at: datetime) -> None:
        """Record that a session has ended (the shift closed or the assessment was submitted)."""
        ...

    def sessions(
        self, trainee: str | None = None, cohort: str | None = None
    ) -> list[dict[str, Any]]:
        """Return session_info dicts plus `id` and `ended_at`, oldest first, optionally filtered."""
        ...

    def set_cohort(self, trainee: str, cohort: str | None) -> None:
        """Put a trainee in a cohort (None takes them out); creates the trainee when unknown."""
        ...

    def trainees(self, cohort: str | None = None) -> list[dict[str, Any]]:
        """Return {trainee, cohort} for every trainee (or those of one cohort), by name."""
        ...

    def record_grade(
        self, session_id: str, chart_id: str, case_id: str, at: datetime, grade: dict[str, Any]
    ) -> None:
        """Keep a chart's de-identified grade (scoring.report.grade_dict); a second call replaces it."""
        ...

    def grades(self, session_id: str) -> dict[str, dict[str, Any]]:
        """Return chart_id -> {case_id, at, grade} for a session's graded charts."""
        ...

    def add_credit(
        self,
        session_id: str,
        chart_id: str,
        line: int,
        *,
        credit: float,
        original: float,
        comment: str,
        by: str,
        at: datetime,
    ) -> ManualCredit:
        """Append a trainer's manual credit on one graded line; the latest one per line counts."""
        ...

    def credits(self, session_id: str) -> list[ManualCredit]:
        """Return a session's manual credits in the order they were given."""
        ...


class MemoryStore:
    """A store that keeps everything in memory; for tests and throwaway runs."""

    def __init__(self) -> None:
        """Start empty."""
        self._sessions: dict[str, dict[str, Any]] = {}
        self._events: dict[str, list[Event]] = {}
        self._cohorts: dict[str, str | None] = {}
        self._grades: dict[str, dict[str, dict[str, Any]]] = {}
        self._credits: list[ManualCredit] = []
        self._served: dict[str, list[tuple[str, str, int]]] = {}

    def create_session(
        self,
        session_id: str,
        *,
        trainee: str,
        pack_id: str,
        pack_version: str,
        mode: str,
        seed: int,
        started_at: datetime,
    ) -> None:
        """Record a new session."""
        self._cohorts.setdefault(trainee, None)
        self._sessions[session_id] = {
            "trainee": trainee,
            "pack_id": pack_id,
            "pack_version": pack_version,
            "mode": mode,
            "seed": seed,
            "started_at": started_at,
            "ended_at": None,
        }
        self._events[session_id] = []

    def append(self, session_id: str, at: datetime, kind: str, payload: dict[str, Any]) -> Event:
        """Keep one event."""
        log = self._events.setdefault(session_id, [])
        event = Event(session_id, len(log) + 1, at, kind, json.loads(json.dumps(payload)))
        log.append(event)
        return event

    def events(self, session_id: str) -> list[Event]:
        """Return a session's events in order."""
        return list(self._events.get(session_id, []))

    def session_info(self, session_id: str) -> dict[str, Any] | None:
        """Return what was recorded when the session started."""
        info = self._sessions.get(session_id)
        return dict(info) if info is not None else None

    def latest_session(self, trainee: str, pack_id: str) -> str | None:
        """Return the most recently started session of a trainee on a pack."""
        found = [
            (info["started_at"], sid)
            for sid, info in self._sessions.items()
            if info["trainee"] == trainee and info["pack_id"] == pack_id
        ]
        return max(found)[1] if found else None

    def serve_charts(self, session_id: str, charts: list[tuple[str, str, int]]) -> None:
        """Record the charts a session's queue was given."""
        self._served[session_id] = [tuple(c) for c in charts]  # type: ignore[misc]

    def served(self, session_id: str) -> list[tuple[str, str, int]]:
        """Return the charts a session was given."""
        return list(self._served.get(session_id, []))

    def end_session(self, session_id: str, at: datetime) -> None:
        """Record the session's end."""
        if session_id in self._sessions:
            self._sessions[session_id]["ended_at"] = at

    def sessions(
        self, trainee: str | None = None, cohort: str | None = None
    ) -> list[dict[str, Any]]:
        """Return the sessions, oldest first, of one trainee or one cohort if asked."""
        found = []
        for sid, info in self._sessions.items():
            if trainee is not None and info["trainee"] != trainee:
                continue
            if cohort is not None and self._cohorts.get(info["trainee"]) != cohort:
                continue
            found.append({"id": sid, **info})
        return sorted(found, key=lambda row: (row["started_at"], row["id"]))

    def set_cohort(self, trainee: str, cohort: str | None) -> None:
        """Put a trainee in a cohort."""
        self._cohorts[trainee] = cohort

    def trainees(self, cohort: str | None = None) -> list[dict[str, Any]]:
        """Return the trainees and their cohorts, by name."""
        return [
            {"trainee": name, "cohort": group}
            for name, group in sorted(self._cohorts.items())
            if cohort is None or group == cohort
        ]

    def record_grade(
        self, session_id: str, chart_id: str, case_id: str, at: datetime, grade: dict[str, Any]
    ) -> None:
        """Keep a chart's grade."""
        self._grades.setdefault(session_id, {})[chart_id] = {
            "case_id": case_id,
            "at": at,
            "grade": json.loads(json.dumps(grade)),
        }

    def grades(self, session_id: str) -> dict[str, dict[str, Any]]:
        """Return a session's grades by chart id."""
        return {k: dict(v) for k, v in self._grades.get(session_id, {}).items()}

    def add_credit(
        self,
        session_id: str,
        chart_id: str,
        line: int,
        *,
        credit: float,
        original: float,
        comment: str,
        by: str,
        at: datetime,
    ) -> ManualCredit:
        """Append a manual credit."""
        entry = ManualCredit(
            len(self._credits) + 1, session_id, chart_id, line, credit, original, comment, by, at
        )
        self._credits.append(entry)
        return entry

    def credits(self, session_id: str) -> list[ManualCredit]:
        """Return a session's manual credits in order."""
        return [c for c in self._credits if c.session_id == session_id]


class DeferredStore:
    """Holds a session's first events until the real store is attached, then forwards all.

    Opening the SQL store imports SQLAlchemy (about 0.1 s); deferring it lets the queue appear
    first. The app refuses user actions until `attached` is true, so no action the coder sees
    acknowledged ever lives only in memory.
    """

    def __init__(self) -> None:
        """Start with nothing attached."""
        self._lock = threading.Lock()
        self._real: Store | None = None
        self._pending: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self._memory = MemoryStore()

    @property
    def attached(self) -> bool:
        """True once events go straight to the real store."""
        return self._real is not None

    def attach(self, real: Store) -> None:
        """Replay what was held into the real store, then forward everything to it."""
        with self._lock:
            for method, args, kwargs in self._pending:
                getattr(real, method)(*args, **kwargs)
            self._pending.clear()
            self._real = real

    def create_session(self, session_id: str, **kwargs: Any) -> None:
        """Record a new session (held until attach)."""
        with self._lock:
            if self._real is not None:
                self._real.create_session(session_id, **kwargs)
                return
            self._pending.append(("create_session", (session_id,), kwargs))
            self._memory.create_session(session_id, **kwargs)

    def append(self, session_id: str, at: datetime, kind: str, payload: dict[str, Any]) -> Event:
        """Commit one event, or hold it until attach."""
        with self._lock:
            if self._real is not None:
                return self._real.append(session_id, at, kind, payload)
            self._pending.append(("append", (session_id, at, kind, payload), {}))
            return self._memory.append(session_id, at, kind, payload)

    def events(self, session_id: str) -> list[Event]:
        """Return a session's events in order."""
        with self._lock:
            if self._real is not None:
                return self._real.events(session_id)
            return self._memory.events(session_id)

    def session_info(self, session_id: str) -> dict[str, Any] | None:
        """Return what was recorded when the session started."""
        with self._lock:
            source: Store = self._real if self._real is not None else self._memory
            return source.session_info(session_id)

    def latest_session(self, trainee: str, pack_id: str) -> str | None:
        """Return the most recently started session of a trainee on a pack."""
        with self._lock:
            source: Store = self._real if self._real is not None else self._memory
            return source.latest_session(trainee, pack_id)

    def _write(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Forward a write to the real store, or hold it (and mirror it in memory) until attach."""
        with self._lock:
            if self._real is not None:
                return getattr(self._real, method)(*args, **kwargs)
            self._pending.append((method, args, kwargs))
            return getattr(self._memory, method)(*args, **kwargs)

    def _read(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Read from the real store once attached, else from what is held."""
        with self._lock:
            source: Store = self._real if self._real is not None else self._memory
            return getattr(source, method)(*args, **kwargs)

    def serve_charts(self, session_id: str, charts: list[tuple[str, str, int]]) -> None:
        """Record the charts a session's queue was given."""
        self._write("serve_charts", session_id, charts)

    def served(self, session_id: str) -> list[tuple[str, str, int]]:
        """Return the charts a session's queue was given."""
        result: list[tuple[str, str, int]] = self._read("served", session_id)
        return result

    def end_session(self, session_id: str, at: datetime) -> None:
        """Record the session's end."""
        self._write("end_session", session_id, at)

    def sessions(
        self, trainee: str | None = None, cohort: str | None = None
    ) -> list[dict[str, Any]]:
        """Return sessions."""
        result: list[dict[str, Any]] = self._read("sessions", trainee, cohort)
        return result

    def set_cohort(self, trainee: str, cohort: str | None) -> None:
        """Put a trainee in a cohort."""
        self._write("set_cohort", trainee, cohort)

    def trainees(self, cohort: str | None = None) -> list[dict[str, Any]]:
        """Return trainees."""
        result: list[dict[str, Any]] = self._read("trainees", cohort)
        return result

    def record_grade(
        self, session_id: str, chart_id: str, case_id: str, at: datetime, grade: dict[str, Any]
    ) -> None:
        """Keep a chart's grade."""
        self._write("record_grade", session_id, chart_id, case_id, at, grade)

    def grades(self, session_id: str) -> dict[str, dict[str, Any]]:
        """Return a session's grades."""
        result: dict[str, dict[str, Any]] = self._read("grades", session_id)
        return result

    def add_credit(self, session_id: str, chart_id: str, line: int, **kwargs: Any) -> ManualCredit:
        """Append a manual credit."""
        result: ManualCredit = self._write("add_credit", session_id, chart_id, line, **kwargs)
        return result

    def credits(self, session_id: str) -> list[ManualCredit]:
        """Return a session's manual credits."""
        result: list[ManualCredit] = self._read("credits", session_id)
        return result
