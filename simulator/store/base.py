"""The store's interface and an in-memory store; the SQL store lives in store/sql.py."""

from __future__ import annotations

import json
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
