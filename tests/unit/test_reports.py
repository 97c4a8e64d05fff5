"""Reports carry results, never patient identifiers; stored grades come back as the same figures.

`work_session` here is the shared way the report tests fill a store with real sessions.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from simulator.codebook import Codebook
from simulator.packs import LoadedPack
from simulator.reports import session_summary, summary_lines
from simulator.reports.load import (
    Packs,
    ReportError,
    grade_from_dict,
    session_report,
    trainee_reports,
)
from simulator.scoring.report import grade_dict
from simulator.shift import FakeClock, Session
from simulator.shift.session import SessionError
from simulator.store import MemoryStore
from simulator.store.base import Store


def work_session(
    pack: LoadedPack,
    book: Codebook,
    store: Store,
    *,
    trainee: str,
    seed: int,
    start: datetime,
    charts: int = 8,
    minutes: float = 6.0,
) -> Session:
    """Work the first charts of a session the way trainees do: mostly right, some mistakes.

    Every third chart gets an extra code, every fourth loses its last diagnosis, every other
    leaves its optional lines out; charts that expect a pend, a query or a flag get that
    action. The session is ended.
    """
    clock = FakeClock(start)
    session = Session(pack, book, clock, store, seed=seed, trainee=trainee)
    for n, state in enumerate(session.charts[:charts]):
        chart = state.chart
        session.open_chart(chart.chart_id)
        clock.advance(minutes * 60 + 30 * n)
        action = chart.action.value
        if action == "code":
            diagnoses = [d for d in chart.diagnoses if not (d.optional and n % 2 == 1)]
            if n % 4 == 3 and len(diagnoses) > 1:
                diagnoses = diagnoses[:-1]
            for line in diagnoses:
                poa = f":{line.poa}" if chart.setting.value == "inpatient" and line.poa else ""
                session.add_code(chart.chart_id, "diagnoses", line.code + poa)
            if n % 3 == 2:
                session.add_code(chart.chart_id, "diagnoses", "Z79.899")
            for line in chart.procedures:
                if line.optional and n % 2 == 1:
                    continue
                units = f" x{line.units}" if line.units > 1 else ""
                typed = line.code + "".join(f"-{m}" for m in line.modifiers) + units
                try:
                    session.add_code(chart.chart_id, "procedures", typed)
                except SessionError:
                    continue
        reason = "operative report not signed" if action in ("pend", "flag") else None
        session.submit(chart.chart_id, action=action, reason=reason)
    session.end()
    return session


def test_summary_has_no_phi(session: Session) -> None:
    state = next(c for c in session.charts if c.chart.diagnoses)
    session.open_chart(state.chart.chart_id)
    session.add_code(state.chart.chart_id, "diagnoses", state.chart.diagnoses[0].code)
    session.submit(state.chart.chart_id)
    text = json.dumps(session_summary(session))
    for chart in session.charts:
        patient = chart.chart.patient
        for identifier in (
            patient.first_name,
            patient.last_name,
            patient.mrn,
            patient.account,
            patient.ssn,
            patient.dob.strftime("%m/%d/%Y"),
            patient.phone,
        ):
            assert identifier not in text
    assert session_summary(session)["charts_done"] == 1
    assert f"1/{len(session.charts)} charts done" in summary_lines(session)[0]


def test_a_stored_grade_comes_back_with_the_same_figures(
    starter: LoadedPack, book: Codebook
) -> None:
    store = MemoryStore()
    start = datetime(2026, 11, 24, 8, tzinfo=UTC)
    session = work_session(starter, book, store, trainee="T-1", seed=7, start=start, charts=10)
    graded = {c.chart.chart_id: c.grade for c in session.charts if c.grade is not None}
    stored = store.grades(session.session_id)
    assert set(stored) == set(graded)
    for chart_id, entry in stored.items():
        original = graded[chart_id]
        assert original is not None
        again = grade_from_dict(entry["grade"])
        assert grade_dict(again) == json.loads(json.dumps(grade_dict(original)))
        assert again.credited == original.credited and again.possible == original.possible
    report = session_report(store, session.session_id, Packs())
    assert report.summary.credited == sum(g.credited for g in graded.values() if g.graded_codes)
    assert report.charts_served == len(session.charts) and report.charts_submitted == 10
    assert report.pack.version == starter.pack.version  # the built-in pack's targets
    assert report.identifiers  # the charts were rendered again to know what to redact


def test_manual_credit_changes_the_totals_and_keeps_the_original(
    starter: LoadedPack, book: Codebook
) -> None:
    store = MemoryStore()
    start = datetime(2026, 11, 24, 8, tzinfo=UTC)
    session = work_session(starter, book, store, trainee="T-1", seed=7, start=start)
    report = session_report(store, session.session_id, Packs())
    chart = next(
        c for c in report.charts if any(line.counts and line.credit < 1 for line in c.grade.lines)
    )
    index = next(i for i, line in enumerate(chart.grade.lines) if line.counts and line.credit < 1)
    before = report.summary.credited
    original = chart.grade.lines[index].credit
    for credit, when in ((0.5, 1), (1.0, 2)):
        store.add_credit(
            session.session_id,
            chart.chart_id,
            index,
            credit=credit,
            original=original,
            comment="accepted on review",
            by="Trainer",
            at=start + timedelta(days=when),
        )
    again = session_report(store, session.session_id, Packs())
    changed = next(c for c in again.charts if c.chart_id == chart.chart_id)
    assert changed.grade.lines[index].credit == 1.0  # the latest credit wins
    assert changed.original.lines[index].credit == original
    assert again.summary.credited == pytest.approx(before + 1.0 - original)
    assert again.original.credited == pytest.approx(before)
    assert len(again.credits) == 2


def test_unknown_session_and_trainee_are_clear_errors(starter: LoadedPack) -> None:
    store = MemoryStore()
    with pytest.raises(ReportError, match="no session 'nope'"):
        session_report(store, "nope", Packs())
    with pytest.raises(ReportError, match="no trainee 'ghost'"):
        trainee_reports(store, "ghost", Packs())


def test_unknown_pack_uses_the_domain_defaults() -> None:
    context = Packs().get("not-a-pack")
    assert context.version is None and "DOMAIN.md defaults" in context.source
    assert context.targets["inpatient"].charts_per_hour == 3
    assert Packs().get("../../etc").version is None  # never looked up outside the packs
