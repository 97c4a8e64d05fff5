"""Zipped packs: read in memory, refused when unsafe, every problem named `pack.zip!member:line:col`."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from simulator.codebook import Codebook
from simulator.packs import PackError, load_pack, read_pack, source
from simulator.packs.scaffold import write_starter_pack
from simulator.packs.validate import check_pack


def starter_files(tmp_path: Path) -> dict[str, bytes]:
    """Return the files of the `pack new` starter pack by relative name."""
    root = tmp_path / "starter-src"
    write_starter_pack(root)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def make_zip(
    path: Path,
    files: dict[str, bytes],
    *,
    prefix: str = "",
    links: dict[str, str] | None = None,
    method: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """Write a zip holding files (under prefix) and symbolic links; return its path."""
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in files.items():
            archive.writestr(prefix + name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(prefix + name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


@pytest.mark.parametrize("prefix", ["", "my-pack/"])
def test_zip_loads_like_a_folder(tmp_path: Path, book: Codebook, prefix: str) -> None:
    path = make_zip(tmp_path / "pack.zip", starter_files(tmp_path), prefix=prefix)
    loaded = load_pack(path)
    assert loaded.root == path
    assert {c.id for c in loaded.cases} == {"clinic-acute-cystitis", "ed-colles-fracture"}
    assert [m.id for m in loaded.inbox] == ["roi-email-request"]
    assert check_pack(loaded, book) == []


def test_zip_is_never_extracted(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "pack.zip", starter_files(tmp_path), prefix="p/")
    before = sorted(tmp_path.rglob("*"))
    load_pack(path)
    assert sorted(tmp_path.rglob("*")) == before


def test_zip_problems_are_located_inside_the_zip(tmp_path: Path) -> None:
    files = starter_files(tmp_path)
    files["cases/broken.yaml"] = b"id: broken\ntitle: [unclosed\n"
    with pytest.raises(PackError) as err:
        load_pack(make_zip(tmp_path / "pack.zip", files))
    (problem,) = err.value.problems
    assert str(problem).startswith("pack.zip!cases/broken.yaml:3:1: YAML syntax")
    with pytest.raises(PackError) as err:
        load_pack(make_zip(tmp_path / "top.zip", files, prefix="mine/"))
    assert str(err.value.problems[0]).startswith("top.zip!mine/cases/broken.yaml:3:1:")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("../evil.yaml", "path with '..'"),
        ("cases/../../evil.yaml", "path with '..'"),
        ("/etc/evil.yaml", "absolute path"),
        ("C:/evil.yaml", "absolute path"),
        ("cases\\..\\..\\evil.yaml", "path with '..'"),
        ("cases\\evil.yaml", "backslash"),
    ],
)
def test_zip_path_traversal_is_refused(tmp_path: Path, name: str, words: str) -> None:
    files = starter_files(tmp_path)
    files[name] = b"id: evil\n"
    with pytest.raises(PackError) as err:
        load_pack(make_zip(tmp_path / "pack.zip", files))
    assert [p.message for p in err.value.problems if words in p.message], err.value.problems
    assert all(p.file.startswith("pack.zip") for p in err.value.problems)


def test_zip_links_are_refused(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "pack.zip", starter_files(tmp_path), links={"cases/x.yaml": "/etc/passwd"}
    )
    with pytest.raises(PackError) as err:
        load_pack(path)
    assert [str(p) for p in err.value.problems] == [
        "pack.zip!cases/x.yaml:1:1: links are not allowed in a pack zip"
    ]


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    files = starter_files(tmp_path)
    files["cases/bomb.yaml"] = b"#" + b" " * 5_000_000
    with pytest.raises(PackError) as err:
        load_pack(make_zip(tmp_path / "pack.zip", files))
    (problem,) = err.value.problems
    assert problem.file == "pack.zip!cases/bomb.yaml" and "zip bomb" in problem.message


def test_zip_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = starter_files(tmp_path)
    path = make_zip(tmp_path / "pack.zip", files, method=zipfile.ZIP_STORED)
    monkeypatch.setattr(source, "MAX_ZIP_ENTRIES", 3)
    with pytest.raises(PackError) as err:
        load_pack(path)
    assert [str(p) for p in err.value.problems] == [
        "pack.zip:1:1: the zip holds more than 3 members"
    ]
    monkeypatch.setattr(source, "MAX_ZIP_ENTRIES", 100)
    monkeypatch.setattr(source, "MAX_PACK_BYTES", 2_000)
    with pytest.raises(PackError) as err:
        load_pack(path)
    assert any("expands to more than" in p.message for p in err.value.problems)
    monkeypatch.setattr(source, "MAX_PACK_BYTES", 64 * 2**20)
    monkeypatch.setattr(source, "MAX_ZIP_BYTES", 100)
    with pytest.raises(PackError) as err:
        load_pack(path)
    assert "the zip is larger than" in err.value.problems[0].message


def test_oversized_member_is_refused(tmp_path: Path) -> None:
    files = starter_files(tmp_path)
    files["cases/big.yaml"] = bytes(range(256)) * 2_100
    with pytest.raises(PackError) as err:
        load_pack(make_zip(tmp_path / "pack.zip", files, method=zipfile.ZIP_STORED))
    assert [p.message for p in err.value.problems] == ["file is larger than 512 KiB"]


def test_member_whose_header_lies_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    files = starter_files(tmp_path)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.getinfo("cases/clinic-acute-cystitis.yaml").file_size = 10
    (tmp_path / "pack.zip").write_bytes(buffer.getvalue())
    loaded, problems = read_pack(tmp_path / "pack.zip")
    assert problems and all(p.file.startswith("pack.zip!") for p in problems)
    assert "clinic-acute-cystitis" not in loaded.sources


def test_zip_layout_problems(tmp_path: Path) -> None:
    files = starter_files(tmp_path)
    two = {**{f"a/{k}": v for k, v in files.items()}, **{f"b/{k}": v for k, v in files.items()}}
    with pytest.raises(PackError) as err:
        load_pack(make_zip(tmp_path / "two.zip", two))
    assert [str(p) for p in err.value.problems] == [
        "two.zip:1:1: the zip holds more than one pack folder: put pack.yaml at the top of the "
        "zip or in one top folder"
    ]
    with pytest.raises(PackError) as err:
        load_pack(make_zip(tmp_path / "none.zip", {"readme.txt": b"hi"}))
    assert "has no pack.yaml" in str(err.value)


def test_mac_litter_is_ignored(tmp_path: Path) -> None:
    files = starter_files(tmp_path)
    files["__MACOSX/._pack.yaml"] = b"\x00\x05\x16\x07"
    files[".DS_Store"] = b"\x00\x00"
    assert len(load_pack(make_zip(tmp_path / "mac.zip", files)).cases) == 2


def test_encrypted_member_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "pack.zip", starter_files(tmp_path))
    data = bytearray(path.read_bytes())
    # Set the "encrypted" flag bit in the central directory entry of every member.
    offset = 0
    while (offset := data.find(b"PK\x01\x02", offset)) != -1:
        data[offset + 8] |= 0x1
        offset += 4
    path.write_bytes(bytes(data))
    with pytest.raises(PackError) as err:
        load_pack(path)
    assert all("encrypted" in p.message for p in err.value.problems)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not really", b"\x00" * 100])
def test_damaged_zip(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "pack.zip"
    path.write_bytes(content)
    with pytest.raises(PackError) as err:
        load_pack(path)
    (problem,) = err.value.problems
    assert problem.file == "pack.zip" and (problem.line, problem.col) == (1, 1)
    assert "not a readable zip file" in problem.message


def test_not_a_pack(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(PackError) as err:
        load_pack(path)
    assert "a pack is a folder holding pack.yaml, or a .zip of one" in str(err.value)
