"""Fixtures for the unit tests: the small grading pack the scoring tests share."""

from __future__ import annotations

import pytest

from simulator.packs import LoadedPack, load_pack
from tests.unit.grading import PACK


@pytest.fixture(scope="module")
def sample() -> LoadedPack:
    """The small grading pack under tests/data/grading (stable, unlike the starter)."""
    return load_pack(PACK)
