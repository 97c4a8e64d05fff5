"""A coding session: the workqueue of charts, what the coder did to each, and every event.

The TUI and the CLI only call the methods here; each method changes state, appends one event
to the store (committed before it returns), and returns what the caller needs to show.
Everything a coder does (codes, pends, queries, flags, revealed identifiers, patient
look-ups, inbox answers, screen locks) is an event, so `Session.resume` rebuilds it all.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from simulator.charts.render import DATE_FORMAT, Chart, render, render_line
from simulator.charts.template import substitute
from simulator.codebook.index import Codebook
from simulator.codebook.validate import Validation, validate
from simulator.packs.loaded import LoadedPack
from simulator.packs.models import Setting
from simulator.scoring import (
    CREDITS,
    Grade,
    PrivacyEvent,
    Submission,
    SubmittedFlag,
    SubmittedLine,
    Timings,
    WrittenQuery,
)
from simulator.scoring.privacy import INBOX_WORDS, judge_events
from simulator.shift.clock import Clock
from simulator.shift.desk import (
    ANSWER_DELAY_SECONDS,
    FLAG_KINDS,
    INBOX_ANSWERS,
    MASKED_IDENTIFIERS,
    PEND_REASONS,
    DirectoryEntry,
    InboxItem,
    InboxResult,
    Pace,
    addendum,
    identifiers,
    member_id,
    physician_answer,
)
from simulator.store.base import Event, Store, StoreError

if TYPE_CHECKING:
    from simulator.scoring.summary import ShiftSummary


TYPED_LIMIT = 80
"""Characters of typed search text kept in an event (enough for any real lookup)."""


def clip(text: str) -> str:
    """Typed search text as recorded: spaces collapsed, at most TYPED_LIMIT characters."""
    return " ".join(text.split())[:TYPED_LIMIT]


class Status(StrEnum):
    """Where a chart stands in the workqueue."""

    NEW = "new"
    IN_PROGRESS = "in progress"
    PENDED = "pended"
    QUERY_SENT = "query sent"
    ANSWERED = "answered"
    DONE = "done"


WAITING = frozenset({Status.PENDED, Status.QUERY_SENT, Status.DONE})
"""Statuses the "next chart" key passes over: finished, or waiting on someone else."""

__all__ = [
    "ANSWER_DELAY_SECONDS",
    "FLAG_KINDS",
    "INBOX_ANSWERS",
    "MASKED_IDENTIFIERS",
    "PEND_REASONS",
    "ChartState",
    "CodedLine",
    "DirectoryEntry",
    "InboxItem",
    "InboxResult",
    "Pace",
    "Session",
    "SessionError",
    "Status",
    "addendum",
    "identifiers",
    "member_id",
    "parse_procedure",
    "physician_answer",
    "procedure_system",
]

OTHER_PATIENTS_SEED = 7_919
"""Added to the session seed to draw the other patients of the hospital (not in the queue)."""


class SessionError(Exception):
    """An action that the session's state does not allow, in words the coder can act on."""


@dataclass
class CodedLine:
    """A code the coder typed, with the codebook's verdict on it."""

    code: str
    system: str
    validation: Validation
    poa: str | None = None
    modifiers: tuple[str, ...] = ()
    units: int = 1

    def submitted(self) -> SubmittedLine:
        """Return the line as it goes on the claim."""
        return SubmittedLine(self.code, self.system, self.poa, self.modifiers, self.units)


@dataclass
class ChartState:
    """One chart in the queue and the coder's work on it."""

    chart: Chart
    status: Status = Status.NEW
    diagnoses: list[CodedLine] = field(default_factory=list)
    procedures: list[CodedLine] = field(default_factory=list)
    opened_at: datetime | None = None
    seconds_worked: float = 0.0
    grade: Grade | None = None
    pend_reason: str | None = None
    """Why the chart is pended, while it is."""
    query: WrittenQuery | None = None
    """The query sent to the physician (with the answer once it came back)."""
    answer_due: datetime | None = None
    """When the physician's answer arrives, while the query is outstanding."""
    flags: tuple[SubmittedFlag, ...] = ()
    """The problems flagged on the chart."""
    revealed: set[str] = field(default_factory=set)
    """Identifiers (keys of MASKED_IDENTIFIERS) the coder revealed on this chart."""
    events: list[PrivacyEvent] = field(default_factory=list)
    """Privacy events on this chart, graded with it."""
    pended_seconds: float = 0.0
    """Seconds the chart was open while pended (not counted as work)."""
    locked_seconds: float = 0.0
    """Seconds the screen was locked while the chart was open (not counted as work)."""
    idle_seconds: float = 0.0
    """Seconds without input while the chart was open (counted as work)."""

    def lines(self, part: str) -> list[CodedLine]:
        """Return the diagnoses or the procedures list."""
        return self.diagnoses if part == "diagnoses" else self.procedures

    @property
    def status_label(self) -> str:
        """The status as the workqueue shows it, e.g. 'pended: awaiting pathology'."""
        if self.status is Status.PENDED and self.pend_reason:
            return f"pended: {self.pend_reason}"
        return self.status.value

    def timings(self) -> Timings:
        """The chart's time so far, as scoring reads it."""
        return Timings(
            open_seconds=self.seconds_worked,
            idle_seconds=self.idle_seconds,
            pended_seconds=self.pended_seconds,
            locked_seconds=self.locked_seconds,
        )


def parse_procedure(raw: str) -> tuple[str, tuple[str, ...], int]:
    """Split `99213-25`, `J1100 x2` or `0DTJ4ZZ` into code, modifiers and units."""
    text = raw.strip().upper()
    units = 1
    head, _, tail = text.rpartition(" ")
    if head and re.fullmatch(r"X\d{1,4}", tail):
        text, units = head.strip(), int(tail[1:])
    parts = [p for p in text.replace(" ", "").split("-") if p]
    if not parts:
        return "", (), units
    return parts[0], tuple(parts[1:]), units


def procedure_system(code: str) -> str:
    """Tell CPT (5 characters, digits first), HCPCS (letter + 4 digits) and PCS (7) apart."""
    if len(code) == 7:
        return "icd10pcs"
    if len(code) == 5 and code[0].isalpha():
        return "hcpcs"
    return "cpt"


class Session:
    """A trainee's session over a queue of rendered charts."""

    def __init__(
        self,
        pack: LoadedPack,
        book: Codebook,
        clock: Clock,
        store: Store,
        *,
        seed: int,
        trainee: str = "trainee",
        mode: str = "practice",
        session_id: str | None = None,
        shift_date: date | None = None,
        started_at: datetime | None = None,
        record: bool = True,
        shift_hours: float = 8.0,
    ) -> None:
        """Render the queue and, for a new session (record=True), record its start."""
        self.pack = pack
        self.book = book
        self.clock = clock
        self.store = store
        self.seed = seed
        self.mode = mode
        self.trainee = trainee
        self.shift_hours = shift_hours
        """Length of the shift in hours, for the shift clock and time left."""
        self._replay_at: datetime | None = None
        self.started_at = started_at or clock.now()
        self.shift_date = shift_date or self.started_at.date()
        self.session_id = session_id or f"s-{self.started_at:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
        self.charts: list[ChartState] = []
        self.credits = pack.pack.scoring.credit_table({v.value: c for v, c in CREDITS.items()})
        for case in pack.selected(seed):
            minutes = pack.pack.target(case.setting).minutes
            self.charts.append(ChartState(render(case, seed, self.shift_date, minutes)))
        self.current: ChartState | None = None
        self.grading = mode != "assessment"
        """False in assessment mode: the keys are sealed, so submissions are kept, not graded."""
        self.events: list[PrivacyEvent] = []
        """Privacy events of the shift outside any chart: unassigned charts, inbox answers."""
        self.inbox_answers: dict[str, str] = {}
        """The coder's answer to each inbox message answered, by message id."""
        self.locked_at: datetime | None = None
        """When the screen was locked, while it is."""
        self.locked_seconds = 0.0
        """Seconds the screen has been locked this shift (not counted as work)."""
        self.ended_at: datetime | None = None
        """When the session was ended, once it is."""
        self._directory: list[DirectoryEntry] | None = None
        self.store_failure: StoreError | None = None
        """The store error that stopped this session taking work, if one did."""
        self.on_store_failure: Callable[[StoreError], None] | None = None
        """Called once when a store write fails (the TUI blocks the screen with it)."""
        if not record:
            return
        store.create_session(
            self.session_id,
            trainee=trainee,
            pack_id=pack.pack.id,
            pack_version=pack.pack.version,
            mode=mode,
            seed=seed,
            started_at=self.started_at,
        )
        store.serve_charts(
            self.session_id,
            [(c.chart.chart_id, c.chart.case_id, c.chart.seed) for c in self.charts],
        )
        self._log(
            "session_started",
            {"charts": [c.chart.chart_id for c in self.charts], "shift_hours": shift_hours},
        )

    def _now(self) -> datetime:
        """The current time: the event's own time while replaying, else the clock's."""
        return self._replay_at or self.clock.now()

    def _log(self, kind: str, payload: dict[str, Any]) -> None:
        """Commit one event for this session (nothing while replaying stored events)."""
        if self._replay_at is None:
            self._write(self.store.append, self.session_id, self.clock.now(), kind, payload)

    def _write(self, method: Callable[..., Any], *args: Any) -> None:
        """Call a store write; a store failure stops the session taking further work.

        After a failed write the screen may hold an action the store does not: the coder is told
        it was not saved, nothing more is accepted, and resuming rebuilds exactly what was saved.
        """
        if self.store_failure is not None:
            raise SessionError(
                f"not saved: the session store failed ({self.store_failure}). Quit and resume "
                "once it is fixed; everything saved before that is kept."
            )
        try:
            method(*args)
        except StoreError as exc:
            self.store_failure = exc
            if self.on_store_failure is not None:
                self.on_store_failure(exc)
            raise SessionError(
                f"not saved: {exc}. Quit and resume once it is fixed; everything saved before "
                "this is kept."
            ) from exc

    @classmethod
    def resume(
        cls, pack: LoadedPack, book: Codebook, clock: Clock, store: Store, session_id: str
    ) -> Session:
        """Rebuild a session from its stored events: the queue, the codes, the timers.

        Time between the last stored event and now is time away and is not counted as work.
        """
        info = store.session_info(session_id)
        if info is None:
            raise SessionError(f"no session {session_id!r} in the store")
        if info["pack_id"] != pack.pack.id:
            raise SessionError(
                f"session {session_id} was worked on pack {info['pack_id']!r}, not {pack.pack.id!r}"
            )
        started: datetime = info["started_at"]
        session = cls(
            pack,
            book,
            clock,
            store,
            seed=int(info["seed"]),
            trainee=str(info["trainee"]),
            mode=str(info["mode"]),
            session_id=session_id,
            shift_date=started.date(),
            started_at=started,
            record=False,
        )
        session.replay(store.events(session_id))
        return session

    def replay(self, events: list[Event]) -> None:
        """Apply stored events in order, as they happened, without recording them again."""
        last: datetime | None = None
        try:
            for event in events:
                self._replay_at = last = event.at
                self._apply(event.kind, event.payload)
        finally:
            self._replay_at = None
        if self.locked_at is not None and last is not None:
            self._add_locked((last - self.locked_at).total_seconds())
            self.locked_at = None
        if self.current is not None and self.current.opened_at is not None and last is not None:
            self._pause_current(last)
            self.current.opened_at = self.clock.now()
        self._repair()
        self._log("session_resumed", {"events": len(events)})

    def _repair(self) -> None:
        """Write what a kill between two commits left out: the charts served, stored grades."""
        if not self.store.served(self.session_id):
            self._write(
                self.store.serve_charts,
                self.session_id,
                [(c.chart.chart_id, c.chart.case_id, c.chart.seed) for c in self.charts],
            )
        stored = self.store.grades(self.session_id)
        for state in self.charts:
            if state.grade is not None and state.chart.chart_id not in stored:
                self._keep_grade(state)

    def _apply(self, kind: str, p: dict[str, Any]) -> None:
        """Apply one stored event."""
        if kind == "session_started":
            self.shift_hours = float(p.get("shift_hours", self.shift_hours))
        elif kind == "chart_opened":
            self.open_chart(p["chart"])
        elif kind == "chart_closed":
            self.close_chart()
        elif kind == "code_added":
            self.add_code(p["chart"], p["part"], p["raw"])
        elif kind == "code_removed":
            self.remove_code(p["chart"], p["part"], p["index"])
        elif kind == "code_moved":
            self.move_code(p["chart"], p["part"], p["from"], p["to"] - p["from"])
        elif kind == "poa_set":
            self.set_poa(p["chart"], p["index"], p["poa"])
        elif kind == "chart_submitted":
            flags = tuple(SubmittedFlag(f["kind"], f.get("document")) for f in p.get("flags", []))
            self.submit(p["chart"], p.get("action", "code"), p.get("reason"), flags=flags)
        elif kind == "chart_pended":
            self.pend(p["chart"], p["reason"])
        elif kind == "pend_released":
            self.release_pend(p["chart"])
        elif kind == "query_sent":
            self.send_query(p["chart"], p["text"], p.get("options", []))
        elif kind == "query_answered":
            self.receive_answer(p["chart"])
        elif kind == "identifier_revealed":
            self.reveal(p["chart"], p["identifier"], p.get("reason", ""))
        elif kind == "unassigned_chart_opened":
            self.open_unassigned(p["chart"])
        elif kind == "inbox_answered":
            self.answer_inbox(p["message"], p["answer"])
        elif kind == "screen_locked":
            self.lock(float(p.get("idle_seconds", 0.0)))
        elif kind == "screen_unlocked":
            self.unlock(self.trainee)
        elif kind == "session_ended":
            self.end()

    def state(self, chart_id: str) -> ChartState:
        """Return a chart's state by id."""
        for state in self.charts:
            if state.chart.chart_id == chart_id:
                return state
        raise SessionError(f"no chart {chart_id!r} in this queue")

    def queued(self, chart_id: str) -> bool:
        """True when the chart is in this session's queue."""
        return any(state.chart.chart_id == chart_id for state in self.charts)

    def next_chart(self) -> ChartState | None:
        """Return the highest-priority workable chart (oldest discharge first on ties).

        Done charts are passed over, and so are charts waiting on someone else: pended ones
        and those whose query has not been answered yet.
        """
        waiting = [c for c in self.charts if c.status not in WAITING]
        if not waiting:
            return None
        return min(
            waiting, key=lambda c: (c.chart.encounter.priority, c.chart.encounter.service_date)
        )

    def open_chart(self, chart_id: str) -> ChartState:
        """Open a chart for coding; its work timer starts (a pended chart stays pended)."""
        state = self.state(chart_id)
        if state.status is Status.DONE:
            raise SessionError("this chart is already submitted")
        if state.status is Status.QUERY_SENT and self.mode == "assessment":
            raise SessionError(
                "in an assessment the physician's answer is sealed: your query is this chart's "
                "decision"
            )
        if state.status is Status.QUERY_SENT:
            raise SessionError(
                "this chart waits for the physician's answer to your query; it comes back to "
                "the queue as 'answered'"
            )
        self._pause_current()
        if state.status is not Status.PENDED:
            state.status = Status.IN_PROGRESS
        state.opened_at = self._now()
        self.current = state
        self._log("chart_opened", {"chart": chart_id})
        return state

    def close_chart(self) -> None:
        """Leave the open chart (back to the queue); its timer pauses."""
        if self.current is not None:
            self._log("chart_closed", {"chart": self.current.chart.chart_id})
        self._pause_current()
        self.current = None

    def _pause_current(self, at: datetime | None = None) -> None:
        """Stop the open chart's timer, adding the time since it started (pended time apart)."""
        state = self.current
        if state is not None and state.opened_at is not None:
            seconds = ((at or self._now()) - state.opened_at).total_seconds()
            state.seconds_worked += seconds
            if state.status is Status.PENDED:
                state.pended_seconds += seconds
            state.opened_at = None

    def worked_seconds(self, state: ChartState) -> float:
        """Seconds worked on a chart so far, the running visit included."""
        running = 0.0
        if state.opened_at is not None and self.locked_at is None:
            running = (self._now() - state.opened_at).total_seconds()
        elif state.opened_at is not None and self.locked_at is not None:
            running = (self.locked_at - state.opened_at).total_seconds()
        return state.seconds_worked + max(running, 0.0) - state.locked_seconds

    def add_code(self, chart_id: str, part: str, raw: str) -> CodedLine:
        """Check a typed code against the codebook and add it to the chart's list."""
        state = self._editable(chart_id)
        if part == "diagnoses":
            text, _, poa = raw.partition(":")
            validation = validate(self.book, text, "icd10cm", self.pack.pack.code_year)
            poa_value = poa.strip().upper() or None
            if poa_value is not None and poa_value not in ("Y", "N", "U", "W", "1"):
                raise SessionError(f"POA must be Y, N, U, W or 1 (exempt), not {poa_value!r}")
            line = CodedLine(validation.code, "icd10cm", validation, poa=poa_value)
        else:
            code, modifiers, units = parse_procedure(raw)
            system = procedure_system(code)
            validation = validate(self.book, code, system, self.pack.pack.code_year)
            line = CodedLine(validation.code, system, validation, modifiers=modifiers, units=units)
        if not line.code:
            raise SessionError("type a code first")
        if any(existing.code == line.code for existing in state.lines(part)):
            raise SessionError(f"{line.code} is already on this chart")
        state.lines(part).append(line)
        self._log(
            "code_added",
            {
                "chart": chart_id,
                "part": part,
                "raw": raw,
                "code": line.code,
                "verdict": validation.verdict.value,
            },
        )
        return line

    def remove_code(self, chart_id: str, part: str, index: int) -> CodedLine:
        """Remove a line from the chart's list."""
        lines = self._editable(chart_id).lines(part)
        if not 0 <= index < len(lines):
            raise SessionError("no such line")
        line = lines.pop(index)
        self._log(
            "code_removed", {"chart": chart_id, "part": part, "index": index, "code": line.code}
        )
        return line

    def move_code(self, chart_id: str, part: str, index: int, delta: int) -> int:
        """Move a line up (delta -1) or down (+1); return its new index."""
        lines = self._editable(chart_id).lines(part)
        target = index + delta
        if not (0 <= index < len(lines) and 0 <= target < len(lines)):
            return index
        lines[index], lines[target] = lines[target], lines[index]
        self._log("code_moved", {"chart": chart_id, "part": part, "from": index, "to": target})
        return target

    def set_poa(self, chart_id: str, index: int, poa: str | None) -> None:
        """Set the POA indicator of a diagnosis line."""
        lines = self._editable(chart_id).diagnoses
        if not 0 <= index < len(lines):
            raise SessionError("no such line")
        lines[index].poa = poa
        self._log("poa_set", {"chart": chart_id, "index": index, "poa": poa})

    def _grade(self, state: ChartState, submission: Submission) -> Grade | None:
        """Grade a submission (not in assessment mode) and keep the de-identified grade."""
        if not self.grading:
            return None
        from simulator.scoring.grader import grade  # the grader loads on the first submit

        result = grade(
            state.chart,
            submission,
            self.book,
            self.credits,
            case=self.pack.case(state.chart.case_id),
            fiscal_year=self.pack.pack.code_year,
        )
        return result

    def _keep_grade(self, state: ChartState) -> None:
        """Store a chart's de-identified grade, after the event that produced it is committed.

        A kill between the two leaves the event without its stored grade; resume repairs that.
        """
        if state.grade is None or self._replay_at is not None:
            return
        from simulator.scoring.report import grade_dict

        self._write(
            self.store.record_grade,
            self.session_id,
            state.chart.chart_id,
            state.chart.case_id,
            self.clock.now(),
            grade_dict(state.grade),
        )

    def _submission(
        self,
        state: ChartState,
        action: str,
        reason: str | None,
        flags: tuple[SubmittedFlag, ...] = (),
    ) -> Submission:
        """Build what scoring reads from the chart's state."""
        return Submission(
            diagnoses=tuple(line.submitted() for line in state.diagnoses),
            procedures=tuple(line.submitted() for line in state.procedures),
            action=action,
            reason=reason,
            query=state.query,
            flags=flags,
            timings=state.timings(),
            events=tuple(state.events),
        )

    def _leave(self, state: ChartState) -> None:
        """Close a chart that a decision takes out of the coder's hands."""
        if self.current is state:
            self._pause_current()
            self.current = None

    def submit(
        self,
        chart_id: str,
        action: str = "code",
        reason: str | None = None,
        *,
        flags: tuple[SubmittedFlag, ...] = (),
    ) -> Grade | None:
        """Submit the chart, grade it (not in assessment mode: None) and close it.

        A chart whose query was answered is submitted as the query decision it was, with its
        codes graded against the key of the physician's answer.
        """
        state = self._editable(chart_id)
        if state.status is Status.PENDED and action == "code":
            raise SessionError(
                f"this chart is pended ({state.pend_reason}): release the pend (Ctrl+K) once "
                "the reason has cleared, then submit"
            )
        if action == "code" and not state.diagnoses:
            raise SessionError("add at least one diagnosis before submitting")
        invalid = [
            line.code for line in state.diagnoses + state.procedures if not line.validation.ok
        ]
        if invalid and action == "code":
            raise SessionError(
                f"fix or remove the invalid code(s) first: {', '.join(invalid)} (red edits are hard stops)"
            )
        self._leave(state)
        graded_action = "query" if action == "code" and state.query is not None else action
        state.flags = flags
        result = self._grade(state, self._submission(state, graded_action, reason, flags))
        state.status = Status.DONE
        state.pend_reason = None
        state.grade = result
        self._log(
            "chart_submitted",
            {
                "chart": chart_id,
                "action": action,
                "reason": reason,
                "flags": [{"kind": f.kind, "document": f.document} for f in flags],
                "diagnoses": [[line.code, line.poa] for line in state.diagnoses],
                "procedures": [
                    [line.code, list(line.modifiers), line.units] for line in state.procedures
                ],
                "seconds": round(state.seconds_worked, 3),
            },
        )
        self._keep_grade(state)
        return result

    def flag(self, chart_id: str, kind: str, document: int | None) -> Grade | None:
        """Flag a problem (kind of FLAG_KINDS) in a document (counting from 1) and submit."""
        if kind not in FLAG_KINDS:
            raise SessionError(f"flag one of: {', '.join(FLAG_KINDS)}")
        state = self.state(chart_id)
        if document is not None and not 1 <= document <= len(state.chart.documents):
            raise SessionError(f"the chart has documents 1 to {len(state.chart.documents)}")
        return self.submit(
            chart_id, "flag", FLAG_KINDS[kind], flags=(SubmittedFlag(kind, document),)
        )

    def pend(self, chart_id: str, reason: str) -> Grade | None:
        """Pend the chart with a reason: it stays in the queue, pended, until released.

        The pend decision is graded now (a later submission replaces the grade).
        """
        state = self._editable(chart_id)
        reason = " ".join(reason.split())
        if not reason:
            raise SessionError("give the pending reason")
        self._leave(state)
        state.grade = self._grade(state, self._submission(state, "pend", reason))
        state.status = Status.PENDED
        state.pend_reason = reason
        self._log("chart_pended", {"chart": chart_id, "reason": reason})
        self._keep_grade(state)
        return state.grade

    def release_pend(self, chart_id: str) -> None:
        """The pending reason has cleared: the chart can be coded and submitted again."""
        state = self.state(chart_id)
        if state.status is not Status.PENDED:
            raise SessionError("this chart is not pended")
        if self.current is state:
            self._pause_current()
            state.opened_at = self._now()
        state.status = Status.IN_PROGRESS if self.current is state else Status.NEW
        state.pend_reason = None
        self._log("pend_released", {"chart": chart_id})

    def send_query(
        self, chart_id: str, text: str, options: list[str] | tuple[str, ...] = ()
    ) -> Grade | None:
        """Send a physician query; the chart waits for the answer ('query sent').

        The query is graded now (decision and the query rubric); the answer comes back after
        ANSWER_DELAY_SECONDS for the mode, and the chart is then coded from it.
        """
        state = self._editable(chart_id)
        if state.query is not None:
            raise SessionError("a query was already sent on this chart")
        if not text.strip():
            raise SessionError("write the question to the physician")
        cleaned = tuple(" ".join(o.split()) for o in options if o.strip())
        self._leave(state)
        state.query = WrittenQuery(text.strip(), cleaned)
        state.grade = self._grade(state, self._submission(state, "query", None))
        state.status = Status.QUERY_SENT
        state.pend_reason = None
        state.answer_due = self._now() + timedelta(
            seconds=ANSWER_DELAY_SECONDS.get(self.mode, 30.0)
        )
        self._log("query_sent", {"chart": chart_id, "text": text.strip(), "options": cleaned})
        self._keep_grade(state)
        return state.grade

    def due_answers(self) -> list[str]:
        """Return the charts whose physician answer has arrived by now.

        None in an assessment: the answers are sealed with the keys, so a query ends its chart
        (the screener's report grades the query itself).
        """
        if self.mode == "assessment":
            return []
        now = self._now()
        return [
            c.chart.chart_id
            for c in self.charts
            if c.status is Status.QUERY_SENT and c.answer_due is not None and c.answer_due <= now
        ]

    def receive_answer(self, chart_id: str) -> str:
        """The physician answered: the addendum joins the chart, whose key becomes the answer's.

        Returns the answer. The chart comes back to the queue as 'answered'.
        """
        state = self.state(chart_id)
        if state.status is not Status.QUERY_SENT or state.query is None:
            raise SessionError("no query is waiting for an answer on this chart")
        chart = state.chart
        case = self.pack.case(chart.case_id)
        day = self._now().date()
        values = {**chart.values, "document.date": day.strftime(DATE_FORMAT)}
        written = state.query
        if case.query is None:
            answer_text = "Documentation stands as written"
            response = "The record already documents the diagnoses; no change to the documentation."
            diagnoses, procedures = chart.diagnoses, chart.procedures
        else:
            answer = physician_answer(case.query, written, values, self.book)
            answer_text = substitute(answer.answer, values)
            response = substitute(answer.physician_response_text, values)
            diagnoses = tuple(render_line(line, chart.variant) for line in answer.key.diagnoses)
            procedures = tuple(render_line(line, chart.variant) for line in answer.key.procedures)
        state.chart = replace(
            chart,
            documents=(*chart.documents, addendum(chart, written, answer_text, response, day)),
            diagnoses=diagnoses,
            procedures=procedures,
        )
        state.query = replace(written, answer=answer_text)
        state.status = Status.ANSWERED
        state.answer_due = None
        self._log("query_answered", {"chart": chart_id, "answer": answer_text})
        return answer_text

    def reveal(self, chart_id: str, identifier: str, reason: str) -> str:
        """Reveal a masked identifier of a chart, with the coder's reason; return its value."""
        if identifier not in MASKED_IDENTIFIERS:
            raise SessionError(f"no masked identifier {identifier!r}")
        state = self.state(chart_id)
        reason = " ".join(reason.split())
        state.revealed.add(identifier)
        state.events.append(
            PrivacyEvent(
                "identifier_revealed",
                case_id=state.chart.case_id,
                identifier=MASKED_IDENTIFIERS[identifier],
                reason=reason or None,
            )
        )
        self._log(
            "identifier_revealed", {"chart": chart_id, "identifier": identifier, "reason": reason}
        )
        return identifiers(state.chart)[identifier]

    def note_lookup(self, chart_id: str, query: str, results: int, picked: str | None) -> None:
        """Record a codebook lookup made on a chart: what was typed and the code taken from it.

        The workqueue records one per lookup that was used or left (not one per keystroke), so
        the assessment replay shows what a candidate searched for. Charts opened from the
        patient search (not in the queue) are recorded once, as that privacy event, not here.
        """
        if not self.queued(chart_id):
            return
        self._log(
            "code_looked_up",
            {"chart": chart_id, "query": clip(query), "results": results, "picked": picked},
        )

    def note_browse(self, chart_id: str, picked: str | None) -> None:
        """Record a use of the tabular browser on a chart and the code taken from it, if any."""
        if not self.queued(chart_id):
            return
        self._log("tabular_browsed", {"chart": chart_id, "picked": picked})

    def note_find(self, chart_id: str, text: str, hits: int) -> None:
        """Record a find-in-chart search (the words looked for and how often they were found)."""
        if not self.queued(chart_id):
            return
        self._log("chart_searched", {"chart": chart_id, "text": clip(text), "hits": hits})

    def note_document(self, chart_id: str, document: int) -> None:
        """Record that a document of the chart (counting from 1) was shown in the viewer."""
        if not self.queued(chart_id):
            return
        state = self.state(chart_id)
        if not 1 <= document <= len(state.chart.documents):
            raise SessionError(f"the chart has documents 1 to {len(state.chart.documents)}")
        self._log("document_viewed", {"chart": chart_id, "document": document})

    def directory(self) -> list[DirectoryEntry]:
        """Every encounter the hospital's patient search can find: the queue and many others."""
        if self._directory is None:
            entries = [DirectoryEntry(c.chart, True) for c in self.charts]
            other_seed = self.seed + OTHER_PATIENTS_SEED
            for case in self.pack.cases:
                minutes = self.pack.pack.target(case.setting).minutes
                chart = render(case, other_seed, self.shift_date, minutes)
                entries.append(DirectoryEntry(chart, False))
            self._directory = entries
        return self._directory

    def find_patients(self, text: str, limit: int = 50) -> list[DirectoryEntry]:
        """Search the hospital's patients by name, MRN, account or date of birth."""
        needle = " ".join(text.lower().split())
        if len(needle) < 2:
            return []
        found = []
        for entry in self.directory():
            patient = entry.chart.patient
            haystack = " ".join(
                [patient.name, patient.mrn, patient.account, patient.dob.strftime(DATE_FORMAT)]
            ).lower()
            if needle in haystack:
                found.append(entry)
        self._log("patient_searched", {"results": len(found)})
        return found[:limit]

    def open_unassigned(self, chart_id: str) -> Chart:
        """Open a chart that is not in this coder's queue: recorded as a privacy event."""
        entry = next((e for e in self.directory() if e.chart.chart_id == chart_id), None)
        if entry is None:
            raise SessionError(f"no chart {chart_id!r} in the patient index")
        if entry.assigned:
            raise SessionError("this chart is in your queue: open it from the queue")
        self.events.append(
            PrivacyEvent(
                "unassigned_chart_opened",
                case_id=entry.chart.case_id,
                detail="found with the patient search; not in the coder's queue",
            )
        )
        self._log("unassigned_chart_opened", {"chart": chart_id, "case": entry.chart.case_id})
        return entry.chart

    def inbox(self) -> list[InboxItem]:
        """The pack's inbox messages, placeholders filled in with the patient they are about."""
        items = []
        for message in self.pack.inbox:
            values: dict[str, str] = {}
            if message.case is not None:
                values = self._case_values(message.case)
            day = self.shift_date + timedelta(days=message.day)
            values = {**values, "document.date": day.strftime(DATE_FORMAT)}
            items.append(
                InboxItem(
                    message=message,
                    sender=substitute(message.sender, values),
                    subject=substitute(message.subject or "", values),
                    text=substitute(message.text, values),
                    answer=self.inbox_answers.get(message.id),
                )
            )
        return items

    def _case_values(self, case_id: str) -> dict[str, str]:
        """The placeholder values of the chart a case renders to in this session."""
        for state in self.charts:
            if state.chart.case_id == case_id:
                return state.chart.values
        try:
            case = self.pack.case(case_id)
        except KeyError:
            return {}
        return render(case, self.seed, self.shift_date).values

    def answer_inbox(self, message_id: str, answer: str) -> InboxResult:
        """Answer an inbox message (comply, refuse, route_roi, verify_identity)."""
        message = next((m for m in self.pack.inbox if m.id == message_id), None)
        if message is None:
            raise SessionError(f"no inbox message {message_id!r}")
        if answer not in INBOX_ANSWERS:
            raise SessionError(f"answer one of: {', '.join(INBOX_ANSWERS)}")
        if message_id in self.inbox_answers:
            raise SessionError("this message is already answered")
        event = PrivacyEvent(
            "inbox_answer",
            case_id=message.case,
            message=message_id,
            answer=answer,
            detail=INBOX_WORDS[answer],
        )
        self.inbox_answers[message_id] = answer
        self.events.append(event)
        self._log("inbox_answered", {"message": message_id, "answer": answer})
        return self.inbox_result(message_id)

    def inbox_result(self, message_id: str) -> InboxResult:
        """The verdict on an answered inbox message."""
        message = next(m for m in self.pack.inbox if m.id == message_id)
        answer = self.inbox_answers[message_id]
        event = PrivacyEvent(
            "inbox_answer", case_id=message.case, message=message_id, answer=answer
        )
        return InboxResult(
            message_id=message_id,
            answer=answer,
            expected=message.expected,
            rationale=" ".join(message.rationale.split()),
            findings=tuple(judge_events([event], inbox=[message])),
            also_accepted=tuple(message.also_accepted),
        )

    def lock(self, idle_seconds: float = 0.0) -> None:
        """Lock the screen after idle_seconds without input; the chart's timer stops counting."""
        if self.locked_at is not None:
            return
        self.locked_at = self._now()
        if self.current is not None:
            self.current.idle_seconds += idle_seconds
        self._log("screen_locked", {"idle_seconds": idle_seconds})

    def unlock(self, trainee_id: str) -> bool:
        """Unlock the screen when the trainee's ID is typed; False (still locked) otherwise."""
        if self.locked_at is None:
            return True
        if trainee_id.strip() != self.trainee:
            return False
        seconds = (self._now() - self.locked_at).total_seconds()
        self.locked_at = None
        self._add_locked(seconds)
        self._log("screen_unlocked", {"seconds": round(seconds, 3)})
        return True

    def _add_locked(self, seconds: float) -> None:
        """Take locked time out of the shift's work and out of the open chart's."""
        self.locked_seconds += seconds
        if self.current is not None and self.current.opened_at is not None:
            self.current.locked_seconds += seconds

    def end(self) -> None:
        """Close the session: the shift is over or the assessment is handed in."""
        if self.ended_at is not None:
            return
        if self.current is not None:
            self.close_chart()
        self.ended_at = self._now()
        self._log("session_ended", {"done": self.done_count(), "charts": len(self.charts)})
        if self._replay_at is None:
            self._write(self.store.end_session, self.session_id, self.clock.now())

    def _editable(self, chart_id: str) -> ChartState:
        state = self.state(chart_id)
        if state.status is Status.DONE:
            raise SessionError("this chart is already submitted and cannot be changed")
        if state.status is Status.QUERY_SENT:
            raise SessionError("this chart waits for the physician's answer")
        return state

    def elapsed_seconds(self) -> float:
        """Seconds since the session started."""
        end = self.ended_at or self.clock.now()
        return (end - self.started_at).total_seconds()

    def seconds_left(self) -> float:
        """Seconds left in the shift (negative once it has run over)."""
        return self.shift_hours * 3600 - self.elapsed_seconds()

    def shift_over(self) -> bool:
        """True when the shift's hours are up."""
        return self.seconds_left() <= 0

    def done_count(self) -> int:
        """How many charts are submitted."""
        return sum(1 for c in self.charts if c.status is Status.DONE)

    def all_done(self) -> bool:
        """True when no chart is left to work (done, or waiting on someone else)."""
        return self.next_chart() is None and not any(
            c.status is Status.QUERY_SENT for c in self.charts
        )

    def accuracy(self) -> float | None:
        """Code-over-code accuracy over all graded charts (credits over possible)."""
        graded = [c.grade for c in self.charts if c.grade is not None]
        possible = sum(g.possible for g in graded)
        return sum(g.credited for g in graded) / possible if possible else None

    def pace(self) -> Pace:
        """Charts and workload units per hour so far, against the pack's targets.

        The targets blend the pack's figures over the charts done (over the whole queue
        before the first chart is done).
        """
        done = [c for c in self.charts if c.status is Status.DONE]
        mix = done or self.charts
        targets = [self.pack.pack.target(Setting(c.chart.setting)) for c in mix]
        hours_needed = sum(1 / t.charts_per_hour for t in targets)
        units_mix = sum(t.workload_units for t in targets)
        locked = self.locked_seconds
        if self.locked_at is not None:
            locked += (self.clock.now() - self.locked_at).total_seconds()
        hours = max(self.elapsed_seconds() - locked, 0.0) / 3600
        units = sum(self.pack.pack.target(Setting(c.chart.setting)).workload_units for c in done)
        return Pace(
            charts=len(done),
            hours=hours,
            units=units,
            target_charts_per_hour=len(mix) / hours_needed if hours_needed else 0.0,
            target_units_per_hour=units_mix / hours_needed if hours_needed else 0.0,
        )

    def shift_events(self) -> list[PrivacyEvent]:
        """Privacy events to judge at shift level: outside any chart, or on ungraded charts."""
        loose = [e for c in self.charts if c.grade is None for e in c.events]
        return [*self.events, *loose]

    def summary(self) -> ShiftSummary | None:
        """The end-of-shift summary over the graded charts (None in assessment mode)."""
        if not self.grading:
            return None
        from simulator.scoring.summary import summarize

        pack = self.pack.pack
        return summarize(
            [c.grade for c in self.charts if c.grade is not None],
            targets={s.value: pack.target(s) for s in Setting},
            accuracy_goal=pack.scoring.accuracy_goal,
            productivity_goal=pack.scoring.productivity_goal,
            events=self.shift_events(),
            inbox=self.pack.inbox,
        )
