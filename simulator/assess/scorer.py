"""Score result files: decrypt, check, replay each sitting into a graded session, report.

Each result is replayed into a practice-mode Session over the full pack (its drawn cases under
their public ids, so the charts render exactly as the candidate saw them): the session grades
every submission as practice mode would. Charts handed in unfinished are graded as they stood;
charts never touched count as not done (every key line missing, the decision wrong).

A query case's physician answer is sealed, so no answer comes during a sitting: the query is
that chart's decision. Should a result hold an answer anyway (a result written before answers
were withheld), the chart still ends at the query: the answer and anything done on the chart
after it are shown in the timeline, not graded.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.assess import handin
from simulator.assess.draw import draw
from simulator.assess.errors import TamperedError
from simulator.assess.result import ResultLog, open_result, read_envelope
from simulator.assess.sealed import KeyMaterial, SealedAssessment, scoring_pack
from simulator.assess.timeline import TimelineEntry, timelines
from simulator.packs.models import AssessmentRules, Setting

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from simulator.codebook.index import Codebook
    from simulator.packs.loaded import LoadedPack
    from simulator.scoring.model import Grade
    from simulator.scoring.summary import ShiftSummary
    from simulator.shift.session import ChartState, Session
    from simulator.store.base import Event

HESITATION_SECONDS = 60.0
"""Default: a gap longer than this between two actions on an open chart is a hesitation."""
LATE_GRACE_SECONDS = 90.0
"""Actions this long after the time limit are reported (the time box stops work at zero)."""
FINISHED = {handin.SUBMITTED, handin.SUBMITTED_AT_HAND_IN, handin.PENDED, handin.QUERIED}
"""Outcomes that count as a finished chart for productivity."""
AUTOMATIC = {"session_started", "session_resumed", handin.HANDED_IN, "session_ended"}
"""Events the app records by itself, not the candidate's actions."""


@dataclass(frozen=True)
class ChartReport:
    """One drawn chart of a candidate: the grade and the replay timeline."""

    public_id: str
    chart_id: str
    case_id: str
    title: str
    setting: str
    difficulty: int
    outcome: str
    grade: Grade
    seconds_worked: float
    standard_minutes: float
    timeline: tuple[TimelineEntry, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MarkResult:
    """One pass mark: the candidate's figure, the mark, and whether it was reached."""

    name: str
    label: str
    value: float | None
    mark: float
    passed: bool


@dataclass(frozen=True)
class CandidateReport:
    """Everything the screener needs about one candidate's sitting."""

    file: str
    candidate: str
    seed: int
    session_id: str
    started_at: datetime
    handed_in_at: datetime | None
    hand_in_reason: str | None
    minutes_used: float
    time_limit_minutes: float
    charts: tuple[ChartReport, ...]
    summary: ShiftSummary
    earned_minutes: float
    """Time-standard minutes of the charts finished."""
    productivity: float | None
    """Earned minutes over the minutes used (screen-locked time taken out)."""
    marks: tuple[MarkResult, ...]
    passed: bool
    warnings: tuple[str, ...]
    session_timeline: tuple[TimelineEntry, ...]
    events: int

    @property
    def done(self) -> int:
        """Charts finished (submitted, pended or queried)."""
        return sum(1 for chart in self.charts if chart.outcome in FINISHED)


@dataclass(frozen=True)
class RejectedFile:
    """A result file that was not scored, and why."""

    file: str
    status: str
    """tampered (its contents do not check out) or rejected (not a result for this assessment)."""
    reason: str
    candidate: str | None = None


@dataclass(frozen=True)
class ScreenerReport:
    """The screener's report over every result file of one assessment."""

    assessment: dict[str, Any]
    pass_marks: dict[str, Any]
    hesitation_seconds: float
    generated_at: datetime
    candidates: tuple[CandidateReport, ...]
    rejected: tuple[RejectedFile, ...] = field(default=())


def _sealed_answers(
    events: Sequence[Event], query_charts: set[str]
) -> tuple[list[Event], set[str]]:
    """Leave out each query case's physician answer and what followed it on that chart.

    Opening such a chart again left the chart open before it; a close stands in for the
    open, so that chart's timer stops where it stopped in the sitting.
    """
    from dataclasses import replace

    cut: set[str] = set()
    kept: list[Event] = []
    for event in events:
        chart = event.payload.get("chart")
        if chart in query_charts and (event.kind == "query_answered" or chart in cut):
            cut.add(str(chart))
            if event.kind == "chart_opened":
                kept.append(replace(event, kind="chart_closed", payload={}))
            continue
        kept.append(event)
    return kept, cut


def _draft_grade(session: Session, state: ChartState, credits: dict[str, float]) -> Grade:
    """Grade a chart that was never submitted, as it stood when the sitting ended."""
    from simulator.scoring import Submission, grade

    action = "query" if state.query is not None else "code"
    submission = Submission(
        diagnoses=tuple(line.submitted() for line in state.diagnoses),
        procedures=tuple(line.submitted() for line in state.procedures),
        action=action,
        query=state.query,
        events=tuple(state.events),
    )
    return grade(
        state.chart,
        submission,
        session.book,
        credits,
        case=session.pack.case(state.chart.case_id),
        fiscal_year=session.pack.pack.code_year,
    )


def _not_done(result: Grade) -> Grade:
    """Mark a chart handed in untouched: no decision was taken, so the decision is wrong too."""
    from dataclasses import replace

    from simulator.scoring.model import DecisionResult

    decision = DecisionResult(
        result.decision_expected, "none", False, "not done: the chart was handed in untouched"
    )
    return replace(result, decision=decision, decision_submitted="none", record_correct=False)


def _outcome(state: ChartState, recorded: dict[str, str]) -> str:
    """What became of a chart: the hand-in's record, else its state after the replay."""
    found = recorded.get(state.chart.chart_id)
    if found:
        return found
    status = state.status.value
    if status == "done":
        return handin.SUBMITTED
    if status == "pended":
        return handin.PENDED
    if status == "query sent" or (state.query is not None and not state.diagnoses):
        return handin.QUERIED
    if state.diagnoses or state.procedures:
        return handin.NOT_SUBMITTABLE
    return handin.NOT_DONE


def _warnings(
    log: ResultLog, start: datetime, limit_minutes: float, handed: Event | None
) -> list[str]:
    """Things the screener should know that do not stop the scoring."""
    found: list[str] = []
    events = log.events
    for before, after in itertools.pairwise(events):
        if after.at < before.at - timedelta(seconds=1):
            back = (before.at - after.at).total_seconds()
            found.append(
                f"the computer's clock went back {back:.0f} s at event {after.seq} "
                "(the time box may have been fooled)"
            )
    deadline = start + timedelta(minutes=limit_minutes, seconds=LATE_GRACE_SECONDS)
    cutoff = handed.at - timedelta(seconds=5) if handed is not None else None
    late = [
        e
        for e in events
        if e.at > deadline and e.kind not in AUTOMATIC and (cutoff is None or e.at < cutoff)
    ]
    if late:
        found.append(
            f"{len(late)} action(s) after the time limit (from event {late[0].seq}): the time "
            "box stops work at zero, so the computer's clock was probably changed"
        )
    if handed is None:
        found.append("the sitting has no hand-in: it was ended or written without one")
    resumed = sum(1 for e in events if e.kind == "session_resumed")
    if resumed:
        found.append(f"the app was restarted {resumed} time(s) during the sitting")
    return found


def _marks(
    rules: AssessmentRules, pack_goal: float, summary: ShiftSummary, productivity: float | None
) -> list[MarkResult]:
    """Judge the candidate against each of the pack's pass marks."""
    marks = rules.pass_marks
    figures: list[tuple[str, str, float | None, float | None]] = [
        (
            "code_over_code",
            "code-over-code accuracy",
            summary.accuracy if summary.accuracy is not None else 0.0,
            marks.code_over_code if marks.code_over_code is not None else pack_goal,
        ),
        ("record", "record accuracy", summary.record_rate, marks.record),
        ("principal", "principal/first-listed", summary.principal_rate, marks.principal),
        ("decision", "decision accuracy", summary.decision_rate, marks.decision),
        ("productivity", "productivity", productivity, marks.productivity),
    ]
    results = [
        MarkResult(name, label, value, mark, value is not None and value >= mark - 1e-9)
        for name, label, value, mark in figures
        if mark is not None
    ]
    if marks.privacy:
        results.append(
            MarkResult(
                "privacy",
                "privacy",
                1.0 if summary.privacy_passed else 0.0,
                1.0,
                summary.privacy_passed,
            )
        )
    return results


def score_log(
    log: ResultLog,
    file: str,
    sealed: SealedAssessment,
    key: KeyMaterial,
    full: LoadedPack,
    book: Codebook,
    hesitation: float = HESITATION_SECONDS,
) -> CandidateReport:
    """Replay one checked result into a graded session and report on it; TamperedError if the
    events do not belong to this assessment's draw or cannot be replayed."""
    from simulator.scoring import CREDITS, summarize
    from simulator.shift.clock import FakeClock
    from simulator.shift.session import Session, SessionError
    from simulator.store.base import MemoryStore

    info = log.session
    try:
        seed = int(info["seed"])
        drawn = [str(c) for c in info["drawn"]]
        start = datetime.fromisoformat(str(info["started_at"]))
        session_id = str(info["session"])
    except (KeyError, TypeError, ValueError) as exc:
        raise TamperedError(f"the session record is malformed: {exc}") from None
    if sorted(drawn) != sorted(draw(sealed.plan, sealed.salt, seed)):
        raise TamperedError(f"the charts in the result are not the draw of seed {seed}")
    if (info.get("pack") or {}).get("id") != sealed.public_pack_id:
        raise TamperedError("the session was not worked on this assessment's pack")
    pack = scoring_pack(full, sealed, key, drawn)
    query_charts = {f"{c.id}#{seed}" for c in pack.cases if c.query is not None}
    replayed, cut = _sealed_answers(log.events, query_charts)
    store = MemoryStore()
    store.create_session(
        session_id,
        trainee=str(info.get("candidate", "")),
        pack_id=pack.pack.id,
        pack_version=pack.pack.version,
        mode="practice",
        seed=seed,
        started_at=start,
    )
    for event in replayed:
        store.append(session_id, event.at, event.kind, event.payload)
    last = log.events[-1].at if log.events else start
    try:
        session = Session.resume(pack, book, FakeClock(last), store, session_id)
    except (SessionError, KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise TamperedError(f"the events do not replay on the drawn charts: {exc}") from None
    started = next((e for e in log.events if e.kind == "session_started"), None)
    if started is not None and sorted(started.payload.get("charts", [])) != sorted(
        c.chart.chart_id for c in session.charts
    ):
        raise TamperedError("the charts the sitting started with are not the drawn charts")
    handed = next((e for e in log.events if e.kind == handin.HANDED_IN), None)
    recorded = dict(handed.payload.get("charts", {})) if handed is not None else {}
    ended = handed or next((e for e in log.events if e.kind == "session_ended"), None)
    end_at = ended.at if ended is not None else last
    reason = None
    if handed is not None:
        reason = str(handed.payload.get("reason", ""))
    elif ended is not None:
        reason = "session ended"
    from simulator.reports.deid import Redactor, chart_identifiers

    known = {value for c in session.charts for value in chart_identifiers(c.chart)}
    per_chart, sitting = timelines(log.events, start, hesitation, Redactor(known).typed)
    credits = pack.pack.scoring.credit_table({v.value: c for v, c in CREDITS.items()})
    charts: list[ChartReport] = []
    for state in session.charts:
        chart = state.chart
        real = key.real_ids[chart.case_id]
        case = full.case(real)
        outcome = _outcome(state, recorded)
        notes: list[str] = []
        result = state.grade
        if chart.chart_id in cut:
            notes.append(
                "the physician's answer is sealed in an assessment: the chart is graded on the "
                "query; what followed the answer is in the timeline only"
            )
            outcome = handin.QUERIED
        if result is None or outcome in (handin.NOT_SUBMITTABLE, handin.NOT_DONE):
            result = _draft_grade(session, state, credits)
            if outcome == handin.NOT_DONE:
                result = _not_done(result)
            if outcome == handin.NOT_SUBMITTABLE:
                error = (handed.payload.get("errors", {}) if handed else {}).get(chart.chart_id)
                notes.append(f"handed in unfinished{': ' + error if error else ''}")
        charts.append(
            ChartReport(
                public_id=chart.case_id,
                chart_id=chart.chart_id,
                case_id=real,
                title=case.title,
                setting=chart.setting.value,
                difficulty=chart.difficulty,
                outcome=outcome,
                grade=result,
                seconds_worked=state.seconds_worked,
                standard_minutes=chart.time_standard_minutes,
                timeline=tuple(per_chart.get(chart.chart_id, [])),
                notes=tuple(notes),
            )
        )
    rules = full.pack.assessment or AssessmentRules()
    scoring = full.pack.scoring
    summary = summarize(
        [c.grade for c in charts],
        targets={s.value: full.pack.target(s) for s in Setting},
        accuracy_goal=scoring.accuracy_goal,
        productivity_goal=scoring.productivity_goal,
        events=list(session.events),
        inbox=full.inbox,
    )
    used = max((end_at - start).total_seconds() - session.locked_seconds, 0.0) / 60
    earned = sum(c.standard_minutes for c in charts if c.outcome in FINISHED)
    productivity = earned / used if used > 0 else None
    marks = _marks(rules, scoring.accuracy_goal, summary, productivity)
    return CandidateReport(
        file=file,
        candidate=str(info.get("candidate", "")),
        seed=seed,
        session_id=session_id,
        started_at=start,
        handed_in_at=ended.at if ended is not None else None,
        hand_in_reason=reason,
        minutes_used=(end_at - start).total_seconds() / 60,
        time_limit_minutes=sealed.time_limit_minutes,
        charts=tuple(charts),
        summary=summary,
        earned_minutes=earned,
        productivity=productivity,
        marks=tuple(marks),
        passed=all(m.passed for m in marks),
        warnings=tuple(_warnings(log, start, sealed.time_limit_minutes, handed)),
        session_timeline=tuple(sitting),
        events=len(log.events),
    )


def score_results(
    paths: Sequence[Path],
    sealed: SealedAssessment,
    private: X25519PrivateKey,
    key: KeyMaterial,
    full: LoadedPack,
    book: Codebook,
    *,
    hesitation: float = HESITATION_SECONDS,
    now: datetime,
) -> ScreenerReport:
    """Score every result file; a tampered or foreign file is reported and the rest still score."""
    candidates: list[CandidateReport] = []
    rejected: list[RejectedFile] = []
    sessions: dict[str, str] = {}
    for path in paths:
        name = str(path)
        header: dict[str, Any] = {}
        try:
            header = read_envelope(path)["header"]
            if header.get("assessment") != sealed.id:
                rejected.append(
                    RejectedFile(
                        name,
                        "rejected",
                        f"a result of another assessment ({header.get('assessment')}), not of "
                        f"{sealed.path.name} ({sealed.id})",
                        str(header.get("candidate", "")) or None,
                    )
                )
                continue
            log = open_result(path, private)
        except TamperedError as exc:
            who = header.get("candidate")
            rejected.append(RejectedFile(name, "tampered", exc.reason, str(who) if who else None))
            continue
        candidate = str(log.header.get("candidate", ""))
        session_id = str(log.header.get("session", ""))
        if session_id in sessions:
            rejected.append(
                RejectedFile(
                    name, "rejected", f"the same sitting as {sessions[session_id]}", candidate
                )
            )
            continue
        try:
            report = score_log(log, name, sealed, key, full, book, hesitation)
        except TamperedError as exc:
            rejected.append(RejectedFile(name, "tampered", exc.reason, candidate))
            continue
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            reason = f"the events cannot be read ({type(exc).__name__}: {exc})"
            rejected.append(RejectedFile(name, "tampered", reason, candidate))
            continue
        sessions[session_id] = name
        candidates.append(report)
    seen: dict[str, int] = {}
    for report in candidates:
        seen[report.candidate] = seen.get(report.candidate, 0) + 1
    final = [
        report
        if seen[report.candidate] == 1
        else _with_warning(report, "this candidate has more than one sitting in the report")
        for report in candidates
    ]
    rules = full.pack.assessment or AssessmentRules()
    marks = rules.pass_marks.model_dump(mode="json")
    if marks.get("code_over_code") is None:
        marks["code_over_code"] = full.pack.scoring.accuracy_goal
    return ScreenerReport(
        assessment={
            "id": sealed.id,
            "file": sealed.path.name,
            "created_at": sealed.created_at,
            "pack": full.pack.id,
            "pack_version": full.pack.version,
            "title": full.pack.title,
            "code_year": full.pack.code_year,
            "time_limit_minutes": sealed.time_limit_minutes,
            "charts": sealed.charts,
            "strata": [
                {"name": s.name, "count": s.count, "cases": len(s.cases)}
                for s in sealed.plan.strata
            ],
            "difficulty_total": sealed.plan.target,
        },
        pass_marks=marks,
        hesitation_seconds=hesitation,
        generated_at=now,
        candidates=tuple(sorted(final, key=lambda r: (r.candidate, r.started_at))),
        rejected=tuple(rejected),
    )


def _with_warning(report: CandidateReport, warning: str) -> CandidateReport:
    """Return the report with one more warning."""
    from dataclasses import replace

    return replace(report, warnings=(*report.warnings, warning))
