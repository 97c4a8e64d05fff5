"""De-identification of report text, and what each format does with untrusted strings:
HTML escapes them, CSV defuses formulas, JSON keeps its keys stable."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime

import pytest

from simulator.charts.render import render
from simulator.codebook import Codebook
from simulator.packs import LoadedPack
from simulator.reports.deid import Redactor, chart_identifiers, contains_identifier, date_forms
from simulator.reports.export import CSV_COLUMNS, make_report, render_csv, render_json
from simulator.reports.html_report import render_html
from simulator.reports.text_report import render_text
from simulator.store import MemoryStore
from tests.unit.test_reports import work_session


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("DOB 04/07/1950 seen", "04/07/1950"),
        ("born 4/7/1950", "4/7/1950"),
        ("born April 7, 1950", "April 7, 1950"),
        ("born 7 April 1950", "7 April 1950"),
        ("admitted 2026-11-24", "2026-11-24"),
        ("SSN 900-12-3456", "900-12-3456"),
        ("call (212) 555-0123 today", "555-0123"),
        ("call 212-555-0123 today", "555-0123"),
        ("mail jo@example.org", "jo@example.org"),
        ("lives at 123 Maple Street Apt 4, Springfield", "123 Maple Street"),
        ("MRN: 12345678", "12345678"),
        ("Acct# 1234567890", "1234567890"),
        ("account 1234567890 on file", "1234567890"),
    ],
)
def test_identifier_shapes_are_replaced(text: str, gone: str) -> None:
    redacted = Redactor().text(text)
    assert gone not in redacted and "[" in redacted


@pytest.mark.parametrize(
    "text",
    [
        "0210093 CABG; 0DTJ4ZZ appendectomy; 99213-25; J1100 x2; I50.23; E11.65",
        "hydrocodone 5/325 mg; BP 158/92; BMI 15.9; pack starter 0.3.0; 11 kg (19%) loss",
        "ICD-10-CM Guideline I.C.4.a.3; MS-DRG 291; FY2027; 45 CFR 164.514(b)(2)",
        "may be coded when documented; long-term use; young adult",
    ],
)
def test_codes_and_clinical_figures_are_left_alone(text: str) -> None:
    assert Redactor(["May", "Young", "Long"]).text(text) == text


def test_known_identifiers_by_case_in_pack_text_and_any_case_in_free_text() -> None:
    redactor = Redactor(["Jane", "Doe", "Jane Doe", "Lake Sarah"])
    assert redactor.text("Jane Doe of Lake Sarah; jane doe") == (
        "[redacted] of [redacted]; jane doe"
    )
    assert redactor.free('quotes the record: "patient: jane doe, dob"; jane doe again') == (
        'quotes the record: "[quote removed]"; [redacted] again'
    )
    assert redactor.text("Janet Doering") == "Janet Doering"  # whole words only


def test_a_tree_keeps_ids_and_timestamps(starter: LoadedPack) -> None:
    tree = {
        "session": "s-20261124080000-abc",
        "started_at": "2026-11-24T08:00:00+00:00",
        "notes": ['quotes the record: "mrn 12345678"'],
        "rationale": "see 04/07/1950",
        "n": 3,
        "ok": None,
    }
    out = Redactor().tree(
        tree, keep=frozenset({"session", "started_at"}), free=frozenset({"notes"})
    )
    assert out["session"] == tree["session"] and out["started_at"] == tree["started_at"]
    assert out["notes"] == ['quotes the record: "[quote removed]"']
    assert out["rationale"] == "see [date]" and out["n"] == 3 and out["ok"] is None


def test_a_chart_gives_every_identifier_but_the_state(starter: LoadedPack) -> None:
    chart = render(starter.cases[0], 7, date(2026, 11, 24), 10)
    found = chart_identifiers(chart)
    patient = chart.patient
    state = patient.address.rsplit(",", 1)[1].strip()
    assert {patient.first_name, patient.last_name, patient.name, patient.mrn} <= found
    assert {patient.ssn, patient.phone, patient.account} <= found
    assert set(date_forms(patient.dob)) <= found and patient.dob.isoformat() in found
    assert state not in found and patient.address.split(",")[1].strip() in found


def test_a_comment_with_an_identifier_is_named() -> None:
    assert contains_identifier("accepted after review") == []
    assert contains_identifier("pt Jane Doe", ["Jane Doe"]) == ["a patient identifier"]
    assert contains_identifier("call 212-555-0123") == ["a phone number"]


@pytest.fixture(scope="module")
def hostile(starter: LoadedPack, book: Codebook) -> dict[str, object]:
    """Report data of a session whose trainee name and trainer comment are hostile strings."""
    store = MemoryStore()
    start = datetime(2026, 11, 24, 8, tzinfo=UTC)
    trainee = "<img src=x onerror=alert(1)>"
    session = work_session(starter, book, store, trainee=trainee, seed=7, start=start, charts=5)
    state = next(c for c in session.charts if c.grade is not None and c.grade.possible)
    assert state.grade is not None
    line = next(i for i, g in enumerate(state.grade.lines) if g.counts)
    store.add_credit(
        session.session_id,
        state.chart.chart_id,
        line,
        credit=1.0,
        original=0.0,
        comment="=HYPERLINK(1) <script>alert('x')</script> & more",
        by="<b>Kim</b>",
        at=start,
    )
    return make_report(store, session=session.session_id, generated_at=start)


def test_html_escapes_every_string_and_loads_nothing(hostile: dict[str, object]) -> None:
    html = render_html(hostile)
    assert "<script" not in html and "<img" not in html and "<b>Kim" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html and "&amp; more" in html
    assert set(re.findall(r"https?://[^\"'\s<>]+", html)) == {"http://www.w3.org/2000/svg"}
    assert not re.search(r"<[a-z]+[^<>]*\s(?:src|href)=", html)  # no tag loads anything
    assert "<link" not in html and "<style>" in html
    assert "<svg" in html


def test_csv_defuses_formulas_and_has_one_row_per_line(hostile: dict[str, object]) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(hostile))))
    assert tuple(rows[0]) == CSV_COLUMNS
    comments = [r["manual_comment"] for r in rows if r["manual_comment"]]
    assert comments == ["'=HYPERLINK(1) <script>alert('x')</script> & more"]
    session = hostile["sessions"][0]  # type: ignore[index]
    assert len(rows) == sum(max(1, len(c["lines"])) for c in session["charts"])


def test_json_keys_are_stable(hostile: dict[str, object]) -> None:
    data = json.loads(render_json(hostile))
    assert list(data) == [
        "format",
        "kind",
        "subject",
        "generated_at",
        "synthetic",
        "deidentified",
        "trainees",
        "history",
        "by_topic",
        "sessions",
    ]
    session = data["sessions"][0]
    assert list(session) == [
        "session",
        "trainee",
        "cohort",
        "pack",
        "pack_version",
        "mode",
        "started_at",
        "ended_at",
        "targets_from",
        "charts_served",
        "charts_submitted",
        "charts_graded",
        "accuracy",
        "lenses",
        "productivity",
        "privacy",
        "by_setting",
        "by_topic",
        "study",
        "charts",
        "manual_credits",
    ]
    line = session["charts"][0]["lines"][0]
    assert list(line)[:2] == ["line", "part"] and {"original_credit", "manual"} <= set(line)
    assert session["trainee"] == "<img src=x onerror=alert(1)>"  # JSON is data, not markup
    assert "De-identified" in render_text(data)
