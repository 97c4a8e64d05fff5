"""Result files and scoring: sealed to the screener, hash-chained, replayed and graded; tampered
files are reported with the reason while the others still score."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from simulator import paths
from simulator.assess.handin import HANDED_IN, hand_in
from simulator.assess.result import open_result, seal_records
from simulator.assess.sealed import (
    KeyMaterial,
    SealedAssessment,
    load_full_pack,
    screener_keys,
    seal,
    unlock,
)
from simulator.assess.sitting import Sitting, open_sitting, write_sitting_result
from simulator.charts.render import render, render_line
from simulator.cli import main
from simulator.codebook import Codebook
from simulator.config import Settings
from simulator.packs import LoadedPack, load_pack
from simulator.shift import FakeClock, Session
from simulator.shift.clock import SystemClock
from simulator.shift.session import SessionError
from simulator.store import MemoryStore
from simulator.store.base import Store

SAMPLE = paths.builtin_pack("assessment-sample")
PASSPHRASE = "screener passphrase 9"


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory, book: Codebook) -> SealedAssessment:
    """The sample assessment, sealed with a cheap scrypt."""
    out = tmp_path_factory.mktemp("sealed") / "sample.cdassess"
    return seal(SAMPLE, out, PASSPHRASE, book, scrypt_n=2**10)


@pytest.fixture(scope="module")
def key(sealed: SealedAssessment) -> KeyMaterial:
    """The decrypted key material."""
    return unlock(sealed, screener_keys(sealed, PASSPHRASE))


@pytest.fixture(scope="module")
def full(
    sealed: SealedAssessment, key: KeyMaterial, tmp_path_factory: pytest.TempPathFactory
) -> LoadedPack:
    """The full pack as the screener rebuilds it."""
    return load_full_pack(sealed, key, tmp_path_factory.mktemp("full") / "pack")


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    """The screener's passphrase in a file."""
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


Work = Callable[[Session, FakeClock], None]


def sit(
    sealed: SealedAssessment,
    candidate: str,
    book: Codebook,
    cache_dir: Path,
    out: Path,
    work: Work,
    *,
    reason: str = "handed in",
) -> tuple[Sitting, Session, MemoryStore]:
    """Sit the assessment headless: open the sitting, work, hand in, write the result."""
    store = MemoryStore()
    clock = FakeClock()
    sitting = open_sitting(sealed, candidate, None, cache_dir, store)
    session = Session(
        load_pack(sitting.pack_dir), book, clock, store, seed=sitting.seed, trainee=candidate,
        mode="assessment",
    )  # fmt: skip
    work(session, clock)
    hand_in(session, reason)
    write_sitting_result(sitting, session.session_id, store, out, clock.now())
    return sitting, session, store


def expert(full: LoadedPack, key: KeyMaterial) -> Work:
    """Work every chart as the key says: codes, the query, the flag."""

    def work(session: Session, clock: FakeClock) -> None:
        for state in list(session.charts):
            chart_id = state.chart.chart_id
            case = full.case(key.real_ids[state.chart.case_id])
            session.open_chart(chart_id)
            clock.advance(50)
            if case.flag is not None:
                session.flag(chart_id, case.flag.kind, case.flag.document)
                continue
            if case.query is not None:
                text = "Please clarify: " + "; ".join(case.query.clinical_indicators)
                session.send_query(chart_id, text, case.query.acceptable_options)
                continue
            # The public chart knows only the variables its documents use; the key's come
            # from rendering the full case the same way (same id, seed and day).
            full_case = case.model_copy(update={"id": state.chart.case_id})
            variant = render(full_case, session.seed, session.shift_date).variant
            for line in case.key.diagnoses:
                if line.optional:
                    continue
                rendered = render_line(line, variant)
                poa = rendered.poa if rendered.poa not in (None, "exempt") else ""
                session.add_code(chart_id, "diagnoses", f"{rendered.code}:{poa}".rstrip(":"))
            for line in case.key.procedures:
                if line.optional:
                    continue
                rendered = render_line(line, variant)
                raw = "-".join([rendered.code, *rendered.modifiers])
                session.add_code(
                    chart_id,
                    "procedures",
                    raw + (f" x{rendered.units}" if rendered.units > 1 else ""),
                )
            clock.advance(10)
            session.submit(chart_id)

    return work


def careless(session: Session, clock: FakeClock) -> None:
    """Two charts touched: one with a made-up code (and markup), one left open; then hand in."""
    first, second = session.charts[0], session.charts[1]
    session.open_chart(first.chart.chart_id)
    clock.advance(200)  # a long hesitation before the first code
    session.add_code(first.chart.chart_id, "diagnoses", "R69")
    session.add_code(first.chart.chart_id, "procedures", "<script>alert(1)</script>")
    clock.advance(20)
    session.open_chart(second.chart.chart_id)
    clock.advance(30)
    session.add_code(second.chart.chart_id, "diagnoses", "R69")
    clock.advance(30)


def score_cli(
    files: list[Path], sealed: SealedAssessment, passphrase: Path, out: Path, *more: str
) -> int:
    """Run `codedesk assess score` and return the exit status."""
    return main(
        ["assess", "score", *map(str, files), "--sealed", str(sealed.path), "--passphrase-file",
         str(passphrase), "--out", str(out), *more]
    )  # fmt: skip


def test_candidates_are_scored_with_every_lens_and_marks(
    sealed: SealedAssessment,
    key: KeyMaterial,
    full: LoadedPack,
    book: Codebook,
    cache_dir: Path,
    tmp_path: Path,
    passphrase_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CODEDESK_CACHE_DIR", str(cache_dir))
    good = tmp_path / "good.cdresult"
    bad = tmp_path / "bad.cdresult"
    sit(sealed, "C-0042", book, cache_dir, good, expert(full, key))
    sit(sealed, "C-0043", book, cache_dir, bad, careless, reason="time up")
    report = tmp_path / "report.json"
    assert score_cli([good, bad], sealed, passphrase_file, report) == 0
    assert "2 result(s) scored, 0 not scored" in capsys.readouterr().err
    data = json.loads(report.read_text())
    assert data["assessment"]["charts"] == 14 and data["rejected"] == []
    by = {c["candidate"]: c for c in data["candidates"]}
    expert_result, careless_result = by["C-0042"], by["C-0043"]
    assert expert_result["result"] == "pass", expert_result["marks"]
    assert expert_result["summary"]["accuracy"]["code_over_code"] >= 0.95
    assert expert_result["summary"]["lenses"]["decision"] == 1.0
    assert {m["name"] for m in expert_result["marks"]} == {
        "code_over_code", "record", "decision", "productivity", "privacy"
    }  # fmt: skip
    assert careless_result["result"] == "fail"
    outcomes = [c["outcome"] for c in careless_result["charts"]]
    assert outcomes.count("not done") == 12
    assert "handed in unfinished" in outcomes and "submitted at hand-in" in outcomes
    assert careless_result["hand_in_reason"] == "time up"
    # Every chart carries the real case, the grade and the replay timeline.
    chart = next(c for c in careless_result["charts"] if c["outcome"] == "handed in unfinished")
    assert chart["case"] in {c.id for c in full.cases} and chart["grade"]["lines"]
    kinds = [e["kind"] for e in chart["timeline"]]
    assert kinds[:3] == ["chart_opened", "code_added", "code_added"]
    assert chart["timeline"][1]["hesitation"] and chart["timeline"][1]["gap_seconds"] == 200
    # The same report as HTML (self-contained, escaped) and CSV.
    page = tmp_path / "report.html"
    assert score_cli([good, bad], sealed, passphrase_file, page) == 0
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and "http" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Candidates compared" in html and "hesitation" in html and "✓ PASS" in html
    table = tmp_path / "report.csv"
    assert score_cli([good, bad], sealed, passphrase_file, table) == 0
    rows = table.read_text().splitlines()
    assert rows[0].startswith("file,candidate,status,result")
    assert len(rows) == 3 and ",C-0042,scored,pass," in rows[1] + rows[2]


def test_the_candidate_can_read_neither_keys_nor_score_in_the_result(
    sealed: SealedAssessment, book: Codebook, cache_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r.cdresult"
    sit(sealed, "C-0050", book, cache_dir, out, careless)
    raw = out.read_text()
    envelope = json.loads(raw)
    assert envelope["format"] == "codedesk-assessment-result" and envelope["version"] == 1
    assert set(envelope["header"]) == {"assessment", "candidate", "session", "written_at"}
    for clear in ("code_added", "R69", "chart_opened", "script", "accuracy", "verdict"):
        assert clear not in raw
    keys = screener_keys(sealed, PASSPHRASE)
    log = open_result(out, keys.private)
    assert [e.seq for e in log.events] == list(range(1, len(log.events) + 1))
    assert log.end["handed_in"] and log.events[-2].kind == HANDED_IN


def _records(path: Path, sealed: SealedAssessment) -> tuple[dict[str, object], list[bytes]]:
    """Decrypt a result as the screener can: its header and its record lines."""
    from simulator.assess import crypto
    from simulator.assess.result import _header_bytes
    from simulator.assess.sealed import unb64

    envelope = json.loads(path.read_text())
    keys = screener_keys(sealed, PASSPHRASE)
    packed = crypto.open_sealed(
        keys.private,
        unb64(envelope["ephemeral_public_key"], "e"),
        unb64(envelope["nonce"], "n"),
        unb64(envelope["ciphertext"], "c"),
        _header_bytes(envelope["header"]),
    )
    return envelope["header"], zlib.decompress(packed).split(b"\n")[:-1]


def _reseal(
    path: Path, header: dict[str, object], lines: list[bytes], sealed: SealedAssessment
) -> None:
    """Encrypt changed records to the screener's public key, as anyone holding the file can."""
    path.write_bytes(seal_records(dict(header), b"\n".join(lines) + b"\n", sealed.public_key))


def test_tampered_results_are_reported_and_the_others_still_score(
    sealed: SealedAssessment,
    book: Codebook,
    cache_dir: Path,
    tmp_path: Path,
    passphrase_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CODEDESK_CACHE_DIR", str(cache_dir))
    good = tmp_path / "good.cdresult"
    sit(sealed, "C-0060", book, cache_dir, good, careless)
    text = good.read_text()
    envelope = json.loads(text)
    # One byte changed in the ciphertext.
    flipped = tmp_path / "flipped.cdresult"
    cipher = envelope["ciphertext"]
    middle = len(cipher) // 2
    swap = "A" if cipher[middle] != "A" else "B"
    flipped.write_text(text.replace(cipher, cipher[:middle] + swap + cipher[middle + 1 :]))
    # One event record removed, the rest re-encrypted to the screener's public key.
    header, lines = _records(good, sealed)
    removed = tmp_path / "removed.cdresult"
    _reseal(removed, header, lines[:3] + lines[4:], sealed)
    # The file cut short.
    truncated = tmp_path / "truncated.cdresult"
    truncated.write_text(text[: len(text) // 2])
    # The candidate's name changed in the readable header.
    renamed = tmp_path / "renamed.cdresult"
    renamed.write_text(text.replace('"candidate": "C-0060"', '"candidate": "C-9999"'))
    # An event deleted and the chain rebuilt by someone who knows the format.
    from simulator.assess.result import build_records, check_chain

    log = check_chain(header, b"\n".join(lines) + b"\n")
    rebuilt = tmp_path / "rebuilt.cdresult"
    events = log.events[:2] + log.events[3:]
    rebuilt.write_bytes(
        seal_records(
            header,
            build_records(header, {k: v for k, v in log.session.items() if k not in ("n", "prev", "type")},
                          events, {"events": len(events), "handed_in": True, "written_at": "x"}),
            sealed.public_key,
        )
    )  # fmt: skip
    report = tmp_path / "report.json"
    files = [good, flipped, removed, truncated, renamed, rebuilt]
    assert score_cli(files, sealed, passphrase_file, report) == 1
    err = capsys.readouterr().err
    data = json.loads(report.read_text())
    assert [c["file"] for c in data["candidates"]] == [str(good)]
    reasons = {Path(r["file"]).name: (r["status"], r["reason"]) for r in data["rejected"]}
    assert reasons["flipped.cdresult"] == (
        "tampered",
        "changed after it was written: the encrypted part does not authenticate (or it was "
        "encrypted to another screener's key)",
    )
    assert reasons["removed.cdresult"] == (
        "tampered",
        "hash chain broken at record 3: a record before it was removed, added or changed",
    )
    assert reasons["truncated.cdresult"][0] == "tampered"
    assert "cut short" in reasons["truncated.cdresult"][1]
    assert reasons["renamed.cdresult"][0] == "tampered"
    assert reasons["rebuilt.cdresult"] == (
        "tampered",
        "event 3 is missing from the session (the events jump from 2 to 4): removed from the "
        "database?",
    )
    for name in reasons:
        assert f"{tmp_path / name}: tampered: " in err
    assert "1 result(s) scored, 5 not scored" in err


def test_take_hands_in_when_the_time_ran_out_while_closed(
    sealed: SealedAssessment,
    book: Codebook,
    cache_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from simulator.store.sql import SqlStore

    monkeypatch.setenv("CODEDESK_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("CODEDESK_DATA_DIR", str(tmp_path / "data"))
    store: Store = SqlStore(Settings().effective_database_url)
    sitting = open_sitting(sealed, "C-0070", None, cache_dir, store)
    started = datetime.now(UTC) - timedelta(minutes=sealed.time_limit_minutes + 5)
    session = Session(
        load_pack(sitting.pack_dir), book, SystemClock(), store, seed=sitting.seed,
        trainee="C-0070", mode="assessment", started_at=started,
    )  # fmt: skip
    chart_id = session.charts[0].chart.chart_id
    session.open_chart(chart_id)
    session.add_code(chart_id, "diagnoses", "R69")
    out = tmp_path / "c70.cdresult"
    assert (
        main(["assess", "take", str(sealed.path), "--candidate", "C-0070", "--out", str(out)]) == 0
    )
    assert "The time ran out while CodeDesk was closed" in capsys.readouterr().out
    log = open_result(out, screener_keys(sealed, PASSPHRASE).private)
    handed = next(e for e in log.events if e.kind == HANDED_IN)
    assert handed.payload["reason"] == "time up"
    assert handed.payload["charts"][chart_id] == "submitted at hand-in"
    assert log.session["seed"] == sitting.seed and log.session["candidate"] == "C-0070"
    # Taking it again only writes the result again; another seed is refused.
    assert (
        main(["assess", "take", str(sealed.path), "--candidate", "C-0070", "--out", str(out)]) == 0
    )
    assert "already handed this assessment in" in capsys.readouterr().out
    assert main(["assess", "take", str(sealed.path), "--candidate", "C-0070", "--seed", "5"]) == 1
    assert "already started this assessment with seed" in capsys.readouterr().err


def test_a_result_of_another_assessment_is_rejected(
    sealed: SealedAssessment,
    book: Codebook,
    cache_dir: Path,
    tmp_path: Path,
    passphrase_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CODEDESK_CACHE_DIR", str(cache_dir))
    other = seal(SAMPLE, tmp_path / "other.cdassess", PASSPHRASE, book, scrypt_n=2**10)
    foreign = tmp_path / "foreign.cdresult"
    sit(other, "C-0080", book, cache_dir, foreign, careless)
    report = tmp_path / "r.json"
    assert score_cli([foreign], sealed, passphrase_file, report) == 1
    rejected = json.loads(report.read_text())["rejected"]
    assert rejected[0]["status"] == "rejected" and "another assessment" in rejected[0]["reason"]
    capsys.readouterr()


def test_a_query_ends_a_query_chart_because_the_answer_is_sealed(
    sealed: SealedAssessment,
    key: KeyMaterial,
    full: LoadedPack,
    book: Codebook,
    cache_dir: Path,
    tmp_path: Path,
) -> None:
    from simulator.assess.scorer import score_results

    def query_then_code(session: Session, clock: FakeClock) -> None:
        state = next(
            c for c in session.charts if full.case(key.real_ids[c.chart.case_id]).query is not None
        )
        chart_id = state.chart.chart_id
        session.open_chart(chart_id)
        clock.advance(60)
        session.send_query(
            chart_id,
            "Type 1 or type 2? The H&P says type 1 diabetes mellitus diagnosed at age 14.",
            [
                "Type 1 diabetes mellitus",
                "Type 2 diabetes mellitus",
                "Other",
                "Clinically undetermined",
            ],
        )
        clock.advance(3600)
        assert session.due_answers() == []  # the answers are sealed with the keys
        with pytest.raises(SessionError, match="answer is sealed"):
            session.open_chart(chart_id)

    out = tmp_path / "q.cdresult"
    sit(sealed, "C-0090", book, cache_dir, out, query_then_code)
    keys = screener_keys(sealed, PASSPHRASE)
    report = score_results([out], sealed, keys.private, key, full, book, now=datetime.now(UTC))
    assert report.rejected == ()
    chart = next(
        c for c in report.candidates[0].charts if c.case_id == "ip-dka-diabetes-type-conflict-query"
    )
    assert chart.outcome == "query sent"
    assert chart.grade.decision_correct and chart.grade.query is not None
    kinds = [entry.kind for entry in chart.timeline]
    assert kinds[:2] == ["chart_opened", "query_sent"]
    assert "query_answered" not in kinds and "chart_submitted" not in kinds


def searcher(session: Session, clock: FakeClock) -> None:
    """One chart read and searched: a document switch, a find, two lookups (one a patient's)."""
    state = next(c for c in session.charts if len(c.chart.documents) > 1)
    chart_id, patient = state.chart.chart_id, state.chart.patient
    session.open_chart(chart_id)
    clock.advance(5)
    session.note_document(chart_id, 2)
    session.note_find(chart_id, "troponin", 3)
    session.note_find(chart_id, patient.last_name.lower(), 1)  # a patient's name, typed
    clock.advance(5)
    session.note_lookup(chart_id, "chf   acute", 12, "I50.21")
    session.note_lookup(chart_id, f"mrn {patient.mrn}", 0, None)
    session.note_browse(chart_id, "I50.21")
    session.add_code(chart_id, "diagnoses", "I50.21")


def test_the_replay_shows_what_was_read_and_searched_without_patient_identifiers(
    sealed: SealedAssessment,
    book: Codebook,
    cache_dir: Path,
    tmp_path: Path,
    passphrase_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CODEDESK_CACHE_DIR", str(cache_dir))
    result = tmp_path / "searcher.cdresult"
    _, session, store = sit(sealed, "C-0050", book, cache_dir, result, searcher)
    kinds = [e.kind for e in store.events(session.session_id)]
    assert kinds[1:6] == [
        "chart_opened", "document_viewed", "chart_searched", "chart_searched", "code_looked_up"
    ]  # fmt: skip
    report = tmp_path / "report.json"
    assert score_cli([result], sealed, passphrase_file, report) == 0
    text = report.read_text()
    (candidate,) = json.loads(text)["candidates"]
    chart = next(c for c in candidate["charts"] if c["timeline"])
    said = [e["text"] for e in chart["timeline"]]
    assert said[1:7] == [
        "read document 2",
        'found "troponin" in the chart (3 hits)',
        'found "[redacted]" in the chart (1 hits)',
        'looked up "chf acute" (12 results, took I50.21)',
        'looked up "mrn [redacted]" (0 results, took nothing)',
        "browsed the tabular list (took I50.21)",
    ]
    patient = next(c for c in session.charts if len(c.chart.documents) > 1).chart.patient
    assert patient.mrn not in text and patient.last_name not in text
