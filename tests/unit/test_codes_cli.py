"""`codedesk codes show` and `codes check` as a coder types them (issue #4, must-shows 1 and 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.cli import main


@pytest.fixture(autouse=True)
def _built_codebook(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEDESK_CACHE_DIR", str(cache_dir))


def test_show_gives_title_ancestors_and_inherited_notes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes", "show", "E11.65", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["title"] == "Type 2 diabetes mellitus with hyperglycemia" and shown["billable"]
    assert [a["code"] for a in shown["ancestors"]][:2] == ["E11.6", "E11"]
    use_additional = [n for n in shown["notes"] if n["kind"] == "use_additional_code"]
    assert any("Z79.4" in n["text"] and n["from"] == "E11" for n in use_additional)


def test_check_says_what_is_wrong_with_each_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes", "check", "E11", "S52.532", "W11A", "T36.0X5A", "E11.99"]) == 1
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(code, verdict) for code, verdict, _ in lines] == [
        ("E11", "not billable"),
        ("S52.532", "missing 7th character"),
        ("W11.A", "placeholder X missing"),
        ("T36.0X5A", "valid"),
        ("E11.99", "unknown"),
    ]
    assert "E11.0" in lines[0][2] and "A (initial encounter" in lines[1][2]
    assert "W11.XXXA" in lines[2][2] and "nearest: E11.9" in lines[4][2]


def test_check_tells_the_code_set_by_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --system: CPT, HCPCS and PCS codes are checked in their own code sets."""
    codes = ["99213", "J1885", "0FT44ZZ", "S52532A", "J18.9", "J1885", "E11.9"]
    assert main(["codes", "check", "--json", *codes]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["system"] for r in rows] == [
        "cpt", "hcpcs", "icd10pcs", "icd10cm", "icd10cm", "hcpcs", "icd10cm"
    ]  # fmt: skip
    assert all(r["verdict"] == "valid" for r in rows)
    assert main(["codes", "check", "--system", "icd10cm", "99213"]) == 1  # asked for: CM
    assert "not shaped like an ICD-10-CM code" in capsys.readouterr().out
