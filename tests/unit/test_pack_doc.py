"""docs/PACK_FORMAT.md is enough to write a valid case: its examples validate, its tables are complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from simulator.charts.template import CHART_FIELDS
from simulator.codebook import Codebook
from simulator.packs import load_pack, read_pack
from simulator.packs.coverage import COVERAGE
from simulator.packs.models import Case, InboxMessage, Pack, Setting
from simulator.packs.validate import check_pack
from simulator.scoring.model import CREDITS
from tests.unit.test_pack_cli import BAD_PACK, write_files

DOC = Path(__file__).resolve().parents[2] / "docs" / "PACK_FORMAT.md"
FILE_BLOCK = re.compile(r"```yaml\n# file: (?P<name>\S+)\n(?P<body>.*?)```", re.DOTALL)


@pytest.fixture(scope="module")
def doc() -> str:
    """The trainer's guide."""
    return DOC.read_text(encoding="utf-8")


def test_every_complete_example_in_the_guide_validates(
    doc: str, tmp_path: Path, book: Codebook
) -> None:
    files = {m["name"]: m["body"] for m in FILE_BLOCK.finditer(doc)}
    assert {
        "pack.yaml",
        "cases/ed-ankle-sprain.yaml",
        "cases/ip-pneumonia-sodium-query.yaml",
        "inbox/phone-records-request.yaml",
    } <= set(files)
    # The guide's pack.yaml draws 10 cases of two topics; give it cases it can draw.
    files["pack.yaml"] = (
        files["pack.yaml"]
        .replace("draw: 10", "draw: all")
        .replace("topics: [heart-failure, hypertension]", "topics: [laterality, poa]")
    )
    root = write_files(tmp_path / "from-doc", files)
    loaded, problems = read_pack(root)
    problems += check_pack(loaded, book, warnings=True)
    assert [str(p) for p in problems] == []
    assert {c.id for c in loaded.cases} == {"ed-ankle-sprain", "ip-pneumonia-sodium-query"}


NEW_CASE = """\
# Written by following docs/PACK_FORMAT.md only: a clinic visit with a procedure and
# modifier 25, a J code with units, a pend case and a flag case.
id: clinic-asthma-injection
title: Clinic visit for back pain with a ketorolac injection
setting: clinic
claim_type: professional
topics: [modifier-25, hcpcs-drugs, em-level, first-listed-diagnosis]
difficulty: 3
time_standard_minutes: 6
patient:
  age: {min: 30, max: 60}
  sex: M
encounter:
  service_day: -2
  payer: Cigna
documents:
  - type: Office visit note
    day: -2
    text: |
      {{ patient.name }} ({{ patient.age }} y/o {{ patient.sex }}), MRN {{ patient.mrn }}
      Seen {{ document.date }} by {{ provider.name }}.
      Acute low back pain after lifting boxes at home 2 days ago, no radiation, no
      numbness. Exam: paraspinal tenderness L4-L5, straight leg raise negative.
      Assessment: Acute low back strain, lumbar muscle.
      Plan: ketorolac 30 mg IM given in the office today; cyclobenzaprine 5 mg at
      bedtime for 7 days; heat; return if not better in 2 weeks.
key:
  diagnoses:
    - code: S39.012A
      rationale: >
        Strain of muscle, fascia and tendon of lower back, initial encounter (7th
        character A, active treatment).
      evidence: Acute low back strain, lumbar muscle
  procedures:
    - code: "99213"
      system: cpt
      modifiers: [25]
      rationale: >
        A significant, separately identifiable E/M on the day of a procedure (the
        injection) takes modifier 25.
      evidence: "cyclobenzaprine 5 mg at bedtime"
    - code: "96372"
      system: cpt
      rationale: Therapeutic intramuscular injection.
      evidence: ketorolac 30 mg IM given in the office
    - code: J1885
      system: hcpcs
      units: 2
      rationale: Ketorolac is reported per 15 mg; 30 mg is 2 units.
      evidence: ketorolac 30 mg IM
"""

PEND_CASE = """\
id: ops-unsigned-op-note
title: Outpatient surgery with an unsigned operative report
setting: outpatient_surgery
encounter:
  service_day: -3
  priority: 1
documents:
  - type: Operative report
    author: "{{ provider.consultant }}"
    day: -3
    signed: false
    text: |
      Procedure: laparoscopic cholecystectomy. Findings: chronic cholecystitis.
decision:
  action: pend
  reason: operative report not signed
"""

FLAG_CASE = """\
id: ed-wrong-patient-xray
title: ED chart holding another patient's x-ray report
setting: emergency
claim_type: professional
encounter:
  service_day: -1
documents:
  - type: ED provider note
    text: |
      {{ patient.name }}, DOB {{ patient.dob }}: cough for 3 days.
  - type: Radiology report
    author: "{{ provider.consultant }}"
    text: |
      Patient: Maria Lopez   DOB 02/14/1961   MRN 40404040
      Chest x-ray: no acute process.
decision:
  action: flag
flag:
  kind: misfiled_document
  document: 2
"""


def test_a_new_case_written_from_the_guide_validates(tmp_path: Path, book: Codebook) -> None:
    root = tmp_path / "trainer-pack"
    write_files(
        root,
        {
            "pack.yaml": "id: trainer-pack\ntitle: My pack\nversion: 1.0\nauthor: Me\n"
            "code_year: 2026\n",
            "cases/clinic-back-strain.yaml": NEW_CASE,
            "cases/ops-unsigned.yaml": PEND_CASE,
            "cases/ed-misfiled.yaml": FLAG_CASE,
        },
    )
    loaded = load_pack(root)
    assert [str(p) for p in check_pack(loaded, book, warnings=True)] == []
    assert {c.decision.action.value for c in loaded.cases} == {"code", "pend", "flag"}


def test_error_example_in_the_guide_is_current(
    doc: str,
    tmp_path: Path,
    book: Codebook,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cache_dir: Path,
) -> None:
    from simulator.cli import main

    monkeypatch.setenv("CODEDESK_CACHE_DIR", str(cache_dir))
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path / "bad", BAD_PACK)
    assert main(["pack", "validate", "bad"]) == 1
    out, err = capsys.readouterr()
    for line in [*out.splitlines(), err.strip()]:
        assert line in doc, line


def _fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    """Return every field name (by its YAML name) of a model and the models inside it."""
    if model in seen:
        return set()
    seen.add(model)
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
        for inner in re.findall(r"simulator\.packs\.models\.(\w+)", repr(info.annotation)):
            import simulator.packs.models as models

            candidate = getattr(models, inner, None)
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                names |= _fields(candidate, seen)
    return names


@pytest.mark.parametrize("model", [Pack, Case, InboxMessage])
def test_every_field_is_explained(doc: str, model: type[BaseModel]) -> None:
    missing = [name for name in sorted(_fields(model, set())) if f"`{name}`" not in doc]
    assert missing == []


def test_tables_match_the_code(doc: str) -> None:
    for name in CHART_FIELDS:
        assert f"`{{{{ {name} }}}}`" in doc, name
    for verdict in CREDITS:
        assert f"`{verdict.value}`" in doc, verdict
    for setting in Setting:
        assert f"`{setting.value}`" in doc
    rows = [line.split("|") for line in doc.splitlines() if line.startswith("| ")]
    for point in COVERAGE:
        row = next(r for r in rows if len(r) > 4 and r[3].strip().startswith(f"`{point.tag}`"))
        assert row[1].strip() == point.side, point.id
        assert {t.strip(" `") for t in row[3].split(",")} == set(point.topics), point.id
    for command in ("pack new", "pack validate", "pack preview", "pack stats", "pack schema"):
        assert f"codedesk {command}" in doc
