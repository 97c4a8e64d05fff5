"""Scenario packs: the format, a safe loader (folder or zip) that locates every error, checks."""

from typing import TYPE_CHECKING, Any

from simulator.packs.errors import PackError, Problem
from simulator.packs.loaded import LoadedPack
from simulator.packs.models import (
    Action,
    Case,
    ClaimType,
    Flag,
    InboxMessage,
    KeyLine,
    Pack,
    Query,
    Setting,
)

if TYPE_CHECKING:
    from simulator.packs.loader import load_pack, read_pack


def __getattr__(name: str) -> Any:
    """Import the loader (and YAML) only when it is used: reopening a checked pack needs neither."""
    if name in ("load_pack", "read_pack"):
        from simulator.packs import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'simulator.packs' has no attribute {name!r}")


__all__ = [
    "Action",
    "Case",
    "ClaimType",
    "Flag",
    "InboxMessage",
    "KeyLine",
    "LoadedPack",
    "Pack",
    "PackError",
    "Problem",
    "Query",
    "Setting",
    "load_pack",
    "read_pack",
]
