"""A pack's clean check is remembered only for exactly those files, codebook and version."""

from __future__ import annotations

import shutil
from pathlib import Path

from simulator.packs.checkcache import checked_before, pack_digest, remember_checked
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
