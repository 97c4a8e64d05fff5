"""Persistence: sessions and their append-only event log.

`SqlStore` (SQLAlchemy Core over SQLite or PostgreSQL) is in `simulator.store.sql` and is
imported only where a database is opened, to keep start-up fast.
"""

from simulator.store.base import (
    DeferredStore,
    Event,
    ManualCredit,
    MemoryStore,
    Store,
    StoreError,
)

__all__ = ["DeferredStore", "Event", "ManualCredit", "MemoryStore", "Store", "StoreError"]
