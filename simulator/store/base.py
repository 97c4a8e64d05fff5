"""The store's interface and an in-memory store; the SQL store lives in store/sql.py."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Event:
    """One recorded action of a session."""

    session_id: str
    seq: int
    at: datetime
    kind: str
    payload: dict[str, Any]


class Store(Protocol):
    """Where sessions and events are kept."""

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


class MemoryStore:
    """A store that keeps everything in memory; for tests and throwaway runs."""

    def __init__(self) -> None:
        """Start empty."""
        self.sessions: dict[str, dict[str, Any]] = {}
        self._events: dict[str, list[Event]] = {}

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
        self.sessions[session_id] = {
            "trainee": trainee,
            "pack_id": pack_id,
            "pack_version": pack_version,
            "mode": mode,
            "seed": seed,
            "started_at": started_at,
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
        info = self.sessions.get(session_id)
        return dict(info) if info is not None else None

    def latest_session(self, trainee: str, pack_id: str) -> str | None:
        """Return the most recently started session of a trainee on a pack."""
        found = [
            (info["started_at"], sid)
            for sid, info in self.sessions.items()
            if info["trainee"] == trainee and info["pack_id"] == pack_id
        ]
        return max(found)[1] if found else None


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
