"""`codedesk assess seal|take|score`: sealed, timed assessments for interview screeners."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.commands.common import CliError, load_settings, open_book

if TYPE_CHECKING:
    from simulator.assess.sitting import Sitting
    from simulator.config import Settings
    from simulator.store.base import Store

MIN_PASSPHRASE = 10
"""The shortest passphrase accepted when sealing (it guards every candidate's answers)."""
FORMATS = ("html", "csv", "json")
"""The report formats of `assess score`."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `assess` and its three commands."""
    assess = sub.add_parser(
        "assess",
        help="sealed, timed assessments: seal a pack, take it, score the results",
        description=(
            "Screen candidates with a sealed, timed assessment: `seal` encrypts a pack's answer "
            "keys with your passphrase, `take` runs a candidate's sitting (no feedback, no "
            "score, a hard time box) and writes a result file only you can open, `score` "
            "grades the result files and writes your report. The guide is docs/ASSESSMENTS.md. "
            "Exit status: 0 done, 1 a problem with a file or a passphrase (shown as "
            "file: message), 2 bad arguments."
        ),
    )
    verbs = assess.add_subparsers(dest="assess_command", metavar="COMMAND", required=True)

    seal = verbs.add_parser(
        "seal",
        help="seal a pack into a .cdassess file (charts readable, keys encrypted)",
        description=(
            "Check the pack, draw up its fair-draw plan from the pack's `assessment:` block, "
            "and write FILE.cdassess: the charts readable, the answer keys encrypted with your "
            "passphrase (scrypt, AES-256-GCM). Without --passphrase-file the passphrase is "
            "asked twice, without echo. Keep it: it is the only way to score the results."
        ),
    )
    seal.add_argument("pack", type=Path, help="pack folder or .zip")
    seal.add_argument("--out", type=Path, required=True, help="the sealed file to write")
    seal.add_argument(
        "--passphrase-file", type=Path, help="read the passphrase from the first line of a file"
    )
    seal.set_defaults(handler=seal_pack)

    take = verbs.add_parser(
        "take",
        help="sit a sealed assessment (the clock starts at once)",
        description=(
            "Open the candidate's charts in CodeDesk with a hard time box: warnings at 10, 5 "
            "and 1 minutes left, every chart handed in automatically at zero, no feedback and "
            "no score. Quitting keeps the work; the same command continues with the clock "
            "still running. After the hand-in the result file is written (encrypted to the "
            "screener)."
        ),
    )
    take.add_argument("sealed", type=Path, help="the .cdassess file")
    take.add_argument("--candidate", required=True, help="the candidate's ID, e.g. C-0042")
    take.add_argument(
        "--seed",
        type=int,
        help="the seed of the draw and the patients (default: derived from the candidate ID)",
    )
    take.add_argument(
        "--out",
        type=Path,
        help="the result file (default: SEALED-NAME.CANDIDATE.cdresult in this folder)",
    )
    take.set_defaults(handler=take_assessment)

    score = verbs.add_parser(
        "score",
        help="score result files and write the screener's report",
        description=(
            "Decrypt the keys and every result file, check each result's hash chain, replay "
            "each sitting into a graded session, and write the report: every lens, "
            "productivity, privacy, pass or fail against the pack's marks, time used, a replay "
            "timeline of each chart and a table comparing the candidates. A tampered file is "
            "reported with the reason and the others still score (exit status 1 then)."
        ),
    )
    score.add_argument("results", type=Path, nargs="+", help="result files (.cdresult)")
    score.add_argument("--sealed", type=Path, required=True, help="the .cdassess file")
    score.add_argument(
        "--passphrase-file", type=Path, help="read the passphrase from the first line of a file"
    )
    score.add_argument(
        "--format", choices=FORMATS, help="report format (default: from --out's suffix, or html)"
    )
    score.add_argument("--out", type=Path, help="write the report here (default: print it)")
    score.add_argument(
        "--hesitation",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="a pause longer than this on an open chart is a hesitation (default 60)",
    )
    score.set_defaults(handler=score_results)


def _fail(error: Exception) -> int:
    """Print a file error as one line on stderr and return exit status 1."""
    print(str(error), file=sys.stderr)
    return 1


def read_passphrase(path: Path | None, *, twice: bool) -> str:
    """Return the passphrase from the first line of a file, or asked without echo."""
    from simulator.assess.errors import AssessError

    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise AssessError(path, "no such passphrase file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise AssessError(path, f"cannot be read as UTF-8 text: {exc}") from None
        lines = text.splitlines()
        passphrase = lines[0] if lines else ""
        if not passphrase:
            raise AssessError(path, "the first line is empty: write the passphrase there")
        return passphrase
    import getpass

    try:
        passphrase = getpass.getpass("Passphrase: ")
        if twice and getpass.getpass("Passphrase again: ") != passphrase:
            raise CliError("the two passphrases differ; nothing was written")
    except EOFError:
        raise CliError("no passphrase given (use --passphrase-file to read one)") from None
    if not passphrase:
        raise CliError("no passphrase given")
    return passphrase


def seal_pack(args: argparse.Namespace) -> int:
    """Seal a pack into a .cdassess file."""
    from simulator.assess.errors import AssessError
    from simulator.assess.sealed import SealError, seal

    try:
        if not args.pack.exists():
            raise AssessError(args.pack, "no such pack folder or file")
        passphrase = read_passphrase(args.passphrase_file, twice=True)
        if len(passphrase) < MIN_PASSPHRASE:
            where = args.passphrase_file or "passphrase"
            raise AssessError(
                where,
                f"the passphrase is shorter than {MIN_PASSPHRASE} characters; use a few words",
            )
        book = open_book()
        sealed = seal(args.pack, args.out, passphrase, book)
    except SealError as exc:
        for problem in exc.problems:
            print(problem)
        print(
            f"{args.pack}: {len(exc.problems)} problem(s); fix them before sealing",
            file=sys.stderr,
        )
        return 1
    except AssessError as exc:
        return _fail(exc)
    plan = sealed.plan
    print(
        f"Sealed {sealed.pack_id} {sealed.pack_version} into {args.out}: {plan.charts} charts "
        f"per candidate from {len(plan.strata)} stratum/strata, difficulty total {plan.target}, "
        f"{plan.draws} different draws; time limit {sealed.time_limit_minutes:g} minutes."
    )
    if plan.draws == 1:
        print(
            "Every candidate gets the same cases (only the synthetic patients and the variants "
            "differ by seed): add cases or loosen the strata for different draws."
        )
    print(
        f"Keep the passphrase: it is the only way to score the results.\n"
        f"Candidates run: codedesk assess take {args.out} --candidate THEIR-ID"
    )
    return 0


def _store(settings: Settings) -> Store:
    """Open the session store named in the settings."""
    from simulator.store.sql import SqlStore

    return SqlStore(settings.effective_database_url)


def _write(sitting: Sitting, session_id: str, store: Store, out: Path | None) -> Path:
    """Write the candidate's result file and return where it went."""
    from simulator.assess.sitting import result_path, write_sitting_result

    target = out or result_path(sitting.sealed, sitting.candidate, Path.cwd())
    return write_sitting_result(sitting, session_id, store, target, datetime.now(UTC))


def take_assessment(args: argparse.Namespace) -> int:
    """Run a candidate's sitting, then write the result once it is handed in."""
    from simulator.assess.errors import AssessError
    from simulator.assess.sealed import read_sealed
    from simulator.assess.sitting import check_candidate, open_sitting

    try:
        check_candidate(args.candidate)
    except ValueError as exc:
        raise CliError(f"--candidate: {exc}") from None
    try:
        sealed = read_sealed(args.sealed)
        base = load_settings()
        store = _store(base)
        sitting = open_sitting(sealed, args.candidate, args.seed, base.cache_dir, store)
        if sitting.ended and sitting.session_id is not None:
            path = _write(sitting, sitting.session_id, store, args.out)
            print(
                f"Candidate {sitting.candidate} has already handed this assessment in. The "
                f"result file is in {path}: hand it to your screener."
            )
            return 0
        now = datetime.now(UTC)
        if sitting.session_id is not None and sitting.seconds_left(now) <= 0:
            _hand_in_offline(sitting, sitting.session_id, store, base)
            path = _write(sitting, sitting.session_id, store, args.out)
            print(
                "The time ran out while CodeDesk was closed; every chart was handed in as it "
                f"stood. The result file is in {path}: hand it to your screener."
            )
            return 0
        started = _run_app(sitting, base)
        session_id = store.latest_session(sitting.candidate, sealed.public_pack_id)
        if started is None or session_id is None:
            raise AssessError(args.sealed, "CodeDesk did not start the sitting (see its message)")
        found = _ended(store, sitting.candidate, session_id)
        if found:
            path = _write(sitting, session_id, store, args.out)
            print(
                f"Assessment handed in. The result file is in {path}: hand it to your "
                "screener. It is encrypted; only the screener can open it."
            )
        else:
            from simulator.assess.handin import seconds_left

            info = store.session_info(session_id)
            began = info["started_at"] if info is not None else datetime.now(UTC)
            left = max(seconds_left(began, sealed.time_limit_minutes, datetime.now(UTC)), 0.0)
            print(
                f"Your work is saved and the clock is still running: {left / 60:.0f} minute(s) "
                f"left. Run the same command to continue:\n"
                f"  codedesk assess take {args.sealed} --candidate {sitting.candidate}"
            )
    except AssessError as exc:
        return _fail(exc)
    return 0


def _ended(store: Store, candidate: str, session_id: str) -> bool:
    """True when the session was handed in (it has an end)."""
    return any(
        row["id"] == session_id and row.get("ended_at") is not None
        for row in store.sessions(trainee=candidate)
    )


def _hand_in_offline(sitting: Sitting, session_id: str, store: Store, base: Settings) -> None:
    """Hand in a sitting whose time ran out while the app was closed (no screen needed)."""
    from simulator.assess.handin import hand_in
    from simulator.packs.loader import load_pack
    from simulator.shift.clock import SystemClock
    from simulator.shift.session import Session

    book = open_book(base)
    session = Session.resume(load_pack(sitting.pack_dir), book, SystemClock(), store, session_id)
    hand_in(session, "time up")


def _run_app(sitting: Sitting, base: Settings) -> str | None:
    """Open CodeDesk on the candidate's charts in assessment mode; return the session id."""
    from simulator.factory import make_app

    settings = base.model_copy(
        update={
            "mode": "assessment",
            "time_limit_minutes": sitting.sealed.time_limit_minutes,
            "pack": sitting.pack_dir,
            "trainee": sitting.candidate,
            "resume": sitting.session_id,
        }
    )
    app = make_app(settings, seed=sitting.seed)
    app.run()
    return None if app.session is None else app.session.session_id


def score_results(args: argparse.Namespace) -> int:
    """Score result files against the sealed assessment and write the report."""
    import tempfile

    from simulator.assess.errors import AssessError
    from simulator.assess.report import to_csv, to_html, to_json
    from simulator.assess.scorer import score_results as score
    from simulator.assess.sealed import (
        load_full_pack,
        read_sealed,
        screener_keys,
        unlock,
        write_atomic,
    )

    fmt = args.format
    if fmt is None:
        suffix = args.out.suffix.lower().lstrip(".") if args.out is not None else ""
        fmt = {"htm": "html"}.get(suffix, suffix) if suffix in (*FORMATS, "htm") else "html"
    if args.hesitation <= 0:
        raise CliError("--hesitation must be more than 0 seconds")
    try:
        sealed = read_sealed(args.sealed)
        passphrase = read_passphrase(args.passphrase_file, twice=False)
        keys = screener_keys(sealed, passphrase)
        key = unlock(sealed, keys)
        with tempfile.TemporaryDirectory(prefix="codedesk-score-") as folder:
            full = load_full_pack(sealed, key, Path(folder) / "pack")
            book = open_book()
            report = score(
                args.results,
                sealed,
                keys.private,
                key,
                full,
                book,
                hesitation=args.hesitation,
                now=datetime.now(UTC),
            )
    except AssessError as exc:
        return _fail(exc)
    text = {"html": to_html, "csv": to_csv, "json": to_json}[fmt](report)
    if args.out is not None:
        write_atomic(args.out, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    for item in report.rejected:
        print(f"{item.file}: {item.status}: {item.reason}", file=sys.stderr)
    where = f" into {args.out}" if args.out is not None else ""
    print(
        f"{len(report.candidates)} result(s) scored, {len(report.rejected)} not scored{where}",
        file=sys.stderr,
    )
    return 1 if report.rejected else 0
