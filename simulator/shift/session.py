"""A coding session: the workqueue of charts, what the coder did to each, and every event.

The TUI and the CLI only call the methods here; each method changes state, appends one event
to the store (committed before it returns), and returns what the caller needs to show.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from simulator.charts.render import Chart, render
from simulator.codebook.index import Codebook
from simulator.codebook.validate import Validation, validate
from simulator.packs.loaded import LoadedPack
from simulator.scoring.model import CREDITS, Grade, Submission, SubmittedLine, Timings
from simulator.shift.clock import Clock
from simulator.store.base import Event, Store


class Status(StrEnum):
    """Where a chart stands in the workqueue."""

    NEW = "new"
    IN_PROGRESS = "in progress"
    DONE = "done"


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

    def lines(self, part: str) -> list[CodedLine]:
        """Return the diagnoses or the procedures list."""
        return self.diagnoses if part == "diagnoses" else self.procedures


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
    ) -> None:
        """Render the queue and, for a new session (record=True), record its start."""
        self.pack = pack
        self.book = book
        self.clock = clock
        self.store = store
        self.seed = seed
        self.mode = mode
        self.trainee = trainee
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
        self._log("session_started", {"charts": [c.chart.chart_id for c in self.charts]})

    def _now(self) -> datetime:
        """The current time: the event's own time while replaying, else the clock's."""
        return self._replay_at or self.clock.now()

    def _log(self, kind: str, payload: dict[str, Any]) -> None:
        """Commit one event for this session (nothing while replaying stored events)."""
        if self._replay_at is None:
            self.store.append(self.session_id, self.clock.now(), kind, payload)

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
        if self.current is not None and self.current.opened_at is not None and last is not None:
            self.current.seconds_worked += (last - self.current.opened_at).total_seconds()
            self.current.opened_at = self.clock.now()
        self._log("session_resumed", {"events": len(events)})

    def _apply(self, kind: str, p: dict[str, Any]) -> None:
        """Apply one stored event."""
        if kind == "chart_opened":
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
            self.submit(p["chart"], p.get("action", "code"), p.get("reason"))

    def state(self, chart_id: str) -> ChartState:
        """Return a chart's state by id."""
        for state in self.charts:
            if state.chart.chart_id == chart_id:
                return state
        raise SessionError(f"no chart {chart_id!r} in this queue")

    def next_chart(self) -> ChartState | None:
        """Return the highest-priority chart not yet done (oldest discharge first on ties)."""
        waiting = [c for c in self.charts if c.status is not Status.DONE]
        if not waiting:
            return None
        return min(
            waiting, key=lambda c: (c.chart.encounter.priority, c.chart.encounter.service_date)
        )

    def open_chart(self, chart_id: str) -> ChartState:
        """Open a chart for coding; its work timer starts."""
        state = self.state(chart_id)
        if state.status is Status.DONE:
            raise SessionError("this chart is already submitted")
        self._pause_current()
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

    def _pause_current(self) -> None:
        state = self.current
        if state is not None and state.opened_at is not None:
            state.seconds_worked += (self._now() - state.opened_at).total_seconds()
            state.opened_at = None

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

    def submit(
        self, chart_id: str, action: str = "code", reason: str | None = None
    ) -> Grade | None:
        """Submit the chart, grade it (not in assessment mode: None) and close it."""
        state = self._editable(chart_id)
        if action == "code" and not state.diagnoses:
            raise SessionError("add at least one diagnosis before submitting")
        invalid = [
            line.code for line in state.diagnoses + state.procedures if not line.validation.ok
        ]
        if invalid and action == "code":
            raise SessionError(
                f"fix or remove the invalid code(s) first: {', '.join(invalid)} (red edits are hard stops)"
            )
        if self.current is state:
            self._pause_current()
            self.current = None
        submission = Submission(
            diagnoses=tuple(line.submitted() for line in state.diagnoses),
            procedures=tuple(line.submitted() for line in state.procedures),
            action=action,
            reason=reason,
            timings=Timings(open_seconds=state.seconds_worked),
        )
        result = None
        if self.grading:
            from simulator.scoring.grader import grade

            result = grade(
                state.chart,
                submission,
                self.book,
                self.credits,
                fiscal_year=self.pack.pack.code_year,
            )
        state.status = Status.DONE
        state.grade = result
        self._log(
            "chart_submitted",
            {
                "chart": chart_id,
                "action": action,
                "reason": reason,
                "diagnoses": [[line.code, line.poa] for line in state.diagnoses],
                "procedures": [
                    [line.code, list(line.modifiers), line.units] for line in state.procedures
                ],
                "seconds": round(state.seconds_worked, 3),
            },
        )
        if result is not None and self._replay_at is None:
            from simulator.scoring.report import grade_dict

            self.store.record_grade(
                self.session_id, chart_id, state.chart.case_id, self.clock.now(), grade_dict(result)
            )
        return result

    def end(self) -> None:
        """Close the session: the shift is over or the assessment is handed in."""
        if self.current is not None:
            self.close_chart()
        self._log("session_ended", {"done": self.done_count(), "charts": len(self.charts)})
        self.store.end_session(self.session_id, self.clock.now())

    def _editable(self, chart_id: str) -> ChartState:
        state = self.state(chart_id)
        if state.status is Status.DONE:
            raise SessionError("this chart is already submitted and cannot be changed")
        return state

    def elapsed_seconds(self) -> float:
        """Seconds since the session started."""
        return (self.clock.now() - self.started_at).total_seconds()

    def done_count(self) -> int:
        """How many charts are submitted."""
        return sum(1 for c in self.charts if c.status is Status.DONE)

    def accuracy(self) -> float | None:
        """Code-over-code accuracy over all graded charts (credits over possible)."""
        graded = [c.grade for c in self.charts if c.grade is not None]
        possible = sum(g.possible for g in graded)
        return sum(g.credited for g in graded) / possible if possible else None
