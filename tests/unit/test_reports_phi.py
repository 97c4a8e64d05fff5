"""No report carries a patient identifier (HIPAA Safe Harbor), in any format, for any subject.

Sessions over the starter pack (several charts, several seeds, two trainees in a cohort) are
stored in a SQLite file; then identifiers are planted where a careless pipeline would leak
them (a query quoting the record, privacy events with free-text detail, a trainer comment);
then every format is exported for the session, the trainee and the cohort, and the bytes are
scanned for every identifier of every rendered chart of those sessions.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from simulator.charts.render import Chart
from simulator.cli import main
from simulator.codebook import Codebook
from simulator.packs import LoadedPack
from simulator.reports.export import FORMATS, RENDERERS, make_report
from simulator.reports.load import Packs
from simulator.scoring import CREDITS, Submission, WrittenQuery, grade
from simulator.scoring.report import grade_dict
from simulator.shift import Session
from simulator.store.sql import SqlStore
from tests.unit.test_reports import work_session

SEEDS = {"T-0042": (7, 19), "T-0077": (23,)}
"""Trainees and the seeds of their sessions."""


def date_forms(day: date) -> list[str]:
    """A date as charts print it, in ISO, unpadded and with the month's name."""
    return [
        day.strftime("%m/%d/%Y"),
        day.isoformat(),
        f"{day.month}/{day.day}/{day.year}",
        day.strftime("%Y%m%d"),
        f"{day:%B} {day.day}, {day.year}",
        f"{day:%b} {day.day}, {day.year}",
    ]


def identifiers(chart: Chart) -> dict[str, list[str]]:
    """Every identifier of a rendered chart, by kind, in the forms the scan looks for."""
    p = chart.patient
    street, city = (part.strip() for part in p.address.split(",")[:2])
    encounter = [chart.encounter.service_date, chart.encounter.admit_date]
    encounter += [chart.encounter.discharge_date, *(d.date for d in chart.documents)]
    return {
        "name": [p.first_name, p.last_name, p.name, f"{p.last_name}, {p.first_name}"],
        "dob": date_forms(p.dob),
        "mrn": [p.mrn],
        "account": [p.account],
        "ssn": [p.ssn, p.ssn.replace("-", "")],
        "address": [p.address, street, city],
        "phone": [p.phone, re.sub(r"\D", "", p.phone)],
        "encounter date": [d.strftime("%m/%d/%Y") for d in encounter if d is not None],
    }


TOKEN = re.compile(r"[\w/-]+")
"""A word, number, date or SSN as a whole: what an identifier is made of."""


def occurs(text: str, value: str) -> bool:
    """True when value is in text as a whole token run (not inside a longer word or number)."""
    start = text.find(value)
    while start != -1:
        end = start + len(value)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "_/-") and not (after.isalnum() or after in "_/-"):
            return True
        start = text.find(value, start + 1)
    return False


def leaks(text: str, charts: list[Chart]) -> list[str]:
    """Return every identifier found in text, as 'kind value (chart)'.

    Names match as whole words with their capitals; numbers and dates as whole tokens. A value
    is looked for only when each of its tokens is among the text's tokens (a fast first pass).
    """
    tokens = set(TOKEN.findall(text))
    found = []
    for chart in charts:
        for kind, values in identifiers(chart).items():
            for value in values:
                if set(TOKEN.findall(value)) <= tokens and occurs(text, value):
                    found.append(f"{kind} {value!r} ({chart.chart_id})")
    return found


def plant_identifiers(
    store: SqlStore, session: Session, starter: LoadedPack, book: Codebook
) -> Chart:
    """Store what would leak from a careless pipeline: a query quoting the record's header,
    privacy events whose detail names the patient, a trainer's comment with the DOB."""
    state = next(c for c in session.charts if c.chart.case_id.startswith("q-ip-"))
    chart = state.chart
    p = chart.patient
    header = next(d.text for d in chart.documents if p.name in d.text)
    start = header.index(p.name)
    quoted = " ".join(header[max(0, start - 12) : start + len(p.name) + 40].split())
    query = WrittenQuery(
        text=f"Per the record: {quoted}. Please clarify; call {p.phone} or {p.address}.",
        options=(
            f"{p.name} has malnutrition",
            f"DOB {p.dob:%m/%d/%Y}",
            "Other",
            "Clinically undetermined",
        ),
    )
    case = next(c for c in starter.cases if c.id == chart.case_id)
    credits = starter.pack.scoring.credit_table({v.value: c for v, c in CREDITS.items()})
    result = grade(
        chart,
        Submission(action="query", query=query),
        book,
        credits,
        case=case,
        fiscal_year=starter.pack.code_year,
    )
    stored = grade_dict(result)
    at = datetime(2026, 11, 24, 12, tzinfo=UTC)
    store.record_grade(session.session_id, chart.chart_id, chart.case_id, at, stored)
    raw = json.dumps(stored).lower()
    assert p.last_name.lower() in raw or p.mrn in raw  # the stored grade really carries PHI
    store.append(
        session.session_id,
        at,
        "identifier_revealed",
        {"identifier": "ssn", "chart": chart.chart_id, "detail": f"{p.ssn} of {p.name}"},
    )
    store.append(
        session.session_id,
        at,
        "phi_in_query",
        {
            "chart": chart.chart_id,
            "detail": f"wrote {p.address}, {p.phone}, MRN {p.mrn}, acct {p.account}",
        },
    )
    other = next(c for c in session.charts if c.grade is not None and c.grade.possible)
    assert other.grade is not None
    line = next(i for i, line in enumerate(other.grade.lines) if line.counts)
    store.add_credit(
        session.session_id,
        other.chart.chart_id,
        line,
        credit=1.0,
        original=other.grade.lines[line].credit,
        comment=f"{p.first_name} {p.last_name} (DOB {p.dob.isoformat()}) record reviewed",
        by="Trainer Kim",
        at=at,
    )
    return chart


@pytest.fixture(scope="module")
def stored(
    tmp_path_factory: pytest.TempPathFactory, starter: LoadedPack, book: Codebook
) -> tuple[str, list[Session], list[Chart]]:
    """A SQLite store with the cohort's sessions and planted identifiers; every chart rendered."""
    url = f"sqlite:///{tmp_path_factory.mktemp('phi') / 'store.sqlite3'}"
    store = SqlStore(url)
    sessions = []
    for trainee, seeds in SEEDS.items():
        store.set_cohort(trainee, "spring-2027")
        for day, seed in enumerate(seeds):
            start = datetime(2026, 11, 24 + day, 8, tzinfo=UTC)
            sessions.append(
                work_session(
                    starter, book, store, trainee=trainee, seed=seed, start=start, charts=12
                )
            )
    planted = plant_identifiers(store, sessions[0], starter, book)
    charts = [state.chart for session in sessions for state in session.charts]
    assert planted in charts
    return url, sessions, charts


def test_every_format_for_session_trainee_and_cohort_is_free_of_identifiers(
    stored: tuple[str, list[Session], list[Chart]],
) -> None:
    url, sessions, charts = stored
    store = SqlStore(url)
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    subjects = [{"session": s.session_id} for s in sessions]
    subjects += [{"trainee": t} for t in SEEDS] + [{"cohort": "spring-2027"}]
    exported = 0
    for subject in subjects:
        data = make_report(store, packs=Packs(), generated_at=now, **subject)
        assert data["sessions"], subject
        for fmt in FORMATS:
            body = RENDERERS[fmt](data).encode("utf-8")
            found = leaks(body.decode("utf-8"), charts)
            assert not found, f"{subject} {fmt}: {found[:5]}"
            exported += 1
    assert exported == len(subjects) * len(FORMATS)


def test_the_command_line_exports_are_free_of_identifiers_too(
    stored: tuple[str, list[Session], list[Chart]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, sessions, charts = stored
    for args in (
        [sessions[0].session_id],
        ["--trainee", "T-0042"],
        ["--cohort", "spring-2027"],
    ):
        for fmt in FORMATS:
            out = tmp_path / f"report.{fmt}"
            assert main(["report", *args, "--format", fmt, "--out", str(out), "--db", url]) == 0
            found = leaks(out.read_bytes().decode("utf-8"), charts)
            assert not found, f"{args} {fmt}: {found[:5]}"
    assert main(["history", "--trainee", "T-0042", "--json", "--db", url]) == 0
    assert not leaks(capsys.readouterr().out, charts)


def test_the_planted_text_is_redacted_not_dropped(
    stored: tuple[str, list[Session], list[Chart]],
) -> None:
    url, sessions, charts = stored
    store = SqlStore(url)
    raw = json.dumps(store.grades(sessions[0].session_id), default=str)
    raw += json.dumps([e.payload for e in store.events(sessions[0].session_id)])
    raw += json.dumps([c.comment for c in store.credits(sessions[0].session_id)])
    planted = {kind.split()[0] for kind in leaks(raw, charts)}
    assert {
        "name",
        "dob",
        "mrn",
        "account",
        "ssn",
        "address",
        "phone",
    } <= planted  # the scan sees them
    data = make_report(
        SqlStore(url), session=sessions[0].session_id, generated_at=datetime.now(UTC)
    )
    text = json.dumps(data)
    assert "[quote removed]" in text  # the record quoted in the query's rubric
    assert "[redacted]" in text  # names, SSN, MRN and address in the event details
    assert "record reviewed" in text  # the trainer's comment survives, minus the identifiers
    assert "Trainer Kim" in text and sessions[0].session_id in text
