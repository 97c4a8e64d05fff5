"""Scenario packs: the format, a loader that locates every error, and the validator."""

from simulator.packs.errors import PackError, Problem
from simulator.packs.loader import LoadedPack, load_pack
from simulator.packs.models import Action, Case, ClaimType, KeyLine, Pack, Setting

__all__ = [
    "Action",
    "Case",
    "ClaimType",
    "KeyLine",
    "LoadedPack",
    "Pack",
    "PackError",
    "Problem",
    "Setting",
    "load_pack",
]
