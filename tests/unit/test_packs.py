"""Pack loading: the starter pack is clean; broken packs get one located message per problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from simulator.codebook import Codebook
from simulator.packs import LoadedPack, PackError, load_pack
from simulator.packs.validate import check_pack
from tests.conftest import STARTER


def test_starter_validates(starter: LoadedPack, book: Codebook) -> None:
    assert check_pack(starter, book) == []
    settings = {c.setting.value for c in starter.cases}
    assert {"emergency", "clinic", "inpatient"} <= settings


def _pack_with(tmp_path: Path, name: str, text: str) -> Path:
    root = tmp_path / "pack"
    shutil.copytree(STARTER, root)
    (root / "cases" / name).write_text(text)
    return root


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    root = _pack_with(tmp_path, "bad.yaml", "id: x\ntitle: [unclosed\n")
    with pytest.raises(PackError) as err:
        load_pack(root)
    assert any(p.file.endswith("bad.yaml") and p.line >= 2 for p in err.value.problems)


def test_unknown_field_and_missing_field(tmp_path: Path) -> None:
    root = _pack_with(
        tmp_path,
        "bad.yaml",
        "id: bad-case\ntitle: Bad\nsetting: clinic\ncolour: blue\ndocuments:\n  - type: note\n    text: hi\n",
    )
    with pytest.raises(PackError) as err:
        load_pack(root)
    messages = [str(p) for p in err.value.problems]
    assert any("bad.yaml:4:1: unknown field 'colour'" in m for m in messages)
    assert any("missing required field 'encounter'" in m for m in messages)


def test_duplicate_case_id(tmp_path: Path) -> None:
    text = (STARTER / "cases" / "clinic-diabetes-followup.yaml").read_text()
    root = _pack_with(tmp_path, "zz-copy.yaml", text)
    with pytest.raises(PackError) as err:
        load_pack(root)
    assert any("duplicate case id" in p.message for p in err.value.problems)


def test_codebook_problems_are_located(tmp_path: Path, book: Codebook) -> None:
    text = (STARTER / "cases" / "clinic-diabetes-followup.yaml").read_text()
    text = text.replace("id: clinic-diabetes-followup", "id: clinic-copy")
    text = text.replace("- code: E11.65", "- code: E11", 1)
    text = text.replace("evidence: Essential hypertension - at goal", "evidence: not in the note")
    text = text.replace("Labs today:", "Labs {{ patient.shoe_size }} today:")
    root = _pack_with(tmp_path, "zz-copy.yaml", text)
    problems = check_pack(load_pack(root), book)
    messages = [str(p) for p in problems]
    lines = text.splitlines()
    e11_line = next(i for i, ln in enumerate(lines, 1) if "- code: E11" in ln and "E11." not in ln)
    assert any(
        m.startswith(f"pack/cases/zz-copy.yaml:{e11_line}:") and "not billable" in m
        for m in messages
    )
    assert any("evidence quote not found" in m for m in messages)
    shoe = next(i for i, ln in enumerate(lines, 1) if "shoe_size" in ln)
    col = lines[shoe - 1].index("{{") + 1
    assert any(
        m.startswith(f"pack/cases/zz-copy.yaml:{shoe}:{col}: unknown placeholder") for m in messages
    )


def test_yaml_tags_are_refused(tmp_path: Path) -> None:
    root = _pack_with(tmp_path, "evil.yaml", "id: !!python/object:os.system ls\n")
    with pytest.raises(PackError) as err:
        load_pack(root)
    assert any("not allowed" in p.message for p in err.value.problems)


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    root = _pack_with(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    with pytest.raises(PackError) as err:
        load_pack(root)
    assert any("more than" in p.message for p in err.value.problems)
