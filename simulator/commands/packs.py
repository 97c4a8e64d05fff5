"""`codedesk pack ...`: check scenario packs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simulator.commands.common import open_book


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `pack` command and its actions."""
    pack = sub.add_parser("pack", help="check scenario packs")
    actions = pack.add_subparsers(dest="pack_command", metavar="ACTION", required=True)
    validate = actions.add_parser("validate", help="check a pack; every problem as file:line:col")
    validate.add_argument("path", type=Path)
    validate.set_defaults(handler=validate_pack)


def validate_pack(args: argparse.Namespace) -> int:
    """Load and check a pack; print every problem; exit 1 if there are any."""
    from simulator.packs import PackError, load_pack
    from simulator.packs.validate import check_pack

    try:
        loaded = load_pack(args.path)
    except PackError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) in {args.path}", file=sys.stderr)
        return 1
    problems = check_pack(loaded, open_book())
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {args.path}", file=sys.stderr)
        return 1
    print(f"ok: {loaded.pack.id} {loaded.pack.version}, {len(loaded.cases)} cases")
    return 0
