"""`codedesk pack ...`: start, check, count and preview scenario packs."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from simulator.commands.common import CliError, open_book

SCHEMA_KINDS = ("pack", "case", "inbox")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `pack` command and its actions."""
    pack = sub.add_parser("pack", help="start, check, count and preview scenario packs")
    actions = pack.add_subparsers(dest="pack_command", metavar="ACTION", required=True)

    validate = actions.add_parser(
        "validate", help="check a pack (folder or .zip); every problem as file:line:col"
    )
    validate.add_argument("path", type=Path, help="pack folder, pack .zip, or pack.yaml")
    validate.add_argument("--json", action="store_true", help="print the result as JSON")
    validate.set_defaults(handler=validate_pack)

    new = actions.add_parser("new", help="write a small commented example pack to edit")
    new.add_argument("path", type=Path, help="a new or empty folder")
    new.set_defaults(handler=new_pack)

    schema = actions.add_parser(
        "schema", help="print the JSON Schema of pack files, for editors that check YAML"
    )
    schema.add_argument(
        "--what",
        choices=SCHEMA_KINDS,
        help="one schema: pack (pack.yaml), case (cases/*.yaml) or inbox (inbox/*.yaml); "
        "without it, all three keyed by name",
    )
    schema.set_defaults(handler=print_schema)

    stats = actions.add_parser(
        "stats", help="cases by setting, topic, difficulty and decision; checklist coverage"
    )
    stats.add_argument("path", type=Path, help="pack folder or .zip")
    stats.add_argument("--json", action="store_true", help="print the figures as JSON")
    stats.add_argument(
        "--markdown",
        action="store_true",
        help="print every case and the checklist points each teaches, as a Markdown catalogue",
    )
    stats.set_defaults(handler=pack_stats)

    preview = actions.add_parser("preview", help="print a rendered chart and its key as text")
    preview.add_argument("path", type=Path, help="pack folder or .zip")
    preview.add_argument("case", nargs="?", help="case id (default: every case)")
    preview.add_argument("--case", dest="case_option", metavar="ID", help="case id")
    preview.add_argument("--seed", type=int, default=1, help="seed for the patient and variant")
    preview.add_argument(
        "--date", type=date.fromisoformat, help="shift date, YYYY-MM-DD (default: today)"
    )
    preview.set_defaults(handler=preview_pack)


def _summary(problems: list[object], path: Path) -> None:
    """Say on stderr how many problems were found."""
    print(f"{len(problems)} problem(s) in {path}", file=sys.stderr)


def validate_pack(args: argparse.Namespace) -> int:
    """Load and check a pack; print every problem; exit 1 if any is an error."""
    from simulator.packs.loader import read_pack
    from simulator.packs.validate import check_pack

    loaded, problems = read_pack(args.path)
    if loaded.cases or loaded.inbox:
        problems = sorted(problems + check_pack(loaded, open_book(), warnings=True))
    errors = [p for p in problems if p.is_error]
    warnings = len(problems) - len(errors)
    if args.json:
        result = {
            "ok": not errors,
            "pack": loaded.pack.id if loaded.pack_source is not None else None,
            "cases": len(loaded.cases),
            "errors": len(errors),
            "warnings": warnings,
            "problems": [p.as_dict() for p in problems],
        }
        print(json.dumps(result, indent=2))
        return 1 if errors else 0
    for problem in problems:
        print(problem)
    if errors:
        print(f"{len(errors)} error(s), {warnings} warning(s) in {args.path}", file=sys.stderr)
        return 1
    count = len(loaded.inbox)
    extra = f", {count} inbox message{'s' if count != 1 else ''}" if count else ""
    note = f", {warnings} warning(s)" if warnings else ""
    print(f"ok: {loaded.pack.id} {loaded.pack.version}, {len(loaded.cases)} cases{extra}{note}")
    return 0


def new_pack(args: argparse.Namespace) -> int:
    """Write the commented starter pack into a new or empty folder."""
    from simulator.packs.scaffold import FolderNotEmpty, write_starter_pack

    try:
        written = write_starter_pack(args.path)
    except FolderNotEmpty as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"{args.path}: cannot write: {exc.strerror or exc}") from None
    for path in written:
        print(f"wrote {path}")
    print(f"next: edit the files, then run  codedesk pack validate {args.path}")
    return 0


def print_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of one kind of pack file, or of all three."""
    from simulator.packs.schema import json_schema

    if args.what:
        print(json.dumps(json_schema(args.what), indent=2))
    else:
        print(json.dumps({kind: json_schema(kind) for kind in SCHEMA_KINDS}, indent=2))
    return 0


def pack_stats(args: argparse.Namespace) -> int:
    """Print what a pack holds and which checklist points no case covers."""
    from simulator.packs import PackError, load_pack
    from simulator.packs.stats import pack_stats as count

    try:
        loaded = load_pack(args.path)
    except PackError as exc:
        for problem in exc.problems:
            print(problem)
        _summary(list(exc.problems), args.path)
        return 1
    stats = count(loaded)
    if args.json:
        print(json.dumps(stats.as_dict(), indent=2))
    elif args.markdown:
        from simulator.packs.stats import catalogue

        print(catalogue(loaded))
    else:
        print("\n".join(stats.lines()))
    return 0


def preview_pack(args: argparse.Namespace) -> int:
    """Print one case (or every case) rendered for a seed, with its key."""
    from simulator.packs.loader import read_pack
    from simulator.packs.preview import preview_case

    loaded, problems = read_pack(args.path)
    errors = [p for p in problems if p.is_error]
    wanted = args.case_option or args.case
    if not loaded.cases:
        for problem in errors:
            print(problem)
        _summary(list(errors), args.path)
        return 1
    if wanted is not None and wanted not in loaded.sources:
        known = ", ".join(c.id for c in loaded.cases)
        raise CliError(f"no case {wanted!r} in {args.path}; cases: {known}")
    cases = [loaded.case(wanted)] if wanted else loaded.cases
    shift_date = args.date or date.today()
    blocks = [preview_case(loaded, case, args.seed, shift_date) for case in cases]
    print("\n\n".join("\n".join(block) for block in blocks))
    if errors:
        print(
            f"note: {len(errors)} problem(s) in the pack; run codedesk pack validate {args.path}",
            file=sys.stderr,
        )
    return 0
