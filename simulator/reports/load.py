"""Read what a report needs from the store: sessions, grades with manual credits, pack targets.

A stored grade is `scoring.report.grade_dict` data; it is turned back into a `Grade` so every
figure of a report comes from the same scoring code as `codedesk grade` (`summarize`). Manual
credits are applied on top: the latest credit per line replaces that line's credit, and the
original grade is kept beside the adjusted one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulator import paths
from simulator.packs import LoadedPack
from simulator.packs.models import DEFAULT_TARGETS, InboxMessage, Setting, Target
from simulator.reports.deid import chart_identifiers
from simulator.scoring.model import (
    EVENT_KINDS,
    DecisionResult,
    DrgResult,
    Grade,
    GradedLine,
    LineVerdict,
    PrivacyEvent,
    PrivacyFinding,
    PrivacyKind,
    QueryQuality,
    RubricCheck,
    Severity,
    TimeResult,
)
from simulator.scoring.summary import ShiftSummary, summarize
from simulator.store.base import ManualCredit, Store

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
"""A pack id as pack.yaml allows it; anything else is never looked up on disk."""


class ReportError(Exception):
    """Something a report cannot be made from, said in one line the user can act on."""


@dataclass(frozen=True)
class PackContext:
    """The pack a session was worked on, as far as it can be found: targets, goals, inbox."""

    pack_id: str
    version: str | None
    """The version of the pack found; None when it was not found and the defaults apply."""
    targets: Mapping[str, Target]
    accuracy_goal: float = 0.95
    productivity_goal: float = 0.95
    inbox: tuple[InboxMessage, ...] = ()
    loaded: LoadedPack | None = field(default=None, repr=False)

    @property
    def source(self) -> str:
        """Where the targets come from, in words."""
        if self.version is None:
            return f"DOMAIN.md defaults (pack {self.pack_id} not found)"
        return f"pack {self.pack_id} {self.version}"


def default_targets() -> dict[str, Target]:
    """Return DOMAIN.md's default targets by setting name."""
    return {setting.value: target for setting, target in DEFAULT_TARGETS.items()}


class Packs:
    """Finds the pack of a session: one of the packs given, else a built-in pack of that id."""

    def __init__(self, given: Iterable[LoadedPack] = ()) -> None:
        """Use the given packs first (the app's loaded pack, or `--pack PATH`)."""
        self._found: dict[str, PackContext] = {}
        for loaded in given:
            self._found[loaded.pack.id] = self._context(loaded)

    @staticmethod
    def _context(loaded: LoadedPack) -> PackContext:
        """Describe a loaded pack."""
        pack = loaded.pack
        return PackContext(
            pack_id=pack.id,
            version=pack.version,
            targets={setting.value: pack.target(setting) for setting in Setting},
            accuracy_goal=pack.scoring.accuracy_goal,
            productivity_goal=pack.scoring.productivity_goal,
            inbox=tuple(loaded.inbox),
            loaded=loaded,
        )

    def get(self, pack_id: str) -> PackContext:
        """Return the pack of that id, or the DOMAIN.md defaults when it cannot be found."""
        found = self._found.get(pack_id)
        if found is not None:
            return found
        context = PackContext(pack_id=pack_id, version=None, targets=default_targets())
        folder = paths.builtin_pack(pack_id) if _SLUG.match(pack_id) else None
        if folder is not None and (folder / "pack.yaml").is_file():
            from simulator.packs.errors import PackError
            from simulator.packs.loader import load_pack

            try:
                loaded = load_pack(folder)
            except (PackError, OSError):
                loaded = None
            if loaded is not None and loaded.pack.id == pack_id:
                context = self._context(loaded)
        self._found[pack_id] = context
        return context


def load_pack_arg(path: Path) -> LoadedPack:
    """Load the pack named by `--pack PATH`, or raise ReportError with its first problem."""
    from simulator.packs.errors import PackError
    from simulator.packs.loader import load_pack

    if not path.exists():
        raise ReportError(f"{path}: no such pack folder or file")
    try:
        return load_pack(path)
    except PackError as exc:
        first = exc.problems[0] if exc.problems else "unreadable"
        raise ReportError(f"{path}: not a valid pack ({first})") from None


def grade_from_dict(data: Mapping[str, Any]) -> Grade:
    """Turn stored grade data (scoring.report.grade_dict) back into a Grade."""
    try:
        return _grade(data)
    except (KeyError, TypeError, ValueError) as exc:
        chart = data.get("chart", "?") if isinstance(data, Mapping) else "?"
        raise ReportError(f"the stored grade of chart {chart} cannot be read ({exc})") from None


def _grade(data: Mapping[str, Any]) -> Grade:
    """Build the Grade; any missing or malformed field raises."""
    lines = tuple(
        GradedLine(
            part=str(line["part"]),
            verdict=LineVerdict(line["verdict"]),
            expected=line.get("expected"),
            submitted=line.get("submitted"),
            credit=float(line["credit"]),
            counts=bool(line["counts"]),
            explanation=str(line.get("explanation") or ""),
            rationale=str(line.get("rationale") or ""),
            evidence=str(line.get("evidence") or ""),
            poa_expected=line.get("poa_expected"),
            poa_submitted=line.get("poa_submitted"),
            note=str(line.get("codebook_note") or ""),
            guideline=str(line.get("guideline") or ""),
            detail=str(line.get("detail") or ""),
        )
        for line in data.get("lines", [])
    )
    coc = data.get("code_over_code") or {}
    graded_codes = coc.get("accuracy") is not None
    decision_data = data.get("decision") or {}
    decision = DecisionResult(
        expected=str(decision_data.get("expected", "code")),
        submitted=str(decision_data.get("submitted", "code")),
        correct=bool(decision_data.get("correct", True)),
        explanation=str(decision_data.get("explanation") or ""),
    )
    query_data = data.get("query")
    query = (
        None
        if query_data is None
        else QueryQuality(
            checks=tuple(
                RubricCheck(str(c["name"]), bool(c["passed"]), str(c.get("detail") or ""))
                for c in query_data.get("checks", [])
            ),
            needed=bool(query_data.get("needed")),
        )
    )
    drg_data = data.get("drg")
    drg = (
        None
        if drg_data is None
        else DrgResult(
            version=int(drg_data["version"]),
            expected_drg=int(drg_data["expected"]),
            expected_title=str(drg_data.get("expected_title") or ""),
            expected_severity=str(drg_data.get("expected_severity") or ""),
            submitted_drg=None if drg_data.get("submitted") is None else int(drg_data["submitted"]),
            submitted_title=str(drg_data.get("submitted_title") or ""),
            submitted_severity=drg_data.get("submitted_severity"),
            explanation=str(drg_data.get("explanation") or ""),
        )
    )
    time_data = data.get("time")
    time = (
        None
        if time_data is None
        else TimeResult(
            counted_seconds=float(time_data["counted_minutes"]) * 60,
            excluded_seconds=float(time_data.get("excluded_minutes") or 0) * 60,
            idle_seconds=0.0,
            standard_minutes=float(time_data["standard_minutes"]),
        )
    )
    privacy = tuple(
        PrivacyFinding(
            kind=PrivacyKind(f["kind"]),
            severity=Severity(f["severity"]),
            message=str(f.get("message") or ""),
            rule=str(f.get("rule") or ""),
            case_id=f.get("case"),
        )
        for f in (data.get("privacy") or {}).get("findings", [])
    )
    poa = data.get("poa") or {}
    poa_right, poa_checked = int(poa.get("right", 0)), int(poa.get("checked", 0))
    grade = Grade(
        chart_id=str(data["chart"]),
        case_id=str(data["case"]),
        lines=lines,
        code_over_code=1.0,
        record_correct=bool(data.get("record_correct")),
        principal_correct=data.get("principal_correct"),
        poa_accuracy=poa_right / poa_checked if poa_checked else None,
        decision_expected=decision.expected,
        decision_submitted=decision.submitted,
        notes=tuple(str(n) for n in data.get("notes", [])),
        setting=str(data.get("setting") or ""),
        topics=tuple(str(t) for t in data.get("topics", [])),
        decision=decision,
        query=query,
        drg=drg,
        privacy=privacy,
        time=time,
        poa_right=poa_right,
        poa_checked=poa_checked,
        graded_codes=graded_codes,
    )
    return _rescored(grade, lines)


def _rescored(grade: Grade, lines: tuple[GradedLine, ...]) -> Grade:
    """Return the grade with these lines and its code-over-code figure worked out from them."""
    counted = [line for line in lines if line.counts]
    accuracy = sum(line.credit for line in counted) / len(counted) if counted else 1.0
    return replace(grade, lines=lines, code_over_code=accuracy)


def latest_credits(credits: Iterable[ManualCredit]) -> dict[tuple[str, int], ManualCredit]:
    """Return the credit in force per (chart, line): the latest one given."""
    latest: dict[tuple[str, int], ManualCredit] = {}
    for credit in sorted(credits, key=lambda c: (c.at, c.id)):
        latest[(credit.chart_id, credit.line)] = credit
    return latest


def with_credits(grade: Grade, manual: Mapping[int, ManualCredit]) -> Grade:
    """Return the grade with each line's manual credit (by line index) in place of its own."""
    if not manual:
        return grade
    lines = tuple(
        replace(line, credit=manual[i].credit) if i in manual else line
        for i, line in enumerate(grade.lines)
    )
    return _rescored(grade, lines)


@dataclass(frozen=True)
class ChartResult:
    """One graded chart of a session: as graded, and with the manual credits applied."""

    chart_id: str
    case_id: str
    graded_at: datetime | None
    original: Grade
    grade: Grade
    manual: Mapping[int, ManualCredit]
    """The manual credit in force per line index."""


@dataclass(frozen=True)
class SessionReport:
    """Everything a report says about one session; nothing in it is a patient identifier
    except `identifiers`, which is kept only to redact text and is never written out."""

    session_id: str
    trainee: str
    cohort: str | None
    pack_id: str
    pack_version: str
    mode: str
    seed: int
    started_at: datetime
    ended_at: datetime | None
    charts_served: int | None
    charts_submitted: int
    charts: tuple[ChartResult, ...]
    credits: tuple[ManualCredit, ...]
    """Every manual credit given on the session, in order (replaced ones too)."""
    events: tuple[PrivacyEvent, ...]
    """Privacy events logged outside any grade."""
    summary: ShiftSummary
    """Every lens, productivity and privacy with the manual credits applied."""
    original: ShiftSummary
    """The same before any manual credit."""
    pack: PackContext
    identifiers: frozenset[str] = field(default=frozenset(), repr=False)

    @property
    def grades(self) -> list[Grade]:
        """The session's grades with manual credits applied."""
        return [chart.grade for chart in self.charts]


def _privacy_event(payload: Mapping[str, Any], kind: str, cases: Mapping[str, str]) -> PrivacyEvent:
    """Turn a logged privacy event into the scoring model's event."""

    def text(name: str) -> str | None:
        """Return a payload field as text, or None."""
        value = payload.get(name)
        return None if value is None else str(value)

    case = text("case") or text("case_id") or cases.get(text("chart") or "")
    return PrivacyEvent(
        kind=kind,
        case_id=case,
        identifier=text("identifier"),
        reason=text("reason"),
        message=text("message"),
        answer=text("answer"),
        detail=text("detail") or "",
    )


def _utc(value: Any) -> datetime | None:
    """Return a stored time as an aware datetime (SQLite keeps no zone: it is UTC)."""
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _served(store: Store, session_id: str) -> list[tuple[str, str, int]] | None:
    """Return the charts the session was given, when the store keeps them."""
    served = getattr(store, "served", None)
    if not callable(served):
        return None
    return [(str(c), str(k), int(s)) for c, k, s in served(session_id)]


def _seed_of(chart_id: str, fallback: int) -> int:
    """Return the seed a chart id carries (`case#seed`)."""
    _, _, tail = chart_id.rpartition("#")
    return int(tail) if tail.isdigit() else fallback


def _identifiers(
    pack: PackContext, charts: Iterable[tuple[str, int]], started_at: datetime
) -> frozenset[str]:
    """Render the session's charts again and collect their patients' identifiers."""
    loaded = pack.loaded
    if loaded is None:
        return frozenset()
    from simulator.charts.render import render

    cases = {case.id: case for case in loaded.cases}
    found: set[str] = set()
    for case_id, seed in set(charts):
        case = cases.get(case_id)
        if case is None:
            continue
        minutes = loaded.pack.target(case.setting).minutes
        found |= chart_identifiers(render(case, seed, started_at.date(), minutes))
    return frozenset(found)


def session_report(
    store: Store,
    session_id: str,
    packs: Packs,
    cohorts: Mapping[str, str | None] | None = None,
    *,
    identify: bool = True,
) -> SessionReport:
    """Read one session from the store; raise ReportError when there is no such session.

    identify=False skips rendering the charts again for their identifiers (figures only).
    """
    info = store.session_info(session_id)
    if info is None:
        raise ReportError(f"no session {session_id!r} in the store")
    trainee = str(info["trainee"])
    if cohorts is None:
        cohorts = {row["trainee"]: row["cohort"] for row in store.trainees()}
    pack = packs.get(str(info["pack_id"]))
    seed = int(info["seed"])
    started = _utc(info["started_at"]) or datetime.now(UTC)
    ended = _utc(info.get("ended_at"))
    served = _served(store, session_id)
    order = {chart: i for i, (chart, _, _) in enumerate(served or [])}
    cases = {chart: case for chart, case, _ in served or []}
    stored = store.grades(session_id)
    credits = tuple(store.credits(session_id))
    latest = latest_credits(credits)
    charts = []
    for chart_id, entry in stored.items():
        original = grade_from_dict(entry["grade"])
        manual = {line: c for (chart, line), c in latest.items() if chart == chart_id}
        manual = {line: c for line, c in manual.items() if 0 <= line < len(original.lines)}
        charts.append(
            ChartResult(
                chart_id=chart_id,
                case_id=str(entry.get("case_id") or original.case_id),
                graded_at=_utc(entry.get("at")),
                original=original,
                grade=with_credits(original, manual),
                manual=manual,
            )
        )
        cases.setdefault(chart_id, original.case_id)
    charts.sort(key=lambda c: (order.get(c.chart_id, len(order)), c.graded_at or started))
    events = store.events(session_id)
    submitted = {str(e.payload.get("chart")) for e in events if e.kind == "chart_submitted"} | set(
        stored
    )
    privacy = tuple(
        _privacy_event(e.payload, e.kind, cases) for e in events if e.kind in EVENT_KINDS
    )
    rendered = [(case, seed_) for _, case, seed_ in served or []]
    rendered += [(c.case_id, _seed_of(c.chart_id, seed)) for c in charts]

    def summary(grades: Sequence[Grade]) -> ShiftSummary:
        """Summarize grades against the pack's targets and goals."""
        return summarize(
            grades,
            targets=pack.targets,
            accuracy_goal=pack.accuracy_goal,
            productivity_goal=pack.productivity_goal,
            events=privacy,
            inbox=pack.inbox,
        )

    return SessionReport(
        session_id=session_id,
        trainee=trainee,
        cohort=cohorts.get(trainee),
        pack_id=str(info["pack_id"]),
        pack_version=str(info["pack_version"]),
        mode=str(info["mode"]),
        seed=seed,
        started_at=started,
        ended_at=ended,
        charts_served=None if served is None else len(served),
        charts_submitted=len(submitted),
        charts=tuple(charts),
        credits=credits,
        events=privacy,
        summary=summary([c.grade for c in charts]),
        original=summary([c.original for c in charts]),
        pack=pack,
        identifiers=_identifiers(pack, rendered, started) if identify else frozenset(),
    )


def trainee_reports(
    store: Store, trainee: str, packs: Packs, *, identify: bool = True
) -> list[SessionReport]:
    """Read every session of a trainee, oldest first; ReportError for an unknown trainee."""
    rows = store.sessions(trainee=trainee)
    cohorts = {row["trainee"]: row["cohort"] for row in store.trainees()}
    if not rows and trainee not in cohorts:
        raise ReportError(f"no trainee {trainee!r} in the store")
    return [
        session_report(store, str(row["id"]), packs, cohorts, identify=identify) for row in rows
    ]


def cohort_reports(store: Store, cohort: str, packs: Packs) -> dict[str, list[SessionReport]]:
    """Read every session of every trainee of a cohort; ReportError for an unknown cohort."""
    members = [str(row["trainee"]) for row in store.trainees(cohort=cohort)]
    if not members:
        raise ReportError(
            f"no cohort {cohort!r} in the store (add trainees with codedesk cohort add)"
        )
    cohorts = {name: cohort for name in members}
    found: dict[str, list[SessionReport]] = {name: [] for name in members}
    for row in store.sessions(cohort=cohort):
        found[str(row["trainee"])].append(session_report(store, str(row["id"]), packs, cohorts))
    return found
