"""`codedesk pack ...` through simulator.cli.main: the must-show broken pack, new, schema, stats, preview."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.packs import load_pack
from simulator.packs.schema import json_schema

BAD_PACK: dict[str, str] = {
    "pack.yaml": "id: broken-pack\ntitle: A pack with mistakes\nversion: '1.0'\n"
    "author: Trainer\ncode_year: 2026\n",
    "cases/a-indent.yaml": "id: a-indent\ntitle: Bad indentation\nsetting: clinic\n"
    "encounter:\n  service_day: -1\n priority: 2\n",
    "cases/b-unknown.yaml": """\
id: b-unknown
title: Unknown field
setting: clinic
colour: blue
encounter:
  service_day: -1
documents:
  - type: Office note
    text: |
      Essential hypertension, stable on lisinopril.
key:
  diagnoses:
    - code: I10
      rationale: Essential hypertension.
      evidence: Essential hypertension
""",
    "cases/c-codes.yaml": """\
id: c-codes
title: Several code mistakes
setting: emergency
encounter:
  service_day: -1
documents:
  - type: ED note
    text: |
      {{ patient.name }} seen for diabetes and a right ankle sprain.
      Shoe size {{ patient.shoe_size }}.
      Type 2 diabetes mellitus without complications.
      Sprain of right ankle.
key:
  diagnoses:
    - code: E11
      rationale: Diabetes.
      evidence: Type 2 diabetes mellitus without complications
    - code: S93.401
      rationale: Ankle sprain.
      evidence: Sprain of right ankle
    - code: I10
      rationale: Hypertension.
      evidence: Essential hypertension
""",
}
"""The must-show pack: bad indentation, an unknown field, header code E11, a code missing its
7th character, an evidence quote not in the text, an unknown placeholder and a duplicate id."""
BAD_PACK["cases/d-copy.yaml"] = (
    BAD_PACK["cases/c-codes.yaml"]
    .replace("Several code mistakes", "A copy")
    .replace("code: E11\n", "code: E11.9\n")
    .replace("S93.401\n", "S93.401A\n")
)

EXPECTED = [
    ("a-indent.yaml", 6, 2, "YAML syntax: this line is indented differently"),
    ("b-unknown.yaml", 4, 1, "unknown field 'colour' here"),
    ("c-codes.yaml", 10, 17, "unknown placeholder {{ patient.shoe_size }}"),
    ("c-codes.yaml", 15, 13, "E11 is a category heading, not billable"),
    ("c-codes.yaml", 18, 13, "S93.401 needs a 7th character"),
    ("c-codes.yaml", 23, 17, "evidence quote not found in any document: 'Essential hypertension'"),
    ("d-copy.yaml", 1, 5, "duplicate case id 'c-codes'"),
]
"""One located message per mistake, in file order."""

LOCATED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write a pack's files under root and return root."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def _shared_index(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the CLI at the test run's codebook index."""
    monkeypatch.setenv("CODEDESK_CACHE_DIR", str(cache_dir))


def test_must_show_pack_gets_one_located_message_per_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_files(tmp_path / "bad", BAD_PACK)
    status = main(["pack", "validate", str(root)])
    out, err = capsys.readouterr()
    assert status == 1
    lines = out.splitlines()
    assert len(lines) == len(EXPECTED), out
    for line, (name, row, col, words) in zip(lines, EXPECTED, strict=True):
        match = LOCATED.match(line)
        assert match is not None, line
        assert match["file"] == f"bad/cases/{name}"
        assert (int(match["line"]), int(match["col"])) == (row, col), line
        assert words in match["message"]
        assert "Traceback" not in line and "pydantic" not in line.lower()
    assert "7 error(s)" in err


def test_must_show_pack_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_files(tmp_path / "bad", BAD_PACK)
    assert main(["pack", "validate", str(root), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False and result["errors"] == 7
    assert [(p["line"], p["col"]) for p in result["problems"]] == [
        (r, c) for _, r, c, _ in EXPECTED
    ]


def test_new_then_validate_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "p"
    assert main(["pack", "new", str(target)]) == 0
    assert main(["pack", "validate", str(target)]) == 0
    out = capsys.readouterr().out
    assert "ok: p 0.1.0, 2 cases, 1 inbox message" in out
    loaded = load_pack(target)
    assert any(case.variants for case in loaded.cases)
    assert all(path.read_text().lstrip().startswith("#") for path in target.rglob("*.yaml"))


def test_new_refuses_a_folder_with_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    assert main(["pack", "new", str(tmp_path)]) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_new_into_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["pack", "new", str(tmp_path / "empty")]) == 0
    assert (tmp_path / "empty" / "pack.yaml").is_file()


@pytest.mark.parametrize("what", ["pack", "case", "inbox"])
def test_schema_prints_json_schema(what: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack", "schema", "--what", what]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema == json_schema(what)
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["additionalProperties"] is False
    assert "id" in schema["required"]


def test_schema_describes_new_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack", "schema"]) == 0
    schemas = json.loads(capsys.readouterr().out)
    assert set(schemas) == {"pack", "case", "inbox"}
    assert {"selection", "scoring", "settings", "targets"} <= set(schemas["pack"]["properties"])
    assert {"query", "flag"} <= set(schemas["case"]["properties"])
    assert "from" in schemas["inbox"]["properties"]
    assert schemas["case"]["properties"]["id"]["description"]


def test_every_documented_field_is_described_in_the_schema() -> None:
    """The docstring under each field of packs/models.py reaches the schema, nested models'
    and aliased fields' too (they are read from the source when a schema is asked for)."""
    from simulator.packs import models
    from simulator.packs.schema import field_docs

    target = json_schema("pack")["$defs"]["TargetOverride"]["properties"]["charts_per_hour"]
    assert target["description"] == field_docs()["TargetOverride"]["charts_per_hour"]
    assert target["description"].startswith("Charts a coder is expected to finish")
    tops = {"pack": models.Pack, "case": models.Case, "inbox": models.InboxMessage}
    documented = missing = 0
    for what, top in tops.items():
        schema = json_schema(what)
        parts = [(top, schema)] + [
            (getattr(models, name), part)
            for name, part in schema.get("$defs", {}).items()
            if "properties" in part
        ]
        for model, part in parts:
            docs: dict[str, str] = {}
            for cls in model.__mro__:
                docs = field_docs().get(cls.__name__, {}) | docs
            for name, field in model.model_fields.items():
                if name in docs:
                    documented += 1
                    missing += "description" not in part["properties"][field.alias or name]
    assert documented > 90 and missing == 0, (documented, missing)


def test_stats_counts_and_coverage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "p"
    main(["pack", "new", str(target)])
    capsys.readouterr()
    assert main(["pack", "stats", str(target)]) == 0
    out = capsys.readouterr().out
    assert "2 cases, 1 inbox message" in out
    assert re.search(r"clinic\s+1", out) and re.search(r"emergency\s+1", out)
    assert "not covered: [inpatient] POA" in out
    assert main(["pack", "stats", str(target), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["by_decision"] == {"code": 2}
    assert data["by_difficulty"] == {"1": 1, "2": 1}
    assert "poa" in data["uncovered"] and "laterality" not in data["uncovered"]
    assert data["total_time_standard_minutes"] == 9


def test_stats_of_a_broken_pack_lists_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_files(tmp_path / "bad", BAD_PACK)
    assert main(["pack", "stats", str(root)]) == 1
    assert LOCATED.match(capsys.readouterr().out.splitlines()[0])


def test_preview_prints_literal_chart_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "p"
    main(["pack", "new", str(target)])
    capsys.readouterr()
    args = ["pack", "preview", str(target), "ed-colles-fracture", "--seed", "5"]
    assert main([*args, "--date", "2026-11-24"]) == 0
    first = capsys.readouterr().out
    assert main([*args, "--date", "2026-11-24"]) == 0
    assert capsys.readouterr().out == first
    assert "{{" not in first and "patient (synthetic)" in first
    side = "right" if "variant: side=right" in first else "left"
    code = "S52.531A" if side == "right" else "S52.532A"
    assert f"Closed Colles fracture of the {side} radius" in first
    assert code in first and "rationale:" in first and "evidence:" in first
    assert "--- document 1: ED provider note" in first
    assert main(["pack", "preview", str(target), "--case", "clinic-acute-cystitis"]) == 0
    assert "N30.00" in capsys.readouterr().out


def test_preview_unknown_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "p"
    main(["pack", "new", str(target)])
    assert main(["pack", "preview", str(target), "no-such-case"]) == 2
    assert "clinic-acute-cystitis" in capsys.readouterr().err


def test_preview_every_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "p"
    main(["pack", "new", str(target)])
    capsys.readouterr()
    assert main(["pack", "preview", str(target)]) == 0
    assert capsys.readouterr().out.count("=== case ") == 2


def test_validate_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack", "validate", str(tmp_path / "nope")]) == 1
    assert LOCATED.match(capsys.readouterr().out.strip())
