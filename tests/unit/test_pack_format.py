"""The format additions: pack settings, targets, scoring, selection; query, flag and inbox checks."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from simulator.charts.render import render
from simulator.codebook import Codebook
from simulator.packs import LoadedPack, PackError, Problem, load_pack, models, read_pack
from simulator.packs.models import DEFAULT_TARGETS, Setting, Strict, VerdictName
from simulator.packs.scaffold import write_starter_pack
from simulator.packs.validate import check_pack
from simulator.scoring.model import CREDITS, LineVerdict
from tests.conftest import STARTER

QUERY_CASE = """\
id: ip-sodium-query
title: Inpatient pneumonia, low sodium treated but never named
setting: inpatient
topics: [principal-diagnosis, poa]
encounter: {admit_day: -4, discharge_day: -1}
variants:
  - lobe: right lower
  - lobe: left lower
documents:
  - type: Discharge summary
    text: |
      Principal diagnosis: community-acquired pneumonia, {{ lobe }} lobe.
      Sodium 126 on admission, 134 at discharge. Started on fluid restriction 1.5 L per day.
decision: {action: query}
query:
  clinical_indicators:
    - Sodium 126 on admission
    - fluid restriction 1.5 L per day
    - pneumonia, {{ lobe }} lobe
  acceptable_options:
    - Hyponatremia
    - SIADH
    - Other (please specify)
    - Clinically undetermined
  answers:
    - answer: Hyponatremia
      physician_response_text: Addendum - hyponatremia due to poor oral intake, POA.
      key:
        diagnoses:
          - code: J18.9
            poa: "Y"
            rationale: Reason for admission.
            evidence: community-acquired pneumonia, {{ lobe }} lobe
          - code: E87.1
            poa: "Y"
            rationale: Documented in the answer.
            evidence: hyponatremia due to poor oral intake
    - answer: clinically   undetermined
      physician_response_text: Addendum - clinically undetermined.
      key:
        diagnoses:
          - code: J18.9
            poa: "Y"
            rationale: Reason for admission.
            evidence: community-acquired pneumonia
"""

FLAG_CASE = """\
id: clinic-misfiled-note
title: Clinic visit with another patient's lab report filed in the chart
setting: clinic
claim_type: professional
encounter: {service_day: -1}
documents:
  - type: Office note
    text: "{{ patient.name }} MRN {{ patient.mrn }}: follow-up of hypertension."
  - type: Lab report
    text: "Patient: Harold Finch  DOB 04/12/1950  MRN 55512345. Potassium 5.9."
decision: {action: flag}
flag: {kind: misfiled_document, document: 2}
"""

INBOX = """\
id: chat-vip
from: Coworker in billing
channel: chat
case: clinic-acute-cystitis
text: Is {{ patient.first_name }} the city councilwoman? What was she seen for?
expected: refuse
rationale: Minimum necessary (45 CFR 164.502(b)); curiosity is not a work need.
"""


def make_pack(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    """Write the starter pack from `pack new` plus extra files; return its folder."""
    root = tmp_path / "pack"
    write_starter_pack(root)
    for name, text in (extra or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def problems_of(root: Path, book: Codebook | None) -> list[Problem]:
    """Return every problem (errors and warnings) a pack has, loading and checking it."""
    loaded, problems = read_pack(root)
    return sorted(problems + check_pack(loaded, book, warnings=True))


def messages(problems: list[Problem]) -> list[str]:
    """Return the problems as the CLI prints them."""
    return [str(p) for p in problems]


def test_existing_packs_stay_valid(starter: LoadedPack, book: Codebook) -> None:
    assert [p for p in check_pack(starter, book, warnings=True) if p.is_error] == []
    assert starter.pack.settings == [] and starter.pack.selection.draw == "all"
    assert starter.selected(7) == starter.cases


def test_verdict_names_match_scoring() -> None:
    assert set(VerdictName.__args__) == {v.value for v in LineVerdict}  # type: ignore[attr-defined]


def test_scoring_credits_override_by_verdict_name(tmp_path: Path) -> None:
    root = make_pack(tmp_path)
    text = (root / "pack.yaml").read_text()
    (root / "pack.yaml").write_text(text.replace("less specific: 0.5", "less specific: 0.25"))
    pack = load_pack(root).pack
    defaults = {v.value: c for v, c in CREDITS.items()}
    table = pack.scoring.credit_table(defaults)
    assert table["less specific"] == 0.25 and table["correct"] == 1.0
    assert set(table) == set(defaults)


def test_unknown_verdict_name_is_located_on_its_key(tmp_path: Path) -> None:
    root = make_pack(tmp_path)
    text = (root / "pack.yaml").read_text().replace("less specific: 0.5", "less specifc: 0.5")
    (root / "pack.yaml").write_text(text)
    with pytest.raises(PackError) as err:
        load_pack(root)
    (problem,) = err.value.problems
    line = text.splitlines().index("    less specifc: 0.5") + 1
    assert (problem.line, problem.col) == (line, 5)
    assert "'less specifc' is not allowed here" in problem.message
    assert "'less specific'" in problem.message


def test_targets_merge_with_defaults(tmp_path: Path) -> None:
    pack = load_pack(make_pack(tmp_path)).pack
    emergency = pack.target(Setting.EMERGENCY)
    assert emergency.charts_per_hour == 15 and emergency.minutes == 4
    assert emergency.workload_units == DEFAULT_TARGETS[Setting.EMERGENCY].workload_units
    assert pack.target(Setting.INPATIENT).minutes == 20


def test_settings_restrict_cases(tmp_path: Path, book: Codebook) -> None:
    root = make_pack(tmp_path, {"cases/q.yaml": QUERY_CASE})
    found = messages(problems_of(root, book))
    assert any(
        "q.yaml:3:10: setting 'inpatient' is not among the pack's settings" in m for m in found
    )


def _allow_inpatient(root: Path) -> None:
    """Let the starter pack hold inpatient cases."""
    path = root / "pack.yaml"
    path.write_text(
        path.read_text().replace("[clinic, emergency]", "[clinic, emergency, inpatient]")
    )


def test_selection_draws_by_topic_and_difficulty(tmp_path: Path) -> None:
    root = make_pack(tmp_path, {"cases/q.yaml": QUERY_CASE})
    _allow_inpatient(root)
    path = root / "pack.yaml"
    path.write_text(
        path.read_text().replace("draw: all ", "draw: 1   ").replace("[1, 5]", "[1, 3]")
    )
    loaded = load_pack(root)
    assert loaded.pack.selection.draw == 1
    drawn = {tuple(c.id for c in loaded.selected(seed)) for seed in range(20)}
    assert all(len(ids) == 1 for ids in drawn) and len(drawn) == 3
    assert loaded.selected(3) == loaded.selected(3)


def test_selection_problems(tmp_path: Path, book: Codebook) -> None:
    root = make_pack(tmp_path)
    path = root / "pack.yaml"
    text = (
        path.read_text()
        .replace("  draw: all ", "  topics: [sepsis]\n  draw: 40  ")
        .replace("[1, 5]", "[5, 1]")
    )
    path.write_text(text)
    found = messages(problems_of(root, book))
    assert any("difficulty [5, 1]: the lowest comes first" in m for m in found), found
    path.write_text(text.replace("[5, 1]", "[1, 5]"))
    found = messages(problems_of(root, book))
    assert any("warning: no case has the topic 'sepsis'" in m for m in found), found
    assert any("no case matches the selection" in m for m in found), found


def test_bad_draw_gets_one_plain_message(tmp_path: Path) -> None:
    root = make_pack(tmp_path)
    path = root / "pack.yaml"
    path.write_text(path.read_text().replace("draw: all ", "draw: some"))
    with pytest.raises(PackError) as err:
        load_pack(root)
    (problem,) = err.value.problems
    assert "draw is 'all' or a whole number" in problem.message


def test_query_case_validates(tmp_path: Path, book: Codebook) -> None:
    root = make_pack(tmp_path, {"cases/q.yaml": QUERY_CASE})
    _allow_inpatient(root)
    found = problems_of(root, book)
    assert [p for p in found if p.is_error] == []
    # E87.1 and E22.2 are an Excludes1 pair; the answer keys do not combine them.
    case = load_pack(root).case("ip-sodium-query")
    assert case.query is not None and len(case.query.answers) == 2


def test_query_problems_are_located(tmp_path: Path, book: Codebook) -> None:
    broken = (
        QUERY_CASE.replace("    - Other (please specify)\n", "")
        .replace("    - Clinically undetermined\n", "    - Sepsis, which raises the DRG\n")
        .replace("- Sodium 126 on admission", "- Sodium 125 on admission")
        .replace("answer: Hyponatremia", "answer: Low sodium")
        .replace("code: E87.1", "code: E87")
        .replace("evidence: hyponatremia due to poor oral intake", "evidence: not in the answer")
    )
    root = make_pack(tmp_path, {"cases/q.yaml": broken})
    _allow_inpatient(root)
    found = messages(problems_of(root, book))
    lines = broken.splitlines()

    def at(snippet: str) -> str:
        row = next(i for i, ln in enumerate(lines, 1) if snippet in ln)
        return f"pack/cases/q.yaml:{row}:"

    expected = [
        (at("acceptable_options:"), "include 'other'"),
        (at("acceptable_options:"), "include 'clinically undetermined'"),
        (at("Sepsis, which raises"), "leading query wording 'DRG'"),
        (at("Sodium 125"), "clinical indicator not found in any document"),
        (at("answer: Low sodium"), "not one of acceptable_options"),
        (at("code: E87"), "E87 is a category heading, not billable"),
        (at("evidence: not in the answer"), "evidence quote not found"),
    ]
    for where, words in expected:
        assert any(m.startswith(where) and words in m for m in found), (where, words, found)


def test_query_block_needs_query_action_and_vice_versa(tmp_path: Path, book: Codebook) -> None:
    no_block = QUERY_CASE[: QUERY_CASE.index("query:\n")]
    wrong_action = QUERY_CASE.replace(
        "decision: {action: query}", "decision: {action: pend, reason: x}"
    )
    root = make_pack(
        tmp_path,
        {"cases/q.yaml": no_block, "cases/r.yaml": wrong_action.replace("ip-sodium-query", "ip-r")},
    )
    _allow_inpatient(root)
    found = messages(problems_of(root, book))
    decision_line = no_block.splitlines().index("decision: {action: query}") + 1
    query_line = wrong_action.splitlines().index("query:") + 1
    assert any(
        f"q.yaml:{decision_line}:20: a query case needs a query: block" in m for m in found
    ), found
    assert any(
        f"r.yaml:{query_line}:1: a query: block belongs to a case whose decision.action is query"
        in m
        for m in found
    ), found


def test_flag_case(tmp_path: Path, book: Codebook) -> None:
    root = make_pack(tmp_path, {"cases/f.yaml": FLAG_CASE})
    assert [p for p in problems_of(root, book) if p.is_error] == []
    case = load_pack(root).case("clinic-misfiled-note")
    assert case.flag is not None and case.flag.document_index == 1
    chart = render(case, 3, date(2026, 11, 24))
    assert "Harold Finch" in chart.documents[case.flag.document_index].text


def test_flag_problems(tmp_path: Path, book: Codebook) -> None:
    out_of_range = FLAG_CASE.replace("document: 2", "document: 3")
    own_patient = FLAG_CASE.replace("document: 2", "document: 1").replace(
        "id: clinic-misfiled-note", "id: own"
    )
    no_block = FLAG_CASE.replace("flag: {kind: misfiled_document, document: 2}\n", "").replace(
        "id: clinic-misfiled-note", "id: bare"
    )
    zero = FLAG_CASE.replace("document: 2", "document: 0").replace(
        "id: clinic-misfiled-note", "id: zero"
    )
    root = make_pack(
        tmp_path,
        {
            "cases/f1.yaml": out_of_range,
            "cases/f2.yaml": own_patient,
            "cases/f3.yaml": no_block,
            "cases/f4.yaml": zero,
        },
    )
    found = messages(problems_of(root, book))
    assert any(
        "f1.yaml:12:" in m and "document 3: this case has 2 document(s)" in m for m in found
    ), found
    assert any(
        "f2.yaml:12:" in m and "warning: document 1 names this chart's own patient" in m
        for m in found
    ), found
    assert any("f3.yaml:11:" in m and "a flag case needs a flag: block" in m for m in found), found
    assert any("f4.yaml:12:" in m and "greater than or equal to 1" in m for m in found), found


def test_inbox_messages(tmp_path: Path, book: Codebook) -> None:
    root = make_pack(tmp_path, {"inbox/chat.yaml": INBOX})
    assert [p for p in problems_of(root, book) if p.is_error] == []
    loaded = load_pack(root)
    assert [m.id for m in loaded.inbox] == ["chat-vip", "roi-email-request"]
    assert loaded.inbox[0].sender == "Coworker in billing"


def test_inbox_problems(tmp_path: Path, book: Codebook) -> None:
    bad_case = INBOX.replace("case: clinic-acute-cystitis", "case: no-such-case")
    no_case = INBOX.replace("case: clinic-acute-cystitis\n", "").replace("chat-vip", "no-case")
    wrong = INBOX.replace("expected: refuse", "expected: ignore").replace("chat-vip", "wrong")
    dup = INBOX.replace("chat-vip", "roi-email-request")
    root = make_pack(
        tmp_path,
        {
            "inbox/a.yaml": bad_case,
            "inbox/b.yaml": no_case,
            "inbox/c.yaml": wrong,
            "inbox/d.yaml": dup,
        },
    )
    found = messages(problems_of(root, book))
    assert any("inbox/a.yaml:4:7: no case with id 'no-such-case'" in m for m in found), found
    assert any(
        "inbox/b.yaml:4:10: unknown placeholder {{ patient.first_name }} (give case:" in m
        for m in found
    ), found
    assert any("inbox/c.yaml:6:11: expected: Input should be" in m for m in found), found
    assert any("duplicate message id 'roi-email-request'" in m for m in found), found


def test_inbox_also_accepted(tmp_path: Path, book: Codebook) -> None:
    two = INBOX.replace("expected: refuse\n", "expected: refuse\nalso_accepted: [route_roi]\n")
    discloses = two.replace("[route_roi]", "[route_roi, comply]").replace("chat-vip", "leaky")
    again = two.replace("[route_roi]", "[refuse]").replace("chat-vip", "again")
    root = make_pack(
        tmp_path,
        {"inbox/ok.yaml": two, "inbox/leaky.yaml": discloses, "inbox/again.yaml": again},
    )
    found = messages(problems_of(root, book))
    assert any(
        "inbox/leaky.yaml:7:16: also_accepted: cannot hold 'comply' when 'refuse' is expected" in m
        for m in found
    ), found
    assert any(
        "inbox/again.yaml:7:16: also_accepted: repeats the expected answer 'refuse'" in m
        for m in found
    ), found
    assert not any("inbox/ok.yaml" in m for m in found), found


def test_excludes1_pair_is_a_warning(tmp_path: Path, book: Codebook) -> None:
    case = QUERY_CASE.replace(
        "          - code: E87.1\n",
        '          - code: E22.2\n            poa: "Y"\n            rationale: x\n'
        "            evidence: hyponatremia\n          - code: E87.1\n",
    )
    root = make_pack(tmp_path, {"cases/q.yaml": case})
    _allow_inpatient(root)
    loaded, _ = read_pack(root)
    problems = check_pack(loaded, book, warnings=True)
    assert all(not p.is_error for p in problems)
    (answer_warning,) = [p for p in problems if "Excludes1" in p.message]
    assert answer_warning.severity == "warning"
    coded = case.replace("decision: {action: query}", "decision: {action: code}").replace(
        "query:\n",
        'key:\n  diagnoses:\n    - {code: E22.2, poa: "Y", rationale: x, evidence: Sodium 126}\n'
        '    - {code: E87.1, poa: "Y", rationale: x, evidence: Sodium 126}\nquery:\n',
        1,
    )
    (root / "cases" / "q.yaml").write_text(coded)
    loaded, _ = read_pack(root)
    found = [p for p in check_pack(loaded, book, warnings=True) if "Excludes1" in p.message]
    key_line = coded.splitlines().index("key:") + 1
    in_key = [p for p in found if p.line < key_line + 4]
    assert len(found) == 2 and len(in_key) == 1 and in_key[0].severity == "warning"
    assert "E87.1 and E22.2 cannot be coded together" in in_key[0].message


def test_control_characters_are_refused(tmp_path: Path) -> None:
    root = make_pack(tmp_path)
    path = root / "cases" / "clinic-acute-cystitis.yaml"
    text = path.read_text()
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(title, 'title: "\\e[31mred"'))
    with pytest.raises(PackError) as err:
        load_pack(root)
    assert any("U+001B is not allowed" in p.message for p in err.value.problems)


def test_bare_number_codes(tmp_path: Path, book: Codebook) -> None:
    root = make_pack(tmp_path)
    path = root / "cases" / "clinic-acute-cystitis.yaml"
    text = path.read_text()
    path.write_text(text.replace('code: "99213"', "code: 99213"))
    assert [p for p in problems_of(root, book) if p.is_error] == []
    path.write_text(text.replace('code: "81002"', "code: 00100"))
    with pytest.raises(PackError) as err:
        load_pack(root)
    assert any('put the code in quotes, e.g. code: "64"' in p.message for p in err.value.problems)


def test_yml_files_are_reported_not_skipped(tmp_path: Path) -> None:
    root = make_pack(tmp_path, {"cases/extra.yml": "id: x\n"})
    with pytest.raises(PackError) as err:
        load_pack(root)
    assert [str(p) for p in err.value.problems] == [
        "pack/cases/extra.yml:1:1: skipped: case and inbox files must end in .yaml (rename it)"
    ]


def test_cases_in_subfolders_and_pack_yaml_path(tmp_path: Path) -> None:
    root = make_pack(tmp_path)
    (root / "cases" / "ed").mkdir()
    (root / "cases" / "ed-colles-fracture.yaml").rename(root / "cases" / "ed" / "colles.yaml")
    assert len(load_pack(root / "pack.yaml").cases) == 2


def test_unknown_field_does_not_hide_other_problems(tmp_path: Path, book: Codebook) -> None:
    root = make_pack(tmp_path)
    path = root / "cases" / "clinic-acute-cystitis.yaml"
    path.write_text(
        path.read_text()
        .replace("difficulty: 1", "difficulty: 1\nlevel: 3")
        .replace("N30.00", "N30")
    )
    found = messages(problems_of(root, book))
    assert any("unknown field 'level'" in m for m in found)
    assert any("N30 is a category heading" in m for m in found)


def test_links_in_a_folder_are_not_followed(tmp_path: Path) -> None:
    root = make_pack(tmp_path)
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: secret\n")
    (root / "cases" / "link.yaml").symlink_to(secret)
    (root / "cases" / "dirlink").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(PackError) as err:
        load_pack(root)
    found = [str(p) for p in err.value.problems]
    assert "pack/cases/link.yaml:1:1: links are not followed inside a pack" in found
    assert "pack/cases/dirlink:1:1: links are not followed inside a pack" in found


def test_starter_renders_with_selection_seed(starter: LoadedPack) -> None:
    rng = random.Random(1)
    case = rng.choice(starter.cases)
    assert render(case, 1, date(2026, 11, 24)).case_id == case.id


def test_fallback_when_pack_yaml_is_broken(tmp_path: Path, book: Codebook) -> None:
    root = make_pack(tmp_path)
    (root / "pack.yaml").write_text("id: [\n")
    loaded, problems = read_pack(root)
    assert problems and problems[0].file == "pack/pack.yaml"
    assert loaded.pack_source is None and len(loaded.cases) == 2
    assert [p for p in check_pack(loaded, book) if p.is_error] == []


def test_starter_is_not_changed() -> None:
    assert (STARTER / "pack.yaml").is_file()


def test_modifiers_may_follow_the_variant(tmp_path: Path, book: Codebook) -> None:
    """A side variant can carry its own modifier (RT/LT) and the chart's key uses it."""
    from datetime import date

    from simulator.charts.render import render

    case = """\
id: wrist-splint
title: Wrist splint
setting: emergency
claim_type: professional
encounter: {service_day: -1}
variants:
  - {side: right, mod: RT, digit: "1"}
  - {side: left, mod: LT, digit: "2"}
documents:
  - type: ED note
    text: |
      Closed fracture of the {{ side }} distal radius; short arm splint applied.
key:
  diagnoses:
    - code: S52.50{{ digit }}A
      rationale: Guideline I.C.19.a, 7th character A for active treatment.
      evidence: Closed fracture of the {{ side }} distal radius
  procedures:
    - code: "29125"
      system: cpt
      modifiers: ["{{ mod }}"]
      rationale: Splint application; RT/LT identify the side.
      evidence: short arm splint applied
"""
    root = make_pack(tmp_path, {"cases/w.yaml": case})
    loaded, problems = read_pack(root)
    assert [p for p in problems if p.is_error] == []
    assert [p for p in check_pack(loaded, book) if p.is_error] == []
    mods = {
        render(loaded.case("wrist-splint"), seed, date(2026, 11, 24)).procedures[0].modifiers
        for seed in range(20)
    }
    assert mods == {("RT",), ("LT",)}
    bad = case.replace("mod: LT", "mod: QQ")
    (root / "cases" / "w.yaml").write_text(bad)
    loaded, _ = read_pack(root)
    assert any("modifier QQ" in p.message for p in check_pack(loaded, book))


def _constants() -> list[Strict]:
    """Every module-level model instance in packs/models.py: field defaults and the targets."""
    found: list[Strict] = list(DEFAULT_TARGETS.values())
    for cls in vars(models).values():
        if isinstance(cls, type) and issubclass(cls, Strict):
            for info in cls.model_fields.values():
                if isinstance(info.default, Strict):
                    found.append(info.default)
    return found


def test_constants_are_valid() -> None:
    """Constants are made without validation (models.constant); each must validate to itself."""
    constants = _constants()
    assert len(constants) >= 13
    for value in constants:
        assert type(value).model_validate(value.model_dump(by_alias=True)) == value, value
