"""The scenario-pack format: pydantic models for pack.yaml and each case file."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]
LongText = Annotated[str, Field(min_length=1, max_length=60_000)]


class Setting(StrEnum):
    """Where the encounter happened; sets the coding rules and the time standard."""

    INPATIENT = "inpatient"
    OUTPATIENT_SURGERY = "outpatient_surgery"
    EMERGENCY = "emergency"
    CLINIC = "clinic"
    RADIOLOGY = "radiology"
    ANCILLARY = "ancillary"


class ClaimType(StrEnum):
    """Facility (UB-04) or professional (CMS-1500) coding."""

    FACILITY = "facility"
    PROFESSIONAL = "professional"


class Action(StrEnum):
    """The decision a case expects of the coder."""

    CODE = "code"
    QUERY = "query"
    PEND = "pend"
    FLAG = "flag"


class Strict(BaseModel):
    """Base for every pack model: unknown fields are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Target(Strict):
    """Productivity target for one setting."""

    charts_per_hour: float = Field(gt=0, le=200)
    """Charts a coder is expected to finish per hour in this setting."""
    workload_units: float = Field(gt=0, le=10)
    """Workload units one chart of this setting counts for."""


DEFAULT_TARGETS: dict[Setting, Target] = {
    Setting.INPATIENT: Target(charts_per_hour=3, workload_units=1.0),
    Setting.OUTPATIENT_SURGERY: Target(charts_per_hour=5, workload_units=0.75),
    Setting.EMERGENCY: Target(charts_per_hour=15, workload_units=0.5),
    Setting.CLINIC: Target(charts_per_hour=12, workload_units=0.25),
    Setting.RADIOLOGY: Target(charts_per_hour=45, workload_units=0.1),
    Setting.ANCILLARY: Target(charts_per_hour=45, workload_units=0.1),
}
"""Defaults from DOMAIN.md (AHIMA and AAPC surveys); a pack may override any of them."""


class Pack(Strict):
    """pack.yaml: what the pack is, who wrote it, which code year it teaches."""

    id: Slug
    title: ShortText
    version: Annotated[str, Field(pattern=r"^\d+(\.\d+){0,2}$")]
    author: ShortText
    description: str = ""
    code_year: int = Field(ge=2024, le=2030)
    """The fiscal year of the code sets the keys are written for (FY2027 runs Oct 2026-Sep 2027)."""
    default_mode: Literal["practice", "shift", "assessment"] = "practice"
    targets: dict[Setting, Target] = Field(default_factory=dict)
    """Productivity targets by setting; missing settings use the DOMAIN.md defaults."""
    synthetic: Literal[True] = True
    """Every pack states that its patients are synthetic; real PHI never belongs in a pack."""

    def target(self, setting: Setting) -> Target:
        """Return the productivity target for a setting."""
        return self.targets.get(setting, DEFAULT_TARGETS[setting])


class AgeRange(Strict):
    """Inclusive age range in years."""

    min: int = Field(ge=0, le=110)
    max: int = Field(ge=0, le=110)

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.min > self.max:
            raise ValueError(f"min age {self.min} is above max age {self.max}")
        return self


class PatientSpec(Strict):
    """Constraints on the synthetic patient drawn for a case."""

    age: AgeRange = AgeRange(min=18, max=85)
    sex: Literal["F", "M", "any"] = "any"


class EncounterSpec(Strict):
    """Encounter dates as days relative to the shift date (0 = today, -1 = yesterday)."""

    admit_day: int | None = Field(default=None, ge=-365, le=0)
    discharge_day: int | None = Field(default=None, ge=-365, le=0)
    service_day: int | None = Field(default=None, ge=-365, le=0)
    payer: str | None = Field(default=None, max_length=60)
    """Payer shown in the queue; drawn from a list when absent."""
    priority: int = Field(default=3, ge=1, le=5)
    """1 is the most urgent."""

    @model_validator(mode="after")
    def _dates(self) -> EncounterSpec:
        if (self.admit_day is None) != (self.discharge_day is None):
            raise ValueError("give both admit_day and discharge_day, or neither")
        if (
            self.admit_day is not None
            and self.discharge_day is not None
            and self.admit_day > self.discharge_day
        ):
            raise ValueError("admit_day is after discharge_day")
        if self.admit_day is None and self.service_day is None:
            raise ValueError("give admit_day and discharge_day (inpatient) or service_day")
        return self


class Document(Strict):
    """One document in the chart, as the coder sees it."""

    type: ShortText
    """e.g. ED provider note, H&P, operative report, discharge summary."""
    author: str = "{{ provider.name }}"
    day: int = Field(default=0, ge=-400, le=0)
    """Date of the document relative to the shift date."""
    signed: bool = True
    text: LongText


POA = Literal["Y", "N", "U", "W", "exempt"]


class KeyLine(Strict):
    """One line of the answer key: a code, why it is right, and where the chart says so."""

    code: Annotated[str, Field(min_length=1, max_length=40)]
    """The code, possibly built from variant variables, e.g. S52.5{{ side_digit }}1A."""
    system: Literal["icd10cm", "icd10pcs", "cpt", "hcpcs"] = "icd10cm"
    poa: POA | None = None
    modifiers: list[Annotated[str, Field(pattern=r"^[A-Z0-9]{2}$")]] = Field(default_factory=list)
    units: int = Field(default=1, ge=1, le=9999)
    alternates: list[str] = Field(default_factory=list)
    """Other codes an expert auditor would also accept for this line."""
    optional: bool = False
    """An optional line costs nothing when left out."""
    rationale: LongText
    """Why: the convention, guideline section or rule this line follows."""
    evidence: ShortText
    """A quote that appears word for word in the chart's documents."""

    @field_validator("code", "alternates", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        if isinstance(value, str):
            return _normalize(value)
        if isinstance(value, list):
            return [_normalize(v) if isinstance(v, str) else v for v in value]
        return value


def _normalize(code: str) -> str:
    """Upper-case a code outside its placeholders."""
    parts = re.split(r"(\{\{.*?\}\})", code.strip())
    return "".join(p if p.startswith("{{") else p.upper().replace(" ", "") for p in parts)


class AnswerKey(Strict):
    """The expert answer: diagnoses in order (principal or first-listed first) and procedures."""

    diagnoses: list[KeyLine] = Field(default_factory=list)
    procedures: list[KeyLine] = Field(default_factory=list)


class Decision(Strict):
    """The action the case expects, with the reason for a pend or a flag."""

    action: Action = Action.CODE
    reason: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _reason(self) -> Decision:
        if self.action in (Action.PEND, Action.FLAG) and not self.reason:
            raise ValueError(f"a {self.action.value} decision needs a reason")
        return self


class Case(Strict):
    """One case file: the patient, the documents, the expected decision and the key."""

    id: Slug
    title: ShortText
    setting: Setting
    claim_type: ClaimType = ClaimType.FACILITY
    topics: list[Slug] = Field(default_factory=list)
    difficulty: int = Field(default=2, ge=1, le=5)
    time_standard_minutes: float | None = Field(default=None, gt=0, le=240)
    """Minutes an experienced coder needs; defaults from the pack's target for the setting."""
    patient: PatientSpec = PatientSpec()
    encounter: EncounterSpec
    variants: list[dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")], str]] = Field(
        default_factory=list, max_length=50
    )
    """Sets of variables; one is drawn per rendering and may be used in text and key codes."""
    documents: list[Document] = Field(min_length=1, max_length=40)
    decision: Decision = Decision()
    key: AnswerKey = AnswerKey()

    @model_validator(mode="after")
    def _key_matches_decision(self) -> Case:
        if self.decision.action is Action.CODE and not self.key.diagnoses:
            raise ValueError("a case whose decision is 'code' needs key.diagnoses")
        names = [set(v) for v in self.variants]
        if names and any(n != names[0] for n in names):
            raise ValueError("every variant must define the same variables")
        return self
