"""The scenario-pack format: pydantic models for pack.yaml, each case file and inbox messages."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
VARIABLE_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]
LongText = Annotated[str, Field(min_length=1, max_length=60_000)]
MAX_CASES = 2_000


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
    """Base for every pack model: unknown fields are errors, not silently ignored.

    The docstring under each field is its description in the JSON Schema (packs/schema.py
    reads them from this file when a schema is asked for; pydantic's use_attribute_docstrings
    would read them at import, ~30 ms of every start-up).

    Validators are built when a model first validates (defer_build), not at import: a start-up
    that reuses a compiled pack (packs/checkcache.py) unpickles models and never validates one,
    so it never pays to build them (~15 ms).
    """

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        frozen=True,
        coerce_numbers_to_str=True,
        defer_build=True,
    )


M = TypeVar("M", bound=Strict)


def constant(model: type[M], **values: Any) -> M:
    """A module-level default (a field's default, a DOMAIN.md target) made without validation,
    which would build the model's validator at import and undo defer_build. Every constant is
    validated in tests/unit/test_pack_format.py::test_constants_are_valid."""
    return model.model_construct(**values)


class Target(Strict):
    """Productivity target and time standard for one setting, every figure filled in."""

    charts_per_hour: float = Field(gt=0, le=200)
    """Charts a coder is expected to finish per hour in this setting."""
    workload_units: float = Field(gt=0, le=10)
    """Workload units one chart of this setting counts for."""
    time_standard_minutes: float | None = Field(default=None, gt=0, le=240)
    """Minutes allowed per chart; 60 divided by charts_per_hour when not given."""

    @property
    def minutes(self) -> float:
        """Return the time standard per chart in minutes."""
        return self.time_standard_minutes or 60.0 / self.charts_per_hour


class TargetOverride(Strict):
    """A pack's override of the default target for one setting; any field may be left out."""

    charts_per_hour: float | None = Field(default=None, gt=0, le=200)
    """Charts a coder is expected to finish per hour in this setting."""
    workload_units: float | None = Field(default=None, gt=0, le=10)
    """Workload units one chart of this setting counts for."""
    time_standard_minutes: float | None = Field(default=None, gt=0, le=240)
    """Minutes allowed per chart in this setting (default: 60 / charts_per_hour)."""


DEFAULT_TARGETS: dict[Setting, Target] = {
    Setting.INPATIENT: constant(Target, charts_per_hour=3.0, workload_units=1.0),
    Setting.OUTPATIENT_SURGERY: constant(Target, charts_per_hour=5.0, workload_units=0.75),
    Setting.EMERGENCY: constant(Target, charts_per_hour=15.0, workload_units=0.5),
    Setting.CLINIC: constant(Target, charts_per_hour=12.0, workload_units=0.25),
    Setting.RADIOLOGY: constant(Target, charts_per_hour=45.0, workload_units=0.1),
    Setting.ANCILLARY: constant(Target, charts_per_hour=45.0, workload_units=0.1),
}
"""Defaults from DOMAIN.md (AHIMA and AAPC surveys); a pack may override any of them."""

VerdictName = Literal[
    "correct",
    "acceptable alternate",
    "less specific",
    "wrong 7th character",
    "wrong laterality",
    "placeholder X missing",
    "modifier or units wrong",
    "wrong code",
    "missing",
    "extra",
    "optional",
    "not billable",
    "sequencing",
    "POA wrong",
]
"""The verdict names of simulator.scoring.model.LineVerdict, as a pack writes them."""


class Scoring(Strict):
    """How the pack's charts are scored: credit per verdict and the goals shown in reports."""

    credits: dict[VerdictName, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)
    """Credit (0 to 1) per line verdict, replacing the default for the verdicts named."""
    accuracy_goal: float = Field(default=0.95, gt=0, le=1)
    """Code-over-code accuracy a coder must reach (audits use 95%)."""
    productivity_goal: float = Field(default=0.95, gt=0, le=1)
    """Share of the time standard a coder must meet (95% is common)."""

    def credit_table(self, defaults: Mapping[str, float]) -> dict[str, float]:
        """Return the defaults (keyed by verdict name) with this pack's credits applied."""
        table = dict(defaults)
        table.update((str(name), credit) for name, credit in self.credits.items())
        return table


class Selection(Strict):
    """Which cases a session draws: all, or N drawn among those of some topics and difficulties."""

    draw: Literal["all"] | Annotated[int, Field(ge=1, le=MAX_CASES)] = "all"
    """'all', or how many cases to draw at random (seeded) for a session."""
    topics: list[Slug] = Field(default_factory=list, max_length=100)
    """Draw only cases tagged with at least one of these topics (empty: any topic)."""
    difficulty: tuple[Annotated[int, Field(ge=1, le=5)], Annotated[int, Field(ge=1, le=5)]] = (
        1,
        5,
    )
    """Lowest and highest difficulty to draw, e.g. [2, 4]."""

    @field_validator("draw", mode="before")
    @classmethod
    def _draw(cls, value: object) -> object:
        """Accept 'all' or a whole number of cases, with one plain message otherwise."""
        if value == "all" or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise ValueError("draw is 'all' or a whole number of cases, e.g. 20")

    @model_validator(mode="after")
    def _ordered(self) -> Selection:
        """Refuse a difficulty range written backwards."""
        if self.difficulty[0] > self.difficulty[1]:
            low, high = self.difficulty
            raise ValueError(
                f"difficulty [{low}, {high}]: the lowest comes first, e.g. [{high}, {low}]"
            )
        return self

    def matches(self, case: Case) -> bool:
        """Return True when a case passes the topic and difficulty filters."""
        low, high = self.difficulty
        if not low <= case.difficulty <= high:
            return False
        return not self.topics or bool(set(self.topics) & set(case.topics))

    def choose(self, cases: Sequence[Case], seed: int) -> list[Case]:
        """Return the cases a session works, in pack order; the same seed draws the same cases."""
        eligible = [case for case in cases if self.matches(case)]
        if self.draw == "all" or self.draw >= len(eligible):
            return eligible
        picked = set(random.Random(seed).sample(range(len(eligible)), self.draw))
        return [case for i, case in enumerate(eligible) if i in picked]


# --- The `assessment:` block of pack.yaml (codedesk assess; docs/ASSESSMENTS.md) -----------


class Stratum(Strict):
    """One draw rule of an assessment: every candidate gets `count` charts among its cases."""

    name: str = Field(default="", max_length=60)
    """A label for the screener's report, e.g. inpatient (the rule's number when left out)."""
    count: int = Field(ge=1, le=MAX_CASES)
    """How many charts every candidate gets from this rule's cases."""
    settings: list[Setting] = Field(default_factory=list, max_length=6)
    """Only cases of these settings, e.g. [radiology, ancillary] (empty: any setting)."""
    topics: list[Slug] = Field(default_factory=list, max_length=100)
    """Only cases tagged with at least one of these topics (empty: any topic)."""
    difficulty: tuple[Annotated[int, Field(ge=1, le=5)], Annotated[int, Field(ge=1, le=5)]] = (
        1,
        5,
    )
    """Lowest and highest difficulty of the cases drawn, e.g. [2, 4]."""

    @model_validator(mode="after")
    def _ordered(self) -> Stratum:
        """Refuse a difficulty range written backwards."""
        low, high = self.difficulty
        if low > high:
            raise ValueError(
                f"difficulty [{low}, {high}]: the lowest comes first, e.g. [{high}, {low}]"
            )
        return self

    def matches(self, case: Case) -> bool:
        """Return True when a case passes this rule's setting, topic and difficulty filters."""
        low, high = self.difficulty
        if not low <= case.difficulty <= high:
            return False
        if self.settings and case.setting not in self.settings:
            return False
        return not self.topics or bool(set(self.topics) & set(case.topics))


class PassMarks(Strict):
    """The marks a candidate must reach to pass; a mark left out is not a condition."""

    code_over_code: float | None = Field(default=None, gt=0, le=1)
    """Code-over-code accuracy over every drawn chart, e.g. 0.8 (default: scoring.accuracy_goal)."""
    record: float | None = Field(default=None, gt=0, le=1)
    """Share of drawn charts right at record level (every code right, none extra), e.g. 0.5."""
    principal: float | None = Field(default=None, gt=0, le=1)
    """Share of charts with the right principal or first-listed diagnosis, e.g. 0.8."""
    decision: float | None = Field(default=None, gt=0, le=1)
    """Share of drawn charts with the right decision (code, query, pend or flag), e.g. 0.85."""
    productivity: float | None = Field(default=None, gt=0, le=5)
    """Time-standard minutes of the charts finished over the minutes used, e.g. 0.9."""
    privacy: bool = True
    """Fail a candidate on any critical or major privacy event (snooping, disclosure, PHI)."""


class AssessmentRules(Strict):
    """How a sealed, timed assessment of this pack is drawn, timed and passed (codedesk assess)."""

    time_limit_minutes: float = Field(default=60, gt=0, le=24 * 60)
    """The hard time box in minutes; every chart is handed in automatically when it runs out."""
    charts: int | None = Field(default=None, ge=1, le=MAX_CASES)
    """How many charts each candidate gets; with strata it must equal their counts added up
    (default: the strata's total, or every case when there are no strata)."""
    strata: list[Stratum] = Field(default_factory=list, max_length=50)
    """Draw rules, each with a count; a case belongs to the first rule it matches and a case no
    rule matches is never drawn. Empty: one rule holding every case."""
    pass_marks: PassMarks = constant(PassMarks)
    """The marks a candidate must reach to pass."""

    @model_validator(mode="after")
    def _counts(self) -> AssessmentRules:
        """Require charts to match the strata's counts and every stratum name to be unique."""
        total = sum(stratum.count for stratum in self.strata)
        if self.strata and self.charts is not None and self.charts != total:
            raise ValueError(
                f"charts is {self.charts}, but the strata's counts add up to {total}: "
                "make them agree (or leave charts out)"
            )
        names = [stratum.name for stratum in self.strata if stratum.name]
        doubles = sorted({name for name in names if names.count(name) > 1})
        if doubles:
            raise ValueError(f"two strata are named {doubles[0]!r}: give each its own name")
        return self

    @property
    def chart_count(self) -> int | None:
        """The number of charts every candidate gets (None: every case of the pack)."""
        if self.strata:
            return sum(stratum.count for stratum in self.strata)
        return self.charts


# --- end of the `assessment:` block ---------------------------------------------------------


class Pack(Strict):
    """pack.yaml: what the pack is, who wrote it, which code year it teaches, how it is run."""

    id: Slug
    """Short name of the pack: lower-case letters, digits and '-', e.g. cardiology-basics."""
    title: ShortText
    """The pack's name as trainees see it."""
    version: Annotated[str, Field(pattern=r"^\d+(\.\d+){0,2}$")]
    """Version of the pack, e.g. 1.0 or 1.2.3; raise it when cases change."""
    author: ShortText
    """Who wrote the pack."""
    description: str = Field(default="", max_length=5_000)
    """A few sentences on what the pack teaches."""
    code_year: int = Field(ge=2024, le=2030)
    """The fiscal year of the code sets the keys are written for (FY2027 runs Oct 2026-Sep 2027)."""
    default_mode: Literal["practice", "shift", "assessment"] = "practice"
    """The mode the pack opens in: practice, shift or assessment."""
    settings: list[Setting] = Field(default_factory=list, max_length=6)
    """The settings this pack's cases may use; empty means any setting."""
    targets: dict[Setting, TargetOverride] = Field(default_factory=dict)
    """Productivity targets and time standards by setting; missing ones use DOMAIN.md defaults."""
    scoring: Scoring = constant(Scoring)
    """Credit per verdict and the accuracy and productivity goals."""
    selection: Selection = constant(Selection)
    """Which cases a session draws."""
    assessment: AssessmentRules | None = None
    """How a sealed assessment of this pack is drawn, timed and passed (codedesk assess seal)."""
    synthetic: Literal[True] = True
    """Every pack states that its patients are synthetic; real PHI never belongs in a pack."""

    def target(self, setting: Setting) -> Target:
        """Return the productivity target for a setting, the pack's figures over the defaults."""
        base = DEFAULT_TARGETS[setting]
        override = self.targets.get(setting)
        if override is None:
            return base
        return Target(
            charts_per_hour=override.charts_per_hour or base.charts_per_hour,
            workload_units=override.workload_units or base.workload_units,
            time_standard_minutes=override.time_standard_minutes or base.time_standard_minutes,
        )


class AgeRange(Strict):
    """Inclusive age range in years."""

    min: int = Field(ge=0, le=110)
    """Youngest age the patient may have."""
    max: int = Field(ge=0, le=110)
    """Oldest age the patient may have."""

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        """Refuse a range whose minimum is above its maximum."""
        if self.min > self.max:
            raise ValueError(f"min age {self.min} is above max age {self.max}")
        return self


class PatientSpec(Strict):
    """Constraints on the synthetic patient drawn for a case."""

    age: AgeRange = constant(AgeRange, min=18, max=85)
    """Age range in years at the encounter, e.g. {min: 20, max: 40}."""
    sex: Literal["F", "M", "any"] = "any"
    """F, M or any."""


class EncounterSpec(Strict):
    """Encounter dates as days relative to the shift date (0 = today, -1 = yesterday)."""

    admit_day: int | None = Field(default=None, ge=-365, le=0)
    """Admission day (inpatient), e.g. -5 for five days before the shift."""
    discharge_day: int | None = Field(default=None, ge=-365, le=0)
    """Discharge day (inpatient), on or after admit_day."""
    service_day: int | None = Field(default=None, ge=-365, le=0)
    """Date of service (outpatient, emergency, clinic)."""
    payer: str | None = Field(default=None, max_length=60)
    """Payer shown in the queue; drawn from a list when absent."""
    priority: int = Field(default=3, ge=1, le=5)
    """1 is the most urgent."""

    @model_validator(mode="after")
    def _dates(self) -> EncounterSpec:
        """Require a consistent set of dates."""
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
    author: str = Field(default="{{ provider.name }}", max_length=300)
    """Who wrote it; the attending provider when not given."""
    day: int = Field(default=0, ge=-400, le=0)
    """Date of the document relative to the shift date."""
    signed: bool = True
    """False for an unsigned document (a reason to pend)."""
    text: LongText
    """The document's text, with {{ placeholders }}."""


POA = Literal["Y", "N", "U", "W", "exempt"]


class KeyLine(Strict):
    """One line of the answer key: a code, why it is right, and where the chart says so."""

    code: Annotated[str, Field(min_length=1, max_length=40)]
    """The code, possibly built from variant variables, e.g. S52.5{{ side_digit }}1A."""
    system: Literal["icd10cm", "icd10pcs", "cpt", "hcpcs"] = "icd10cm"
    """The code set: icd10cm (default), icd10pcs, cpt or hcpcs."""
    poa: POA | None = None
    """Present on admission, inpatient diagnoses only: Y, N, U, W or exempt."""
    modifiers: list[
        Annotated[str, Field(pattern=r"^(?:[A-Z0-9]{2}|\{\{\s*[a-z][a-z0-9_]*\s*\}\})$")]
    ] = Field(default_factory=list, max_length=4)
    """CPT/HCPCS modifiers, e.g. [25] or [LT]; a variant variable such as "{{ side_mod }}" too."""
    units: int = Field(default=1, ge=1, le=9999)
    """Units of service (e.g. 3 for J1885 when 45 mg of ketorolac is given)."""
    alternates: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=20
    )
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
        """Upper-case codes outside their placeholders, so 'e11.9' is E11.9."""
        if isinstance(value, list):
            return [_code_text(v) for v in value]
        return _code_text(value)

    @field_validator("modifiers", mode="before")
    @classmethod
    def _modifiers(cls, value: object) -> object:
        """Accept modifiers written as numbers (25) as well as text ("25", LT)."""
        if isinstance(value, list):
            return [_modifier_text(v) for v in value]
        return value


def _modifier_text(value: object) -> object:
    """Return a modifier as upper-case text, turning 25 into "25"."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 100:
        return f"{value:02d}"
    if isinstance(value, str):
        return value.strip() if "{{" in value else value.strip().upper()
    return value


def _code_text(value: object) -> object:
    """Return a code as upper-case text; refuse numbers YAML may have changed (00100 is octal)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if 10_000 <= value <= 99_999:
            return str(value)
        raise ValueError(f'put the code in quotes, e.g. code: "{value}" (YAML reads bare numbers)')
    if isinstance(value, float):
        raise ValueError('put the code in quotes, e.g. code: "786.2" (YAML reads it as a number)')
    if isinstance(value, str):
        return _normalize(value)
    return value


def _normalize(code: str) -> str:
    """Upper-case a code outside its placeholders."""
    parts = re.split(r"(\{\{.*?\}\})", code.strip())
    return "".join(p if p.startswith("{{") else p.upper().replace(" ", "") for p in parts)


class AnswerKey(Strict):
    """The expert answer: diagnoses in order (principal or first-listed first) and procedures."""

    diagnoses: list[KeyLine] = Field(default_factory=list, max_length=60)
    """Diagnosis codes, the principal or first-listed one first."""
    procedures: list[KeyLine] = Field(default_factory=list, max_length=60)
    """Procedure codes (ICD-10-PCS, CPT, HCPCS)."""


class Decision(Strict):
    """The action the case expects, with the reason for a pend or a flag."""

    action: Action = Action.CODE
    """code, query, pend or flag."""
    reason: str | None = Field(default=None, max_length=200)
    """Why the chart is pended or flagged, e.g. 'operative note unsigned'."""

    @model_validator(mode="after")
    def _reason(self) -> Decision:
        """Require a reason for a pend (a flag may give a flag: block instead)."""
        if self.action is Action.PEND and not self.reason:
            raise ValueError("a pend decision needs a reason")
        return self


class QueryAnswer(Strict):
    """One way the physician may answer the query, and the codes that answer documents."""

    answer: ShortText
    """The option the physician chooses; one of acceptable_options."""
    physician_response_text: LongText
    """The physician's written response, added to the chart as an addendum."""
    key: AnswerKey
    """The codes once this answer is documented (validated like the case key)."""


class Query(Strict):
    """What a compliant query for this case cites and offers, and each possible answer."""

    clinical_indicators: list[ShortText] = Field(min_length=1, max_length=30)
    """Quotes from the documents that support the query (each must appear word for word)."""
    acceptable_options: list[ShortText] = Field(min_length=2, max_length=12)
    """Clinically reasonable options; include 'other' and 'clinically undetermined'."""
    answers: list[QueryAnswer] = Field(min_length=1, max_length=12)
    """The physician's possible answers with the codes each one leads to."""


FlagKind = Literal["misfiled_document", "wrong_patient", "conflict_of_interest"]


class Flag(Strict):
    """What a flag case expects the coder to flag."""

    kind: FlagKind
    """misfiled_document, wrong_patient or conflict_of_interest."""
    document: int | None = Field(default=None, ge=1, le=40)
    """Which document is the problem, counting from 1 (the first document is 1)."""

    @property
    def document_index(self) -> int | None:
        """Return the flagged document's 0-based position, as rendered charts number them."""
        return None if self.document is None else self.document - 1


class Case(Strict):
    """One case file: the patient, the documents, the expected decision and the key."""

    id: Slug
    """Unique name of the case within the pack, e.g. ed-ankle-sprain."""
    title: ShortText
    """One line describing the case for the trainer (trainees see it in the queue)."""
    setting: Setting
    """inpatient, outpatient_surgery, emergency, clinic, radiology or ancillary."""
    claim_type: ClaimType = ClaimType.FACILITY
    """facility (UB-04) or professional (CMS-1500)."""
    topics: list[Slug] = Field(default_factory=list, max_length=40)
    """Tags for what the case teaches; see the coverage topics in docs/PACK_FORMAT.md."""
    difficulty: int = Field(default=2, ge=1, le=5)
    """1 (easiest) to 5 (hardest)."""
    time_standard_minutes: float | None = Field(default=None, gt=0, le=240)
    """Minutes an experienced coder needs; defaults from the pack's target for the setting."""
    patient: PatientSpec = constant(PatientSpec)
    """Constraints on the synthetic patient."""
    encounter: EncounterSpec
    """Encounter dates relative to the shift date, payer, priority."""
    variants: list[
        Annotated[dict[Annotated[str, Field(pattern=VARIABLE_PATTERN)], str], Field(max_length=50)]
    ] = Field(default_factory=list, max_length=50)
    """Sets of variables; one is drawn per rendering and may be used in text and key codes."""
    documents: list[Document] = Field(min_length=1, max_length=40)
    """The chart's documents in the order the coder sees them."""
    decision: Decision = constant(Decision)
    """The action expected: code (default), query, pend or flag."""
    key: AnswerKey = constant(AnswerKey)
    """The expert answer key."""
    query: Query | None = None
    """For a query case: indicators, acceptable options and the physician's possible answers."""
    flag: Flag | None = None
    """For a flag case: what kind of problem, and which document."""

    @model_validator(mode="after")
    def _key_matches_decision(self) -> Case:
        """Require a key for coded cases and the same variables in every variant."""
        if self.decision.action is Action.CODE and not self.key.diagnoses:
            raise ValueError("a case whose decision is 'code' needs key.diagnoses")
        names = [set(v) for v in self.variants]
        if names and any(n != names[0] for n in names):
            raise ValueError("every variant must define the same variables")
        return self


InboxAnswer = Literal["comply", "refuse", "route_roi", "verify_identity"]
"""The ways a coder can answer an inbox message."""


class InboxMessage(Strict):
    """A message in the coder's inbox that tests privacy judgement (inbox/*.yaml)."""

    id: Slug
    """Unique name of the message within the pack."""
    sender: ShortText = Field(alias="from")
    """Who the message claims to be from, e.g. 'Dr. Patel's office'."""
    channel: Literal["email", "phone", "chat"]
    """How it arrives: email, phone or chat."""
    subject: ShortText | None = None
    """Subject line (email) or first words (phone, chat)."""
    case: Slug | None = None
    """The case whose patient the message is about; fills {{ patient.* }} placeholders."""
    day: int = Field(default=0, ge=-30, le=0)
    """When it arrived, relative to the shift date."""
    text: Annotated[str, Field(min_length=1, max_length=10_000)]
    """The message as the coder reads it."""
    expected: InboxAnswer
    """The right response: comply, refuse, route_roi (release of information) or verify_identity."""
    also_accepted: list[InboxAnswer] = Field(default_factory=list, max_length=3)
    """Other responses that are just as safe, graded right too (e.g. route_roi where the
    request can go straight to the office that verifies and releases); the feedback still
    names `expected` first. Never comply (the answer that discloses), never `expected` again."""
    rationale: LongText
    """Why, citing the rule (e.g. 45 CFR 164.502(b) minimum necessary)."""
    topics: list[Slug] = Field(default_factory=list, max_length=20)
    """Tags for what the message teaches, e.g. [hipaa, roi]."""

    @field_validator("also_accepted")
    @classmethod
    def _accepted_answers(cls, value: list[str], info: ValidationInfo) -> list[str]:
        """An alternative answer is a second safe answer: not the expected one again, and
        never 'comply' (the one that discloses) when the expected answer withholds."""
        expected = info.data.get("expected")
        if expected in value:
            raise ValueError(f"repeats the expected answer {expected!r}")
        if len(set(value)) != len(value):
            raise ValueError("lists an answer twice")
        if "comply" in value:
            raise ValueError(
                f"cannot hold 'comply' when {expected!r} is expected: complying discloses "
                "what the expected answer withholds"
            )
        return value
