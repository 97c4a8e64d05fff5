"""`codedesk history`, `report`, `credit` and `cohort` over a SQLite store: outputs and errors.

Every user error is one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.codebook import Codebook
from simulator.packs import LoadedPack
from simulator.reports.export import CSV_COLUMNS
from simulator.shift import Session
from simulator.store.sql import SqlStore
from tests.unit.test_reports import work_session


@pytest.fixture(scope="module")
def db(
    tmp_path_factory: pytest.TempPathFactory, starter: LoadedPack, book: Codebook
) -> tuple[str, list[Session]]:
    """A SQLite store: two sessions of T-1, one of T-2; T-1 and T-2 in cohort c1."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'store.sqlite3'}"
    store = SqlStore(url)
    sessions = [
        work_session(starter, book, store, trainee=t, seed=s, start=start, charts=6)
        for t, s, start in (
            ("T-1", 7, datetime(2026, 11, 24, 8, tzinfo=UTC)),
            ("T-1", 8, datetime(2026, 11, 25, 8, tzinfo=UTC)),
            ("T-2", 9, datetime(2026, 11, 24, 9, tzinfo=UTC)),
        )
    ]
    assert main(["cohort", "add", "c1", "T-1", "T-2", "--db", url]) == 0
    return url, sessions


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run codedesk with args; return the status, stdout and stderr."""
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(status: int, err: str, words: str) -> None:
    """Assert a failure said in one line, with exit status 1 and no traceback."""
    assert status == 1
    assert err.count("\n") == 1 and err.startswith("codedesk: ") and words in err
    assert "Traceback" not in err


def test_history_shows_sessions_and_weakest_topics(
    db: tuple[str, list[Session]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = db
    status, out, _ = run(["history", "--trainee", "T-1", "--db", url], capsys)
    assert status == 0
    assert "History of trainee T-1, cohort c1" in out and "by topic, weakest first" in out
    assert out.count("starter 0.3.0") == 2
    status, out, _ = run(["history", "--trainee", "T-1", "--json", "--db", url], capsys)
    data = json.loads(out)
    assert [s["charts_done"] for s in data["sessions"]] == [6, 6]
    assert data["sessions"][0]["targets_from"] == "pack starter 0.3.0"
    first = data["sessions"][0]["productivity"]
    assert first["charts_per_hour"] > 0 and first["target_charts_per_hour"] > 0
    accuracies = [t["accuracy"] for t in data["by_topic"]]
    assert accuracies == sorted(accuracies)


def test_report_formats_on_stdout_and_in_files(
    db: tuple[str, list[Session]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url, sessions = db
    sid = sessions[0].session_id
    status, out, _ = run(["report", sid, "--db", url], capsys)
    assert status == 0 and f"Session {sid}" in out and "De-identified" in out
    status, out, _ = run(["report", sid, "--format", "csv", "--db", url], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_COLUMNS
    graded = [c.grade for c in sessions[0].charts if c.grade is not None]
    assert len(rows) == sum(max(1, len(g.lines)) for g in graded)
    status, out, _ = run(["report", "--trainee", "T-1", "--format", "JSON", "--db", url], capsys)
    data = json.loads(out)
    assert data["format"] == "codedesk-report/1" and data["kind"] == "trainee"
    assert len(data["sessions"]) == 2 and data["trainees"][0]["trainee"] == "T-1"
    out_file = tmp_path / "cohort.html"
    status, _, err = run(["report", "--cohort", "c1", "--out", str(out_file), "--db", url], capsys)
    assert status == 0 and "wrote" in err
    html = out_file.read_text()
    assert html.startswith("<!DOCTYPE html>") and "Trainees compared" in html
    assert html.count("<svg") >= 1 + 3  # the comparison chart and one per session


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["report", "s-nope"], "no session 's-nope'"),
        (["report", "--trainee", "ghost"], "no trainee 'ghost'"),
        (["report", "--cohort", "nobody"], "no cohort 'nobody'"),
        (["report"], "name exactly one of"),
        (["history", "--trainee", "ghost"], "no trainee 'ghost'"),
        (["cohort", "list", "nobody"], "no cohort 'nobody'"),
        (["cohort", "remove", "ghost"], "no trainee 'ghost'"),
        (["credit", "s-nope"], "no session 's-nope'"),
    ],
)
def test_unknown_names_are_one_line_errors(
    db: tuple[str, list[Session]],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    words: str,
) -> None:
    url, _ = db
    status, _, err = run([*args, "--db", url], capsys)
    one_line_error(status, err, words)


def test_bad_format_and_unwritable_out_are_one_line_errors(
    db: tuple[str, list[Session]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url, sessions = db
    sid = sessions[0].session_id
    status, _, err = run(["report", sid, "--format", "pdf", "--db", url], capsys)
    one_line_error(status, err, "--format must be one of text, csv, json, html")
    status, _, err = run(["report", sid, "--out", str(tmp_path), "--db", url], capsys)
    one_line_error(status, err, "it is a folder")
    status, _, err = run(
        ["report", sid, "--out", str(tmp_path / "missing" / "r.html"), "--db", url], capsys
    )
    one_line_error(status, err, "no folder")
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, _, err = run(["report", sid, "--out", str(blocker / "r.csv"), "--db", url], capsys)
    one_line_error(status, err, "cannot write")
    status, _, err = run(["report", sid, "--db", f"sqlite:///{tmp_path / 'none.db'}"], capsys)
    one_line_error(status, err, "no session database at")
    assert not (tmp_path / "none.db").exists()  # a report never creates an empty store


def test_the_out_suffix_picks_the_format(
    db: tuple[str, list[Session]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url, sessions = db
    for suffix, start in ((".json", "{"), (".csv", "session,"), (".html", "<!DOCTYPE")):
        out = tmp_path / f"r{suffix}"
        assert main(["report", sessions[2].session_id, "--out", str(out), "--db", url]) == 0
        assert out.read_text().startswith(start)
    capsys.readouterr()


def test_manual_credit_is_recorded_listed_and_counted(
    db: tuple[str, list[Session]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, sessions = db
    session = sessions[1]
    state = next(
        c
        for c in session.charts
        if c.grade is not None and any(line.counts and line.credit < 1 for line in c.grade.lines)
    )
    assert state.grade is not None
    number = 1 + next(
        i for i, line in enumerate(state.grade.lines) if line.counts and line.credit < 1
    )
    sid, case = session.session_id, state.chart.case_id
    before = json.loads(run(["report", sid, "--format", "json", "--db", url], capsys)[1])
    args = ["credit", sid, case, str(number), "--by", "Trainer Kim", "--db", url]
    status, out, _ = run([*args, "--credit", "0.5", "--comment", "half: documented"], capsys)
    assert status == 0 and f"line {number}" in out
    status, out, _ = run([*args, "--credit", "1", "--comment", "accepted on review"], capsys)
    assert status == 0
    listed = json.loads(run(["credit", sid, "--json", "--db", url], capsys)[1])
    assert [c["in_force"] for c in listed] == [False, True]
    assert listed[1]["original_credit"] == state.grade.lines[number - 1].credit
    assert listed[1]["by"] == "Trainer Kim" and listed[1]["line"] == number
    after = json.loads(run(["report", sid, "--format", "json", "--db", url], capsys)[1])
    old, new = before["sessions"][0]["accuracy"], after["sessions"][0]["accuracy"]
    original = state.grade.lines[number - 1].credit
    assert new["credited"] == pytest.approx(old["credited"] + 1 - original)
    assert new["original_credited"] == pytest.approx(old["credited"])
    chart = next(c for c in after["sessions"][0]["charts"] if c["chart"] == state.chart.chart_id)
    line = chart["lines"][number - 1]
    assert line["manual"]["comment"] == "accepted on review" and line["credit"] == 1.0
    assert line["original_credit"] == original
    text = run(["report", sid, "--db", url], capsys)[1]
    assert "(graded " in text and "[replaced]" in text and "[in force]" in text


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["1", "--credit", "2", "--comment", "x", "--by", "y"], "from 0 to 1"),
        (["1", "--credit", "half", "--comment", "x", "--by", "y"], "a number from 0 to 1"),
        (["99", "--credit", "1", "--comment", "x", "--by", "y"], "has lines 1 to"),
        (["zero", "--credit", "1", "--comment", "x", "--by", "y"], "LINE is the line's number"),
        (["1", "--credit", "1", "--by", "y"], "needs --comment"),
        (["1", "--credit", "1", "--comment", "MRN 12345678", "--by", "y"], "patient identifier"),
        (["1", "--credit", "1", "--comment", "seen 04/07/1950", "--by", "y"], "a date"),
    ],
)
def test_bad_credits_are_refused_in_one_line(
    db: tuple[str, list[Session]],
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    words: str,
) -> None:
    url, sessions = db
    session = sessions[2]
    state = next(c for c in session.charts if c.grade is not None and c.grade.lines)
    status, _, err = run(
        ["credit", session.session_id, state.chart.chart_id, *extra, "--db", url], capsys
    )
    one_line_error(status, err, words)


def test_a_credit_on_a_line_that_does_not_count_is_refused(
    db: tuple[str, list[Session]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, sessions = db
    for session in sessions:
        for state in session.charts:
            lines = state.grade.lines if state.grade is not None else ()
            for i, line in enumerate(lines):
                if not line.counts:
                    status, _, err = run(
                        [
                            *("credit", session.session_id, state.chart.chart_id, str(i + 1)),
                            *("--credit", "1", "--comment", "x", "--by", "y", "--db", url),
                        ],
                        capsys,
                    )
                    one_line_error(status, err, "is not counted")
                    return
    pytest.skip("no uncounted line in these sessions")


def test_cohorts_are_added_listed_and_compared(
    db: tuple[str, list[Session]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = db
    status, out, _ = run(["cohort", "add", "c2", "T-9", "--db", url], capsys)
    assert status == 0 and "T-9: no sessions yet" in out
    status, out, _ = run(["cohort", "list", "--db", url], capsys)
    assert "c1: 2 trainee(s): T-1, T-2" in out and "c2: 1 trainee(s): T-9" in out
    status, out, _ = run(["cohort", "list", "c1", "--json", "--db", url], capsys)
    assert json.loads(out)["trainees"] == [
        {"trainee": "T-1", "sessions": 2},
        {"trainee": "T-2", "sessions": 1},
    ]
    status, out, _ = run(["report", "--cohort", "c1", "--db", url], capsys)
    assert status == 0 and "Trainees compared, weakest accuracy first:" in out
    table = out.split("Trainees compared", 1)[1].splitlines()
    assert table[1].split()[:3] == ["trainee", "sessions", "charts"]
    assert {row.split()[0]: row.split()[1] for row in table[2:4]} == {"T-1": "2", "T-2": "1"}
    status, out, _ = run(["cohort", "remove", "T-9", "--db", url], capsys)
    assert status == 0
    status, _, err = run(["cohort", "list", "c2", "--db", url], capsys)
    one_line_error(status, err, "no cohort 'c2'")
