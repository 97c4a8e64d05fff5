"""Read a pack's files into memory from a folder or a `.zip`, refusing anything unsafe.

A pack is untrusted input. From a folder, links are not followed and sizes are capped. From a
zip, members are read into memory (never extracted to disk) after checking every name (no
absolute paths, no `..`, no links), the number of members, the total and per-file sizes, and
the compression ratio, so a crafted archive cannot escape the pack or exhaust memory.
"""

from __future__ import annotations

import lzma
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from simulator.packs.errors import Problem
from simulator.packs.models import MAX_CASES
from simulator.packs.yamlsrc import MAX_FILE_BYTES

MAX_PACK_BYTES = 64 * 1024 * 1024
"""Total size of the files read from one pack."""
MAX_INBOX = 500
"""Inbox messages in one pack."""
MAX_ZIP_ENTRIES = MAX_CASES + MAX_INBOX + 500
"""Members (files and folders) in one zip."""
MAX_ZIP_BYTES = 64 * 1024 * 1024
"""Size of the zip file itself."""
MAX_RATIO = 100
"""A member that expands more than this many times its compressed size is refused as a bomb."""
RATIO_FLOOR = 4096
"""Members smaller than this are too small to be bombs, whatever their ratio."""

_IGNORED = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)")
"""Archive litter from macOS and Windows, skipped without a word."""
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    KeyError,
    zlib.error,
    lzma.LZMAError,
)
"""What zipfile and its decompressors raise on damaged or hostile archives."""


@dataclass
class PackFiles:
    """The YAML files of one pack, read into memory, and the problems met while reading."""

    root: Path
    """The folder or zip the pack was read from."""
    display: Callable[[str], str]
    """Turns a pack-relative name (cases/x.yaml) into the name errors show."""
    files: dict[str, bytes] = field(default_factory=dict)
    """pack.yaml, cases/**/*.yaml and inbox/**/*.yaml by pack-relative POSIX name."""
    problems: list[Problem] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        """Record a problem with a whole file (line 1, column 1)."""
        self.problems.append(Problem(self.display(name), 1, 1, message))


def wanted(name: str) -> bool:
    """Return True for the files a pack is made of: pack.yaml, cases and inbox YAML files."""
    if name == "pack.yaml":
        return True
    parts = name.split("/")
    return (
        len(parts) >= 2
        and parts[0] in ("cases", "inbox")
        and name.endswith(".yaml")
        and not any(p.startswith(".") for p in parts)
    )


def _misnamed(name: str) -> bool:
    """Return True for a case or inbox file that would be skipped for its extension."""
    parts = name.split("/")
    return (
        len(parts) >= 2
        and parts[0] in ("cases", "inbox")
        and name.lower().endswith((".yml", ".yaml.txt"))
        and not parts[-1].startswith(".")
    )


def _check_counts(pack: PackFiles, names: list[str]) -> None:
    """Report misnamed files and too many cases or messages."""
    for name in names:
        if _misnamed(name):
            pack.add(name, "skipped: case and inbox files must end in .yaml (rename it)")
    cases = sum(1 for n in pack.files if n.startswith("cases/"))
    inbox = sum(1 for n in pack.files if n.startswith("inbox/"))
    if cases > MAX_CASES:
        pack.add("cases", f"more than {MAX_CASES} case files")
    if inbox > MAX_INBOX:
        pack.add("inbox", f"more than {MAX_INBOX} inbox messages")


def read_folder(root: Path) -> PackFiles:
    """Read a pack folder's YAML files, refusing links and oversized files."""

    def display(name: str) -> str:
        """Name a pack file as problems show it."""
        path = root / name
        try:
            return str(path.relative_to(root.parent))
        except ValueError:
            return str(path)

    pack = PackFiles(root=root, display=display)
    names: list[str] = []
    if (root / "pack.yaml").is_symlink():
        pack.add("pack.yaml", "links are not followed inside a pack")
    elif (root / "pack.yaml").is_file():
        names.append("pack.yaml")
    for top in ("cases", "inbox"):
        folder = root / top
        if folder.is_symlink():
            pack.add(top, "links are not followed inside a pack")
            continue
        if not folder.is_dir():
            continue
        for here, dirs, files in os.walk(folder, followlinks=False):
            rel = Path(here).relative_to(root).as_posix()
            for d in sorted(dirs):
                if (Path(here) / d).is_symlink():
                    pack.add(f"{rel}/{d}", "links are not followed inside a pack")
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in sorted(files):
                name = f"{rel}/{f}"
                if (Path(here) / f).is_symlink():
                    if wanted(name):
                        pack.add(name, "links are not followed inside a pack")
                    continue
                names.append(name)
            if len(names) > MAX_ZIP_ENTRIES:
                pack.add(top, f"more than {MAX_ZIP_ENTRIES} files")
                return pack
    total = 0
    for name in names:
        if not wanted(name):
            continue
        path = root / name
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                pack.add(name, f"file is larger than {MAX_FILE_BYTES // 1024} KiB")
                continue
            total += size
            if total > MAX_PACK_BYTES:
                pack.add(name, f"the pack is larger than {MAX_PACK_BYTES // 2**20} MiB in total")
                break
            with path.open("rb") as handle:
                pack.files[name] = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            pack.add(name, f"cannot read: {exc.strerror or exc}")
    _check_counts(pack, names)
    return pack


def _unsafe_name(name: str) -> str | None:
    """Return why a zip member's name is unsafe, or None when it stays inside the pack."""
    if not name or re.search(r"[\x00-\x1f\x7f]", name):
        return "empty member name, or one with control characters"
    posix = name.replace("\\", "/")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix):
        return "absolute path: a pack's files must stay inside the pack"
    if ".." in PurePosixPath(posix).parts:
        return "path with '..': a pack's files must stay inside the pack"
    if "\\" in name:
        return "backslash in a member name: zip members use '/' between folders"
    return None


def read_zip(path: Path) -> PackFiles:
    """Read a zipped pack into memory after checking every member; never extract to disk."""
    label = path.name
    prefix = ""

    def display(name: str) -> str:
        """Name a pack file as problems show it."""
        return f"{label}!{prefix}{name}" if name else label

    pack = PackFiles(root=path, display=display)
    try:
        if path.stat().st_size > MAX_ZIP_BYTES:
            pack.add("", f"the zip is larger than {MAX_ZIP_BYTES // 2**20} MiB")
            return pack
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as exc:
        pack.add("", f"not a readable zip file ({_plain(exc)})")
        return pack
    with archive:
        try:
            infos = archive.infolist()
        except _ZIP_ERRORS as exc:  # pragma: no cover - infolist reads nothing new
            pack.add("", f"not a readable zip file ({_plain(exc)})")
            return pack
        if len(infos) > MAX_ZIP_ENTRIES:
            pack.add("", f"the zip holds more than {MAX_ZIP_ENTRIES} members")
            return pack
        members = _safe_members(pack, infos, label)
        if pack.problems:
            return pack
        names = sorted(members)
        if "pack.yaml" in members:
            prefix = ""
        else:
            tops = sorted(
                {
                    n.split("/", 1)[0]
                    for n in names
                    if n.endswith("/pack.yaml") and n.count("/") == 1
                }
            )
            if len(tops) != 1:
                why = "holds more than one pack folder" if tops else "has no pack.yaml"
                pack.add(
                    "",
                    f"the zip {why}: put pack.yaml at the top of the zip or in one top folder",
                )
                return pack
            prefix = tops[0] + "/"
        inner = [n[len(prefix) :] for n in names if n.startswith(prefix)]
        total = 0
        for name in inner:
            if not wanted(name):
                continue
            info = members[prefix + name]
            try:
                with archive.open(info) as handle:
                    data = handle.read(MAX_FILE_BYTES + 1)
            except _ZIP_ERRORS as exc:
                pack.add(name, f"cannot read this member ({_plain(exc)})")
                continue
            if len(data) > MAX_FILE_BYTES:
                pack.add(name, f"file is larger than {MAX_FILE_BYTES // 1024} KiB")
                continue
            total += len(data)
            if total > MAX_PACK_BYTES:
                pack.add(name, f"the pack is larger than {MAX_PACK_BYTES // 2**20} MiB in total")
                break
            pack.files[name] = data
        _check_counts(pack, inner)
    return pack


def _safe_members(
    pack: PackFiles, infos: list[zipfile.ZipInfo], label: str
) -> dict[str, zipfile.ZipInfo]:
    """Check every member of a zip; return the regular files by name, problems into pack."""

    def refuse(name: str, message: str) -> None:
        """Record a problem with one member of the zip."""
        pack.problems.append(Problem(f"{label}!{name}", 1, 1, message))

    members: dict[str, zipfile.ZipInfo] = {}
    declared = 0
    for info in infos:
        name = info.filename
        shown = name.replace("\x00", "?")[:200]
        unsafe = _unsafe_name(name)
        if unsafe is not None:
            refuse(shown, unsafe)
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            refuse(shown, "links are not allowed in a pack zip")
            continue
        if info.flag_bits & 0x1:
            refuse(shown, "encrypted members cannot be read; zip the pack without a password")
            continue
        if info.is_dir() or _IGNORED.search(name):
            continue
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            refuse(shown, "only plain files are allowed in a pack zip")
            continue
        if name in members:
            refuse(shown, "the zip holds two members with this name")
            continue
        if info.file_size > RATIO_FLOOR and (
            info.compress_size <= 0 or info.file_size / info.compress_size > MAX_RATIO
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            refuse(shown, f"compressed {ratio}:1, beyond {MAX_RATIO}:1: refused as a zip bomb")
            continue
        declared += info.file_size
        members[name] = info
    if declared > MAX_PACK_BYTES:
        message = f"the zip expands to more than {MAX_PACK_BYTES // 2**20} MiB"
        pack.problems.append(Problem(label, 1, 1, message))
    return members


def _plain(exc: BaseException) -> str:
    """Say what went wrong reading an archive, in one short phrase."""
    text = str(exc).strip() or type(exc).__name__
    return text[:120]


def read_source(path: Path) -> PackFiles:
    """Read a pack from a folder or a .zip; a path to pack.yaml means its folder."""
    path = Path(path)
    if path.name == "pack.yaml" and path.is_file():
        path = path.parent
    if path.is_dir():
        return read_folder(path)
    pack = PackFiles(root=path, display=lambda name: str(path / name) if name else str(path))
    if not path.exists():
        pack.add("", "no such pack folder or file")
    elif path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        return read_zip(path)
    else:
        pack.add("", "a pack is a folder holding pack.yaml, or a .zip of one")
    return pack
