"""Import the CMS annual HCPCS Level II file and a licensed CPT file into the user data folder.

An import is validated in full before anything is written: every malformed line becomes a
located problem (`FILE:LINE:COL: message`) and one problem rejects the whole file. A valid file
is normalised into `<data_dir>/imports/<kind>.tsv`, written to a temporary file and renamed into
place, and the codebook index build reads it back with imported_rows, after the authored rows,
so an imported entry replaces the authored one of the same code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from simulator.codebook.import_formats import (
    ImportedCode,
    ImportRejected,
    Problem,
    one_line,
    read_cpt,
    read_hcpcs,
)

__all__ = [
    "KINDS",
    "ImportRejected",
    "ImportedCode",
    "Kind",
    "ParsedFile",
    "Problem",
    "import_file",
    "import_path",
    "imported_rows",
    "imports_digest",
    "imports_dir",
    "parse_cpt",
    "parse_file",
    "parse_hcpcs",
    "remove_import",
    "save_import",
]

Kind = Literal["hcpcs", "cpt"]
"""The kinds of file that can be imported."""

KINDS: tuple[Kind, ...] = ("hcpcs", "cpt")
"""Every importable kind, in the order the index applies them."""

_COLUMNS = ("system", "code", "title", "short_title", "terminated", "source", "imported")
"""Columns of a normalised import file."""


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """A fully validated import file, ready to be saved."""

    kind: Kind
    """Which code set the file holds."""

    source: str
    """The file's name, recorded with every imported code."""

    layout: str
    """The layout recognised, in words (e.g. "CMS fixed-width")."""

    encoding: str
    """The text encoding the file was read with."""

    codes: tuple[ImportedCode, ...]
    """Every code of the file, sorted by system and code."""

    def count(self, system: str) -> int:
        """Return how many codes of one system the file holds."""
        return sum(1 for code in self.codes if code.system == system)


def imports_dir(data_dir: Path) -> Path:
    """Return the folder holding the normalised imports."""
    return data_dir / "imports"


def import_path(data_dir: Path, kind: Kind) -> Path:
    """Return where the normalised import of one kind is kept."""
    return imports_dir(data_dir) / f"{kind}.tsv"


def parse_file(kind: Kind, path: Path) -> ParsedFile:
    """Read and validate an import file of the given kind; raise ImportRejected if malformed."""
    if kind == "hcpcs":
        return parse_hcpcs(path)
    return parse_cpt(path)


def parse_hcpcs(path: Path) -> ParsedFile:
    """Read the CMS HCPCS Level II file, fixed-width or CSV (told apart by the header)."""
    codes, layout, encoding = read_hcpcs(path)
    return ParsedFile("hcpcs", path.name, layout, encoding, codes)


def parse_cpt(path: Path) -> ParsedFile:
    """Read a licensed CPT file: a code and a descriptor per line, tab or comma separated."""
    codes, layout, encoding = read_cpt(path)
    return ParsedFile("cpt", path.name, layout, encoding, codes)


def save_import(parsed: ParsedFile, data_dir: Path, today: dt.date | None = None) -> Path:
    """Write a validated import into the data folder atomically and return its path."""
    target = import_path(data_dir, parsed.kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    stamp = (today or dt.date.today()).isoformat()
    source = one_line(parsed.source)
    lines = ["\t".join(_COLUMNS)]
    for item in parsed.codes:
        cells = (item.system, item.code, item.title, item.short_title, item.terminated)
        lines.append("\t".join((*cells, source, stamp)))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{parsed.kind}-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_name, target)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return target


def import_file(kind: Kind, path: Path, data_dir: Path, today: dt.date | None = None) -> ParsedFile:
    """Validate a file and, only if it is valid, save it as the import of its kind."""
    parsed = parse_file(kind, path)
    save_import(parsed, data_dir, today)
    return parsed


def remove_import(kind: Kind, data_dir: Path) -> bool:
    """Delete the import of one kind; return whether there was one."""
    target = import_path(data_dir, kind)
    existed = target.exists()
    target.unlink(missing_ok=True)
    return existed


def imports_digest(data_dir: Path) -> str:
    """Return a short digest of the saved imports ("none" without any), for the index key."""
    digest = hashlib.sha256()
    found = False
    for kind in KINDS:
        target = import_path(data_dir, kind)
        if target.is_file():
            found = True
            digest.update(f"{kind}\0".encode())
            digest.update(target.read_bytes())
    return digest.hexdigest()[:10] if found else "none"


def imported_rows(data_dir: Path) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Yield "code" and "note" rows for every saved import, to apply after the authored rows."""
    seq = 0
    for kind in KINDS:
        target = import_path(data_dir, kind)
        if not target.is_file():
            continue
        for row in _read_saved(target):
            seq += 1
            system, code = row["system"], row["code"]
            billable = 0 if row["terminated"] else 1
            yield "code", (system, code, row["title"], "code", billable, None, 0, seq)
            note = f"imported from {row['source']} on {row['imported']}"
            yield "note", (system, code, "source", 0, note)
            if row["short_title"]:
                yield "note", (system, code, "short_title", 0, row["short_title"])
            if row["terminated"]:
                text = f"discontinued: last date of service {row['terminated']}"
                yield "note", (system, code, "terminated", 0, text)
            if system == "modifier":
                yield "note", (system, code, "modifier_system", 0, "HCPCS")


def _read_saved(target: Path) -> Iterator[dict[str, str]]:
    """Read a normalised import file back, failing with a located error if it was edited badly."""
    lines = target.read_text(encoding="utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines or lines[0].split("\t") != list(_COLUMNS):
        raise ValueError(f"{target}:1:1: expected the header {' '.join(_COLUMNS)}")
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(_COLUMNS):
            raise ValueError(
                f"{target}:{number}:1: expected {len(_COLUMNS)} columns, got {len(cells)}"
            )
        yield dict(zip(_COLUMNS, cells, strict=True))
