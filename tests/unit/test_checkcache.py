"""A pack's clean check is remembered only for exactly those files, codebook and version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from simulator.codebook.index import Codebook
from simulator.packs.checkcache import (
    checked_before,
    open_checked_pack,
    pack_digest,
    remember_checked,
)
from simulator.packs.errors import PackError
from tests.conftest import STARTER


def test_any_edit_invalidates(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(STARTER, pack)
    index = tmp_path / "codebook-x.sqlite3"
    digest = pack_digest(pack, index)
    assert not checked_before(tmp_path, digest)
    remember_checked(tmp_path, digest)
    assert checked_before(tmp_path, pack_digest(pack, index))
    case = next((pack / "cases").glob("*.yaml"))
    case.write_text(case.read_text() + "\n# edited\n")
    assert not checked_before(tmp_path, pack_digest(pack, index))
    assert pack_digest(pack, index) != pack_digest(pack, tmp_path / "codebook-y.sqlite3")


def test_a_checked_pack_reopens_from_its_compiled_copy(tmp_path: Path, book: Codebook) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(STARTER, pack)
    cache = tmp_path / "cache"
    first = open_checked_pack(pack, book, cache)
    copies = list((cache / "pack-checks").glob("*.pickle"))
    assert len(copies) == 1
    again = open_checked_pack(pack, book, cache)
    assert again.cases == first.cases and again.pack == first.pack
    assert again.sources == {}  # the compiled copy, not a fresh parse
    copies[0].write_bytes(b"not a pickle")
    rebuilt = open_checked_pack(pack, book, cache)
    assert rebuilt.cases == first.cases and rebuilt.sources  # unreadable copy: read again


def test_a_pack_with_errors_is_never_compiled(tmp_path: Path, book: Codebook) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(STARTER, pack)
    case = next((pack / "cases").glob("*.yaml"))
    case.write_text(case.read_text().replace("code_year", "code_year_typo", 1) + "\nbogus: 1\n")
    with pytest.raises(PackError):
        open_checked_pack(pack, book, tmp_path / "cache")
    assert not list((tmp_path / "cache").rglob("*.pickle"))
