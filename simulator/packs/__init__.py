"""Scenario packs: the format, a safe loader (folder or zip) that locates every error, checks."""

from simulator.packs.errors import PackError, Problem
from simulator.packs.loader import LoadedPack, load_pack, read_pack
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
