"""The submission file that `codedesk grade` reads: its format, and every problem located.

The file is JSON (or YAML when named .yaml/.yml); docs/SUBMISSION_FORMAT.md describes it. A
problem is reported as `file:line:col: message`, never as a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simulator.packs.errors import Problem
from simulator.packs.models import SLUG_PATTERN, Case, FlagKind
from simulator.packs.yamlsrc import Located, parse_yaml
from simulator.scoring.jsonpos import parse_json
from simulator.scoring.model import (
    PrivacyEvent,
    Submission,
    SubmittedFlag,
    SubmittedLine,
    Timings,
    WrittenQuery,
)

FORMAT = "codedesk-submission/1"
"""The format name and version a submission file may state."""

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.]{0,9}$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_UNITS = re.compile(r"^X(\d{1,4})$")
POA_FLAGS = ("Y", "N", "U", "W", "1")
"""Accepted POA indicators; 'exempt' is read as 1."""


class _In(BaseModel):
    """Base of the file's models: unknown fields are errors, numbers may stand for codes."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, coerce_numbers_to_str=True
    )


def _code(value: str) -> str:
    """Check a code's characters (its validity is graded, not refused)."""
    if not _CODE.match(value):
        raise ValueError(f"{value!r} is not shaped like a code (letters, digits and a dot)")
    return value.upper()


class DiagnosisIn(_In):
    """A diagnosis line: a code and, inpatient, its POA indicator."""

    code: str
    """ICD-10-CM code, with or without its dot."""
    poa: str | None = None
    """Y, N, U, W, or 1 / exempt."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        """Accept "I50.23:Y" for {"code": "I50.23", "poa": "Y"}."""
        if isinstance(value, str):
            code, _, poa = value.partition(":")
            return {"code": code.strip(), "poa": poa.strip() or None}
        return value

    @field_validator("code")
    @classmethod
    def _shape(cls, value: str) -> str:
        """Check the code's characters."""
        return _code(value)

    @field_validator("poa")
    @classmethod
    def _poa(cls, value: str | None) -> str | None:
        """Accept Y, N, U, W, 1 or exempt (any case)."""
        if value is None:
            return None
        flag = "1" if value.lower() == "exempt" else value.upper()
        if flag not in POA_FLAGS:
            raise ValueError(f"POA must be Y, N, U, W or 1 (exempt), not {value!r}")
        return flag


class ProcedureIn(_In):
    """A procedure line: code, code set, modifiers and units."""

    code: str
    """CPT, HCPCS or ICD-10-PCS code."""
    system: Literal["cpt", "hcpcs", "icd10pcs"] | None = None
    """The code set; told from the code's shape when left out."""
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    """CPT/HCPCS modifiers, e.g. ["25"] or ["LT"]."""
    units: int = Field(default=1, ge=1, le=9999)
    """Units of service."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        """Accept "12002-59", "J1885 x2", "0FT44ZZ" or 99283 for the full form."""
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return value
        text = value.strip().upper()
        units = 1
        head, _, tail = text.rpartition(" ")
        match = _UNITS.match(tail)
        if head and match:
            text, units = head.strip(), int(match.group(1))
        code, *mods = [p for p in text.replace(" ", "").split("-") if p] or [""]
        return {"code": code, "modifiers": mods, "units": units}

    @field_validator("code")
    @classmethod
    def _shape(cls, value: str) -> str:
        """Check the code's characters."""
        return _code(value)

    @field_validator("modifiers")
    @classmethod
    def _modifiers(cls, value: list[str]) -> list[str]:
        """Check each modifier: two letters or digits."""
        out = [m.strip().upper() for m in value]
        bad = [m for m in out if not _MODIFIER.match(m)]
        if bad:
            raise ValueError(f"a modifier is two letters or digits (e.g. 25, LT), not {bad[0]!r}")
        return out

    @property
    def code_system(self) -> str:
        """The code set, given or told from the code's shape."""
        if self.system is not None:
            return self.system
        if len(self.code) == 7:
            return "icd10pcs"
        return "hcpcs" if self.code[:1].isalpha() else "cpt"


class QueryIn(_In):
    """A physician query the coder wrote."""

    text: Annotated[str, Field(min_length=1, max_length=5_000)]
    """The question as sent."""
    options: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        default_factory=list, max_length=12
    )
    """The options offered; empty for an open-ended query."""
    answer: str | None = Field(default=None, max_length=300)
    """The physician's answer, when it came back before the chart was coded."""


class FlagIn(_In):
    """A problem flagged on the chart."""

    kind: FlagKind
    """misfiled_document, wrong_patient or conflict_of_interest."""
    document: int | None = Field(default=None, ge=1, le=40)
    """The problem document, counting from 1."""


class TimingsIn(_In):
    """How long the chart was open, and the time that does not count."""

    open_seconds: float = Field(ge=0, le=86_400)
    """Seconds the chart was open, every visit summed."""
    idle_seconds: float = Field(default=0, ge=0, le=86_400)
    """Idle seconds while open and workable (counted)."""
    pended_seconds: float = Field(default=0, ge=0, le=86_400)
    """Seconds pended while open (not counted)."""
    locked_seconds: float = Field(default=0, ge=0, le=86_400)
    """Seconds the screen was locked while open (not counted)."""

    @model_validator(mode="after")
    def _within(self) -> TimingsIn:
        """Refuse excluded or idle time longer than the time open."""
        if self.pended_seconds + self.locked_seconds > self.open_seconds:
            raise ValueError("pended_seconds + locked_seconds is more than open_seconds")
        if self.idle_seconds > self.open_seconds:
            raise ValueError("idle_seconds is more than open_seconds")
        return self


class EventIn(_In):
    """A logged event that privacy rules judge."""

    kind: Literal[
        "unassigned_chart_opened",
        "identifier_revealed",
        "inbox_answer",
        "phi_in_query",
        "misfiled_document_coded",
        "unsafe_inbox_answer",
    ]
    """What happened."""
    case: str | None = Field(default=None, max_length=64)
    """The case it concerns (the chart opened, for unassigned_chart_opened)."""
    identifier: str | None = Field(default=None, max_length=40)
    """identifier_revealed: ssn, phone, address, ..."""
    reason: str | None = Field(default=None, max_length=300)
    """identifier_revealed: the need given; none means no need was given."""
    message: str | None = Field(default=None, max_length=64)
    """Inbox events: the message id."""
    answer: Literal["comply", "refuse", "route_roi", "verify_identity"] | None = None
    """inbox_answer: the answer given."""
    detail: str = Field(default="", max_length=300)
    """Free text shown with the finding."""

    def event(self, case_id: str | None = None) -> PrivacyEvent:
        """Return the event for grading."""
        return PrivacyEvent(
            kind=self.kind,
            case_id=self.case or case_id,
            identifier=self.identifier,
            reason=self.reason,
            message=self.message,
            answer=self.answer,
            detail=self.detail,
        )


class ChartIn(_In):
    """What the coder did with one chart."""

    case: Annotated[str, Field(pattern=SLUG_PATTERN)]
    """The case id in the pack."""
    seed: int | None = None
    """The seed the chart was rendered with (default: the file's seed or --seed)."""
    action: Literal["code", "query", "pend", "flag"] = "code"
    """The decision: code, query, pend or flag."""
    reason: str | None = Field(default=None, max_length=300)
    """Why the chart was pended or flagged."""
    diagnoses: list[DiagnosisIn] = Field(default_factory=list, max_length=60)
    """Diagnoses in order, the principal or first-listed first."""
    procedures: list[ProcedureIn] = Field(default_factory=list, max_length=60)
    """Procedures."""
    query: QueryIn | None = None
    """The query written, for a query decision."""
    flags: list[FlagIn] = Field(default_factory=list, max_length=10)
    """Problems flagged."""
    timings: TimingsIn | None = None
    """Time on the chart."""
    events: list[EventIn] = Field(default_factory=list, max_length=200)
    """Privacy events on this chart."""

    def submission(self) -> Submission:
        """Return the chart's submission for grading."""
        timings = self.timings
        return Submission(
            diagnoses=tuple(SubmittedLine(d.code, "icd10cm", d.poa) for d in self.diagnoses),
            procedures=tuple(
                SubmittedLine(p.code, p.code_system, None, tuple(p.modifiers), p.units)
                for p in self.procedures
            ),
            action=self.action,
            reason=self.reason,
            query=None
            if self.query is None
            else WrittenQuery(self.query.text, tuple(self.query.options), self.query.answer),
            flags=tuple(SubmittedFlag(f.kind, f.document) for f in self.flags),
            timings=None
            if timings is None
            else Timings(
                timings.open_seconds,
                timings.idle_seconds,
                timings.pended_seconds,
                timings.locked_seconds,
            ),
            events=tuple(e.event(self.case) for e in self.events),
        )


class SubmissionIn(_In):
    """The whole file: the charts a coder worked, and the shift's events."""

    format: Literal["codedesk-submission/1"] = "codedesk-submission/1"
    """The format name and version."""
    pack: str | None = Field(default=None, max_length=64)
    """The pack id the charts come from (checked when given)."""
    seed: int | None = None
    """The seed of the session (each chart may give its own)."""
    shift_date: date | None = None
    """The shift date the charts were rendered for (YYYY-MM-DD; only dates shown depend on it)."""
    trainee: str | None = Field(default=None, max_length=64)
    """A trainee id, never a name."""
    charts: list[ChartIn] = Field(min_length=1, max_length=2_000)
    """The charts, in the order they were worked."""
    events: list[EventIn] = Field(default_factory=list, max_length=1_000)
    """Privacy events outside any chart (inbox answers, unassigned charts opened)."""


@dataclass(frozen=True)
class ChartEntry:
    """One chart of a submission file, ready to grade."""

    case_id: str
    seed: int
    submission: Submission


@dataclass(frozen=True)
class SubmissionFile:
    """A submission file read and checked against the pack."""

    file: str
    pack: str | None
    shift_date: date | None
    trainee: str | None
    charts: tuple[ChartEntry, ...]
    events: tuple[PrivacyEvent, ...]


def _problems(located: Located, exc: ValidationError) -> list[Problem]:
    """Turn pydantic's errors into located problems in plain words."""
    found = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        kind = err["type"]
        name = ".".join(str(p) for p in loc) or "(top)"
        if kind == "extra_forbidden":
            found.append(located.problem(loc, f"unknown field {loc[-1]!r} here", key=True))
            continue
        if kind == "missing":
            found.append(located.problem(loc[:-1], f"missing required field {loc[-1]!r}"))
            continue
        message = str(err["msg"]).removeprefix("Value error, ")
        if kind == "literal_error":
            message = f"must be one of {err.get('ctx', {}).get('expected', '')}"
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            message = "expected an object of fields {...} here"
        elif kind == "list_type":
            message = "expected a list [...] here"
        elif kind == "greater_than_equal":
            message = f"must be at least {err.get('ctx', {}).get('ge')}"
        elif kind == "less_than_equal":
            message = f"must be at most {err.get('ctx', {}).get('le')}"
        elif kind in ("int_parsing", "int_type", "int_from_float"):
            message = "must be a whole number"
        elif kind in ("float_parsing", "float_type"):
            message = "must be a number"
        elif kind == "string_type":
            message = 'must be text in double quotes, e.g. "E11.65"'
        elif kind == "too_short":
            message = "must not be empty"
        elif kind == "string_pattern_mismatch":
            message = "a case id is lower-case letters, digits, '-', '_' or '.'"
        value = err.get("input")
        shown = ""
        if (
            isinstance(value, (str, int, float))
            and not isinstance(value, bool)
            and repr(value) not in message
        ):
            shown = f" (got {value!r})"[:80]
        found.append(located.problem(loc, f"{name}: {message}{shown}"))
    return found


def parse_submission(
    text: str, file: str
) -> tuple[SubmissionIn | None, Located | None, list[Problem]]:
    """Parse and model-check a submission's text (JSON, or YAML for a .yaml/.yml name)."""
    if file.lower().endswith((".yaml", ".yml")):
        located, problems = parse_yaml(text, file)
    else:
        located, problems = parse_json(text, file)
    if located is None or problems:
        return None, None if problems else located, problems
    if not isinstance(located.data, dict):
        return None, located, [located.problem((), "expected an object of fields {...} at the top")]
    try:
        return SubmissionIn.model_validate(located.data), located, []
    except ValidationError as exc:
        return None, located, _problems(located, exc)


def _whole(value: object) -> int | None:
    """Return value when it is a whole number (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check_against_pack(
    located: Located, cases: Mapping[str, Case], seed: int | None, pack_id: str | None
) -> tuple[list[Problem], list[tuple[str, int]]]:
    """Check the raw file against the pack: case ids, seeds, repeats, flagged documents.

    Works on the parsed data, so these problems are reported even when the file has model
    errors too. Returns the problems and, per chart, its (case id, seed) when both are known.
    """
    problems: list[Problem] = []
    data = located.data if isinstance(located.data, dict) else {}
    named = data.get("pack")
    if pack_id is not None and isinstance(named, str) and named != pack_id:
        problems.append(
            located.problem(("pack",), f"this file is for pack {named!r}, not {pack_id!r}")
        )
    default_seed = seed if seed is not None else _whole(data.get("seed"))
    charts = data.get("charts")
    found: list[tuple[str, int]] = []
    seen: dict[tuple[str, int], int] = {}
    for i, raw in enumerate(charts if isinstance(charts, list) else []):
        if not isinstance(raw, dict) or not isinstance(raw.get("case"), str):
            continue
        case_id = raw["case"]
        case = cases.get(case_id)
        if case is None:
            names = sorted(cases)
            known = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
            problems.append(
                located.problem(
                    ("charts", i, "case"), f"no case {case_id!r} in the pack (cases: {known})"
                )
            )
            continue
        own = _whole(raw.get("seed"))
        chart_seed = own if own is not None else default_seed
        if chart_seed is None:
            problems.append(
                located.problem(
                    ("charts", i), 'no seed for this chart: give "seed" in the file or --seed N'
                )
            )
            continue
        if (case_id, chart_seed) in seen:
            problems.append(
                located.problem(
                    ("charts", i, "case"),
                    f"chart {case_id} with seed {chart_seed} is already in this file "
                    f"(chart {seen[(case_id, chart_seed)] + 1})",
                )
            )
        seen.setdefault((case_id, chart_seed), i)
        flags = raw.get("flags")
        for j, flag in enumerate(flags if isinstance(flags, list) else []):
            document = _whole(flag.get("document")) if isinstance(flag, dict) else None
            if document is not None and document > len(case.documents):
                problems.append(
                    located.problem(
                        ("charts", i, "flags", j, "document"),
                        f"document {document}: this chart has {len(case.documents)} "
                        "document(s), counted from 1",
                    )
                )
        found.append((case_id, chart_seed))
    return problems, found


def read_submission(
    path: Path, cases: Mapping[str, Case], *, seed: int | None = None, pack_id: str | None = None
) -> tuple[SubmissionFile | None, list[Problem]]:
    """Read a submission file and check it against the pack's cases; every problem located.

    seed (from --seed) replaces the file's top-level seed; a chart's own seed still wins.
    """
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(file, 1, 1, f"cannot read the file: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(file, line, col, "not UTF-8 text: save the file as UTF-8")]
    model, located, problems = parse_submission(text, file)
    if located is None:
        return None, problems
    more, keys = _check_against_pack(located, cases, seed, pack_id)
    problems = sorted({*problems, *more})
    if model is None or problems:
        return None, problems
    entries = tuple(
        ChartEntry(case_id, chart_seed, chart.submission())
        for (case_id, chart_seed), chart in zip(keys, model.charts, strict=True)
    )
    return (
        SubmissionFile(
            file=file,
            pack=model.pack,
            shift_date=model.shift_date,
            trainee=model.trainee,
            charts=entries,
            events=tuple(e.event() for e in model.events),
        ),
        [],
    )
