"""`codedesk history`, `report`, `credit` and `cohort`: progress, de-identified reports, manual
credit and cohorts, all read from (or written to) the session store.

Every problem (an unknown session, trainee or cohort, a bad --format, an --out that cannot be
written, a store that cannot be opened) is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.commands.common import CliError, load_settings

if TYPE_CHECKING:
    from simulator.reports.load import Packs
    from simulator.store.base import Store

Handler = Callable[[argparse.Namespace], int]

SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".html": "html", ".htm": "html", ".txt": "text"}
"""The format an --out file's suffix stands for when --format is not given."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `history`, `report`, `credit` and `cohort` commands."""
    history = sub.add_parser(
        "history",
        help="a trainee's sessions over time: accuracy, productivity, privacy, weakest topics",
        description=(
            "Show a trainee's sessions over time (date, pack, mode, charts done, code-over-code "
            "and record accuracy, charts per hour and workload units against the pack's "
            "targets, privacy events) and accuracy by topic, weakest first."
        ),
    )
    history.add_argument("--trainee", help="trainee name or ID (default: the configured one)")
    history.add_argument("--json", action="store_true", help="print JSON")
    _store_options(history)
    history.set_defaults(handler=_guarded(show_history))

    report = sub.add_parser(
        "report",
        help="a de-identified report of a session, a trainee or a cohort (text, CSV, JSON, HTML)",
        description=(
            "Write a de-identified report (HIPAA Safe Harbor: no patient identifiers): per chart "
            "lines and verdicts, every scoring lens, productivity, privacy events and manual "
            "credits. Name a SESSION, a --trainee or a --cohort. HTML is one self-contained "
            "file with inline charts; CSV has one row per graded line; JSON has stable keys "
            "(docs/REPORTS.md)."
        ),
    )
    report.add_argument("session", nargs="?", metavar="SESSION", help="a session id")
    report.add_argument("--trainee", help="every session of a trainee")
    report.add_argument("--cohort", help="every session of a cohort's trainees, compared")
    report.add_argument(
        "--format",
        metavar="FORMAT",
        help="text, csv, json or html (default: from the --out suffix, else text)",
    )
    report.add_argument("--out", type=Path, metavar="FILE", help="write to FILE, not stdout")
    _store_options(report)
    report.set_defaults(handler=_guarded(write_report))

    credit = sub.add_parser(
        "credit",
        help="give manual credit on a graded line, or list a session's manual credits",
        description=(
            "With SESSION alone, list the session's manual credits (every one, the replaced ones "
            "marked). With CHART and LINE, record a trainer's credit (0 to 1) on that line: the "
            "original credit, the new one, who and when are kept, and the latest credit per "
            "line is the one reports count. LINE is the line's number in the report (from 1); "
            "CHART is a chart id or a case id graded once in the session."
        ),
    )
    credit.add_argument("session", metavar="SESSION")
    credit.add_argument("chart", nargs="?", metavar="CHART")
    credit.add_argument("line", nargs="?", metavar="LINE")
    credit.add_argument("--credit", metavar="0..1", help="the credit granted, from 0 to 1")
    credit.add_argument("--comment", metavar="TEXT", help="why (no patient identifiers)")
    credit.add_argument("--by", metavar="NAME", help="the trainer's name or ID")
    credit.add_argument("--json", action="store_true", help="list as JSON")
    credit.add_argument(
        "--db", metavar="URL", help="session store URL (default: the configured one)"
    )
    credit.set_defaults(handler=_guarded(manual_credit))

    cohort = sub.add_parser("cohort", help="group trainees in cohorts, list them")
    actions = cohort.add_subparsers(dest="cohort_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="put trainees in a cohort (moving them from any other)")
    add.add_argument("cohort", metavar="COHORT")
    add.add_argument("trainees", nargs="+", metavar="TRAINEE")
    add.add_argument("--db", metavar="URL", help="session store URL (default: the configured one)")
    add.set_defaults(handler=_guarded(cohort_add))
    remove = actions.add_parser("remove", help="take trainees out of their cohort")
    remove.add_argument("trainees", nargs="+", metavar="TRAINEE")
    remove.add_argument(
        "--db", metavar="URL", help="session store URL (default: the configured one)"
    )
    remove.set_defaults(handler=_guarded(cohort_remove))
    listing = actions.add_parser("list", help="every cohort, or one cohort's trainees")
    listing.add_argument("cohort", nargs="?", metavar="COHORT")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.add_argument(
        "--db", metavar="URL", help="session store URL (default: the configured one)"
    )
    listing.set_defaults(handler=_guarded(cohort_list))


def _store_options(parser: argparse.ArgumentParser) -> None:
    """Add --db and --pack."""
    parser.add_argument(
        "--db", metavar="URL", help="session store URL (default: the configured one)"
    )
    parser.add_argument(
        "--pack",
        type=Path,
        metavar="PATH",
        help="the pack the sessions were worked on, when it is not a built-in one (for its "
        "targets and goals)",
    )


def _guarded(handler: Handler) -> Handler:
    """Run a handler; a problem the user can fix is one line on stderr and exit status 1."""

    def run(args: argparse.Namespace) -> int:
        """Run the handler, turning known errors into one line."""
        try:
            return handler(args)
        except Exception as exc:
            message = _user_error(exc)
            if message is None:
                raise
            print(f"codedesk: {message}", file=sys.stderr)
            return 1

    run.__doc__ = handler.__doc__
    return run


def _user_error(exc: Exception) -> str | None:
    """Return the one-line message for an error the user can act on, else None."""
    from simulator.reports.load import ReportError

    if isinstance(exc, ReportError | CliError):
        return str(exc)
    try:
        from sqlalchemy.exc import SQLAlchemyError
    except ImportError:  # pragma: no cover - SQLAlchemy is a dependency
        return None
    if type(exc).__name__ == "StoreError":  # the store's own one-line message
        return " ".join(str(exc).split())
    if isinstance(exc, SQLAlchemyError):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"the session store failed: {first}"
    return None


def _shown_url(url: str) -> str:
    """Return a store URL safe to print (no password)."""
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def open_store(db: str | None, *, must_exist: bool = True) -> Store:
    """Open the session store named by --db or the settings; ReportError when it cannot be."""
    from simulator.reports.load import ReportError

    url = db or load_settings().effective_database_url
    if url.startswith("sqlite:///") and must_exist:
        path = Path(url.removeprefix("sqlite:///").split("?", 1)[0])
        if not path.is_file():
            raise ReportError(
                f"no session database at {path} (nothing recorded yet, or a wrong --db?)"
            )
    from simulator.store.sql import SqlStore

    try:
        return SqlStore(url)
    except Exception as exc:
        if type(exc).__name__ == "StoreError":  # already says where, what and what to do
            raise ReportError(" ".join(str(exc).split())) from None
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReportError(f"cannot open the session store {_shown_url(url)}: {first}") from None


def _packs(pack: Path | None) -> Packs:
    """Return the pack finder, with the --pack one first."""
    from simulator.reports.load import Packs, load_pack_arg

    return Packs([load_pack_arg(pack)] if pack is not None else [])


def show_history(args: argparse.Namespace) -> int:
    """Print a trainee's sessions over time and accuracy by topic."""
    from simulator.reports.history import history_dict, history_lines, trainee_history

    trainee = args.trainee or load_settings().trainee
    packs = _packs(args.pack)
    history = trainee_history(open_store(args.db), trainee, packs)
    if args.json:
        print(json.dumps(history_dict(history), indent=2, ensure_ascii=False))
    else:
        print("\n".join(history_lines(history)))
    return 0


def report_format(given: str | None, out: Path | None) -> str:
    """Return the report format asked for, or the one the --out suffix names, or text."""
    from simulator.reports.export import FORMATS
    from simulator.reports.load import ReportError

    if given is not None:
        name = given.strip().lower()
        if name not in FORMATS:
            raise ReportError(f"--format must be one of {', '.join(FORMATS)}, not {given!r}")
        return name
    if out is not None:
        return SUFFIX_FORMATS.get(out.suffix.lower(), "text")
    return "text"


def write_out(path: Path, text: str) -> None:
    """Write a report file whole (through a temporary file), or raise ReportError."""
    from simulator.reports.load import ReportError

    if path.is_dir():
        raise ReportError(f"cannot write {path}: it is a folder")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ReportError(f"cannot write {path}: no folder {folder}")
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temp, path)
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_report(args: argparse.Namespace) -> int:
    """Write the report of a session, a trainee or a cohort in the format asked for."""
    from simulator.reports.export import RENDERERS, make_report
    from simulator.reports.load import ReportError

    named = [n for n in (args.session, args.trainee, args.cohort) if n is not None]
    if len(named) != 1:
        raise ReportError("name exactly one of: a SESSION, --trainee T or --cohort C")
    fmt = report_format(args.format, args.out)
    if args.out is not None and args.out.is_dir():
        raise ReportError(f"cannot write {args.out}: it is a folder")
    data = make_report(
        open_store(args.db),
        session=args.session,
        trainee=args.trainee,
        cohort=args.cohort,
        packs=_packs(args.pack),
        generated_at=datetime.now(UTC),
    )
    text = RENDERERS[fmt](data)
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_out(args.out, text)
        print(f"wrote {args.out} ({fmt}, {len(data['sessions'])} session(s))", file=sys.stderr)
    return 0


def _line_number(text: str) -> int:
    """Read a line number (from 1) as typed."""
    from simulator.reports.load import ReportError

    if not text.isdigit() or int(text) < 1:
        raise ReportError(f"LINE is the line's number in the report (1, 2, ...), not {text!r}")
    return int(text)


def manual_credit(args: argparse.Namespace) -> int:
    """Record a manual credit on one line, or list a session's manual credits."""
    from simulator.reports.credit import (
        credit_dict,
        credit_lines,
        grant_credit,
        list_credits,
        parse_credit,
    )
    from simulator.reports.load import ReportError

    store = open_store(args.db)
    if args.chart is None:
        entries = list_credits(store, args.session)
        if args.json:
            print(json.dumps([credit_dict(e) for e in entries], indent=2, ensure_ascii=False))
        else:
            print("\n".join(credit_lines(entries)))
        return 0
    if args.line is None:
        raise ReportError("name the LINE to credit after the CHART (its number in the report)")
    missing = [name for name in ("credit", "comment", "by") if getattr(args, name) in (None, "")]
    if missing:
        raise ReportError("giving credit needs " + ", ".join(f"--{name}" for name in missing))
    entry = grant_credit(
        store,
        args.session,
        args.chart,
        _line_number(args.line),
        credit=parse_credit(args.credit),
        comment=args.comment,
        by=args.by,
        at=datetime.now(UTC),
        packs=_packs(None),
    )
    print(
        f"credit #{entry.id}: {entry.chart_id} line {entry.line + 1}: {entry.original:g} -> "
        f"{entry.credit:g} by {entry.by} at {entry.at:%Y-%m-%d %H:%M} UTC"
    )
    return 0


def cohort_add(args: argparse.Namespace) -> int:
    """Put trainees in a cohort."""
    from simulator.reports.cohort import add_to_cohort

    store = open_store(args.db, must_exist=False)
    known = {row["trainee"] for row in store.trainees()}
    added = add_to_cohort(store, args.cohort, args.trainees)
    new = [name for name in added if name not in known]
    note = f" ({', '.join(new)}: no sessions yet)" if new else ""
    print(f"cohort {args.cohort.strip()}: added {', '.join(added)}{note}")
    return 0


def cohort_remove(args: argparse.Namespace) -> int:
    """Take trainees out of their cohort."""
    from simulator.reports.cohort import remove_from_cohort

    removed = remove_from_cohort(open_store(args.db), args.trainees)
    print(f"taken out of their cohort: {', '.join(removed)}")
    return 0


def cohort_list(args: argparse.Namespace) -> int:
    """List every cohort, or one cohort's trainees with their session counts."""
    from simulator.reports.cohort import cohort_members, cohorts

    store = open_store(args.db)
    if args.cohort is not None:
        members = cohort_members(store, args.cohort)
        if args.json:
            print(json.dumps({"cohort": args.cohort, "trainees": members}, indent=2))
        else:
            print(f"cohort {args.cohort}: {len(members)} trainee(s)")
            for member in members:
                print(f"  {member['trainee']}: {member['sessions']} session(s)")
        return 0
    found = cohorts(store)
    if args.json:
        print(json.dumps([{"cohort": c, "trainees": t} for c, t in found.items()], indent=2))
    elif not found:
        print("no cohorts yet (codedesk cohort add COHORT TRAINEE...)")
    else:
        for name, names in found.items():
            print(f"{name}: {len(names)} trainee(s): {', '.join(names)}")
    return 0
