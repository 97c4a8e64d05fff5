"""The `codedesk` command line: builds Settings and calls make_app, or runs a core command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from simulator import __version__
from simulator.commands import assess as assess_commands
from simulator.commands import codebooks, codes, grade, packs, serve
from simulator.commands import reports as report_commands
from simulator.commands.common import CliError, load_settings
from simulator.store.base import StoreError

THEMES = ["codedesk-dark", "codedesk-light", "codedesk-high-contrast"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codedesk",
        description=(
            "CodeDesk: practise a medical coder's working day on synthetic charts. "
            "With no command, opens the built-in starter pack in practice mode."
        ),
    )
    parser.add_argument("--version", action="version", version=f"codedesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    practice = sub.add_parser("practice", help="work a pack with feedback after every chart")
    _run_options(practice)
    shift = sub.add_parser("shift", help="work a pack as a shift, feedback at the end")
    _run_options(shift)
    shift.add_argument("--hours", type=float, help="shift length in hours (default 8)")
    codebooks.register(sub)
    codes.register(sub)
    packs.register(sub)
    grade.register(sub)
    report_commands.register(sub)
    assess_commands.register(sub)
    serve.register(sub)
    return parser


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pack", type=Path, help="pack folder (default: the built-in starter)")
    parser.add_argument("--trainee", help="trainee name or ID")
    parser.add_argument("--seed", type=int, help="seed for the synthetic patients and variants")
    parser.add_argument("--theme", choices=THEMES, help="colour theme")
    parser.add_argument(
        "--resume",
        nargs="?",
        const="latest",
        metavar="SESSION",
        help="resume a stored session (default: your latest one on this pack)",
    )
    parser.set_defaults(handler=_run_tui)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    handler = getattr(args, "handler", _run_tui)
    try:
        return int(handler(args))
    except CliError as exc:
        print(f"codedesk: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:  # the session store (issue 9): one clear line, no traceback
        print(f"codedesk: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # output piped into `head` and the like: stop quietly
        return 0


def _run_tui(args: argparse.Namespace) -> int:
    """Start the app (practice on the starter pack when no command is given)."""
    from simulator.factory import make_app

    pack = getattr(args, "pack", None)
    if pack is not None and not pack.exists():
        raise CliError(f"{pack}: no such pack folder")
    settings = load_settings(
        mode=args.command or "practice",
        pack=pack,
        trainee=getattr(args, "trainee", None),
        theme=getattr(args, "theme", None),
        shift_hours=getattr(args, "hours", None),
        resume=getattr(args, "resume", None),
    )
    app = make_app(settings, seed=getattr(args, "seed", None))
    app.run()
    if app.session is not None:
        from simulator.reports import summary_lines

        print("\n".join(summary_lines(app.session)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
