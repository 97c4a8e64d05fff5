"""Shared fixtures: one codebook index per test run, a starter session, a fixed clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["CODEDESK_CONFIG"] = str(Path(__file__).parent / "data" / "no-such-config.toml")
for _name in list(os.environ):
    if _name.startswith("CODEDESK_") and _name != "CODEDESK_CONFIG":
        del os.environ[_name]

from simulator import paths  # noqa: E402
from simulator.codebook import Codebook  # noqa: E402
from simulator.codebook.build import build_index, index_path  # noqa: E402
from simulator.config import Settings  # noqa: E402
from simulator.packs import LoadedPack, load_pack  # noqa: E402
from simulator.shift import FakeClock, Session  # noqa: E402
from simulator.store import MemoryStore  # noqa: E402

STARTER = paths.builtin_pack("starter")


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder holding a freshly built codebook index (built once per run)."""
    folder = tmp_path_factory.mktemp("cache")
    build_index(folder)
    assert index_path(folder).exists()
    return folder


@pytest.fixture(scope="session")
def book(cache_dir: Path) -> Codebook:
    """The codebook opened read-only."""
    return Codebook.open(cache_dir)


@pytest.fixture(scope="session")
def starter() -> LoadedPack:
    """The built-in starter pack."""
    return load_pack(STARTER)


@pytest.fixture
def clock() -> FakeClock:
    """A clock that moves only when a test says so."""
    return FakeClock()


@pytest.fixture
def session(starter: LoadedPack, book: Codebook, clock: FakeClock) -> Session:
    """A practice session over the starter pack with an in-memory store."""
    return Session(starter, book, clock, MemoryStore(), seed=7)


@pytest.fixture
def settings(cache_dir: Path, tmp_path: Path) -> Iterator[Settings]:
    """Settings for an app under test: the shared index, data under tmp_path."""
    yield Settings(pack=STARTER, cache_dir=cache_dir, data_dir=tmp_path / "data")
