"""`codedesk grade PACK SUBMISSION`: the documented output on the sample files, located errors."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import pytest

from simulator.charts.render import render
from simulator.commands import grade as grade_command
from simulator.commands.common import CliError
from simulator.packs import load_pack
from simulator.scoring.jsonpos import parse_json
from simulator.scoring.submission_file import parse_submission

DATA = Path(__file__).resolve().parents[1] / "data" / "grading"
PACK = DATA / "pack"


@pytest.fixture(autouse=True)
def _shared_index(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands open the test run's codebook index instead of building their own."""
    monkeypatch.setenv("CODEDESK_CACHE_DIR", str(cache_dir))


def run(*argv: str) -> int:
    """Run `codedesk grade ...` as simulator.cli.main does once the command is registered."""
    parser = argparse.ArgumentParser(prog="codedesk")
    grade_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["grade", *argv])
    try:
        return int(args.handler(args))
    except CliError:
        return 2


def test_perfect_submission(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(PACK), str(DATA / "perfect.json")) == 0
    out = capsys.readouterr().out
    assert out.startswith("CodeDesk grade: pack grading-sample 1.0.0 (FY2026 keys), 6 chart(s)")
    assert "every patient is synthetic" in out
    assert "MS-DRG: key 291, yours 291: match" in out
    assert "query quality: 6 of 6 rubric points" in out
    assert "decision: flag, right" in out and "decision: pend, right" in out
    assert "accuracy 100.0% [" in out and "goal 95%: goal met (16 of 16 credits)" in out
    assert "privacy: pass" in out
    assert "study list: nothing to review" in out
    assert "✗" not in out


def test_submission_with_mistakes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(PACK), str(DATA / "mistakes.json")) == 0
    out = capsys.readouterr().out
    assert "~ less specific            E11.65    E11.9      0.5" in out
    assert "the note documents hyperglycemia" in out
    assert "~ wrong 7th character      S52.532A  S52.532D   0.5" in out
    assert "A = initial encounter for closed fracture" in out
    assert "~ placeholder X missing    W11.XXXA  W11.A      0.5" in out
    assert "~ modifier or units wrong  99283-25  99283      0.5" in out
    assert "~ modifier or units wrong  J1885 x2  J1885      0.5" in out
    assert "~ sequencing               I13.0     I13.0        1" in out
    assert "~ POA wrong                N18.31    N18.31       1" in out
    assert "MS-DRG: key 291, yours 292: NO MATCH (MCC -> CC)" in out
    assert "query quality: 2 of 6 rubric points" in out
    assert "✗ non-leading: 'CC' is payment, DRG or quality language" in out
    assert "decision: code, expected flag" in out and "decision: code, expected pend" in out
    assert "accuracy 52.4% [" in out and "BELOW GOAL by 42.6 points (11 of 21 credits)" in out
    assert "privacy: FAIL (2 critical, 2 major, 1 minor)" in out
    assert "CRITICAL unsafe inbox answer" in out and "CRITICAL unassigned chart opened" in out
    assert "MAJOR misfiled document coded" in out and "MAJOR PHI in a query" in out
    assert "by setting, weakest first:\n    outpatient_surgery 0.0% code-over-code" in out
    assert "productivity 98% of standard (goal 95%): goal met" in out
    assert "emergency: 1 chart(s) in 10.0 min, 6.0 charts/h (target 10.0)" in out
    assert "study list:\n    1. ICD-10-CM Sections III and IV.J (weight 4)" in out
    for case in load_pack(PACK).cases:  # de-identified: no identifier of any patient
        patient = render(case, 7, date(2026, 11, 24)).patient
        for identifier in (patient.name, patient.ssn, patient.phone, patient.mrn):
            assert identifier not in out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(PACK), str(DATA / "mistakes.json"), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pack"] == {"id": "grading-sample", "version": "1.0.0", "code_year": 2026}
    first = data["charts"][0]
    assert first["case"] == "clinic-diabetes-followup" and first["seed"] == 7
    assert first["lines"][0]["verdict"] == "less specific"
    assert first["lines"][0]["detail"] == "hyperglycemia"
    assert first["lenses"]["code_over_code"] == 0.5
    ip = data["charts"][2]
    assert ip["drg"]["expected"] == 291 and ip["drg"]["submitted"] == 292
    assert ip["drg"]["severity_change"] == "MCC -> CC"
    summary = data["summary"]
    assert summary["accuracy"]["goal"] == 0.95 and summary["accuracy"]["met"] is False
    assert summary["privacy"]["passed"] is False
    assert {f["severity"] for f in summary["privacy"]["findings"]} == {"critical", "major", "minor"}
    assert summary["study"][0]["point"] == "ICD-10-CM Sections III and IV.J"


def test_seed_option_replaces_the_file_seed(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(PACK), str(DATA / "perfect.json"), "--seed", "11", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert {c["seed"] for c in data["charts"]} == {11}
    assert data["summary"]["accuracy"]["code_over_code"] == 1.0


def test_malformed_submission_gets_located_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(PACK), str(DATA / "malformed.json")) == 1
    captured = capsys.readouterr()
    name = str(DATA / "malformed.json")
    assert captured.out.splitlines() == [
        f"{name}:7:54: charts.0.diagnoses.1.poa: POA must be Y, N, U, W or 1 (exempt), not 'maybe'",
        f"{name}:8:49: charts.0.procedures.0.units: must be at least 1 (got 0)",
        f"{name}:11:15: no case 'ed-no-such-case' in the pack (cases: clinic-diabetes-followup, "
        "clinic-misfiled-lab, ed-colles-fracture-ladder, ip-chf-hypertensive-ckd, "
        "ip-pneumonia-sodium-query, ops-unsigned-op-note)",
        f"{name}:17:59: document 9: this chart has 2 document(s), counted from 1",
        f"{name}:22:7: unknown field 'colour' here",
        f"{name}:23:18: charts.3.timings: pended_seconds + locked_seconds is more than "
        "open_seconds",
    ]
    assert "6 problem(s)" in captured.err
    assert "Traceback" not in captured.out + captured.err


def test_syntax_error_is_located(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(PACK), str(DATA / "broken.json")) == 1
    out = capsys.readouterr().out
    assert out == (
        f"{DATA / 'broken.json'}:6:7: expected ',' or '}}' after a value (is a comma missing?)\n"
    )


def test_yaml_submission(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "shift.yaml"
    path.write_text(
        "seed: 7\ncharts:\n  - case: clinic-diabetes-followup\n"
        "    diagnoses: [E11.65, Z79.4, Z79.84, I10, E78.5]\n    procedures: ['99214']\n"
        "  - case: ops-unsigned-op-note\n    action: pend\n    reason: op note unsigned\n"
        "    timings: {open_seconds: nope}\n",
        encoding="utf-8",
    )
    assert run(str(PACK), str(path)) == 1
    assert capsys.readouterr().out == (
        f"{path}:9:29: charts.1.timings.open_seconds: must be a number (got 'nope')\n"
    )
    path.write_text(path.read_text().replace("nope", "120"), encoding="utf-8")
    assert run(str(PACK), str(path)) == 0
    assert "accuracy 100.0%" in capsys.readouterr().out


def test_other_pack_missing_seed_and_repeats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "pack": "starter",
                "charts": [
                    {"case": "clinic-diabetes-followup"},
                    {"case": "ops-unsigned-op-note", "seed": 3, "action": "pend"},
                    {"case": "ops-unsigned-op-note", "seed": 3, "action": "pend"},
                ],
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    assert run(str(PACK), str(path)) == 1
    out = capsys.readouterr().out
    assert f"{path}:2:11: this file is for pack 'starter', not 'grading-sample'" in out
    assert f"{path}:4:5: no seed for this chart" in out
    assert "with seed 3 is already in this file (chart 2)" in out


def test_missing_files_and_broken_pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(tmp_path / "nope"), str(DATA / "perfect.json")) == 2
    assert run(str(PACK), str(tmp_path / "nope.json")) == 2
    broken = tmp_path / "pack"
    (broken / "cases").mkdir(parents=True)
    (broken / "pack.yaml").write_text("id: x\n", encoding="utf-8")
    assert run(str(broken), str(DATA / "perfect.json")) == 1
    assert "pack.yaml:1:1: missing required field" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ('{"a": 1,}', (1, 9), "a comma before '}' has nothing after it"),
        ('{"a": [1, 2,]}', (1, 13), "a comma before ']' has nothing after it"),
        ("{'a': 1}", (1, 2), "expected a key in double quotes"),
        ('{"a": "open', (1, 7), "this string is never closed"),
        ('{"a": 1, "a": 2}', (1, 10), "duplicate key 'a'"),
        ('{"a": tru}', (1, 7), "expected a value"),
        ("// note\n{}", (1, 1), "JSON has no comments"),
        ('{"a": 1}\n{"b": 2}', (2, 1), "unexpected text after the end"),
        ("", (1, 1), "the file is empty"),
        ('{"a": "x\\qy"}', (1, 9), "a backslash starts"),
    ],
)
def test_json_syntax_errors_are_located(text: str, where: tuple[int, int], words: str) -> None:
    located, problems = parse_json(text, "f.json")
    assert located is None and len(problems) == 1
    assert (problems[0].line, problems[0].col) == where and words in problems[0].message


def test_json_positions_match_the_json_module() -> None:
    text = '{\n  "charts": [\n    {"case": "a", "diagnoses": ["E11.65", {"code": "I10"}]}\n  ]\n}'
    located, problems = parse_json(text, "f.json")
    assert not problems and located is not None
    assert located.data == json.loads(text)
    assert located.positions[("charts", 0, "diagnoses", 1, "code")] == (3, 52)
    assert located.key_positions[("charts", 0, "case")] == (3, 6)


def test_shorthand_lines() -> None:
    model, _, problems = parse_submission(
        json.dumps(
            {
                "seed": 1,
                "charts": [
                    {
                        "case": "a",
                        "diagnoses": ["i50.23:y", {"code": "Z79.01", "poa": "exempt"}],
                        "procedures": ["12002-59", "J1885 x3", "0FT44ZZ", 99283],
                    }
                ],
            }
        ),
        "s.json",
    )
    assert not problems and model is not None
    sub = model.charts[0].submission()
    assert [(d.code, d.poa) for d in sub.diagnoses] == [("I50.23", "Y"), ("Z79.01", "1")]
    assert [(p.code, p.system, p.modifiers, p.units) for p in sub.procedures] == [
        ("12002", "cpt", ("59",), 1),
        ("J1885", "hcpcs", (), 3),
        ("0FT44ZZ", "icd10pcs", (), 1),
        ("99283", "cpt", (), 1),
    ]


def test_grading_imports_no_ui() -> None:
    from tests.unit.test_import_hygiene import ui_modules_loaded

    modules = [
        "simulator.scoring",
        "simulator.scoring.report",
        "simulator.scoring.submission_file",
        "simulator.commands.grade",
    ]
    assert ui_modules_loaded(modules) == {}


def _doc_block(heading: str) -> list[str]:
    """Return the lines of the first code block after a heading of docs/SUBMISSION_FORMAT.md."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "SUBMISSION_FORMAT.md").read_text()
    after = doc.split(heading, 1)[1]
    return after.split("```", 2)[1].splitlines()[1:]


def test_the_documented_report_is_what_grade_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(PACK), str(DATA / "mistakes.json")) == 0
    printed = capsys.readouterr().out.replace(str(DATA), "tests/data/grading").splitlines()
    shown = [line for line in _doc_block("## 6. Example report") if "..." not in line]
    assert len(shown) > 25
    missing = [line for line in shown if line not in printed]
    assert not missing


def test_the_documented_errors_are_what_grade_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(PACK), str(DATA / "malformed.json")) == 1
    printed = capsys.readouterr().out.replace(str(DATA), "tests/data/grading").splitlines()
    assert printed == _doc_block("## 3. Errors, and how they look")
