"""The `codedesk` command line: builds Settings and calls make_app, or runs a core command."""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulator import __version__
from simulator.config import Settings, config_file


class CliError(Exception):
    """A problem with what was typed or configured, shown as one clear line."""


def _settings(**overrides: Any) -> Settings:
    """Build Settings from arguments, environment and the TOML file, with clear errors."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except tomllib.TOMLDecodeError as exc:
        raise CliError(f"{config_file()}: invalid TOML: {exc}") from None
    except ValidationError as exc:
        lines = [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise CliError("invalid setting: " + "; ".join(lines)) from None


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

    books = sub.add_parser("codebooks", help="build and inspect the local codebook index")
    books_sub = books.add_subparsers(dest="books_command", metavar="ACTION", required=True)
    build = books_sub.add_parser("build", help="build the codebook index into the cache folder")
    build.add_argument("--force", action="store_true", help="rebuild even if it exists")
    books_sub.add_parser("info", help="show where the index is and what it holds")

    codes = sub.add_parser("codes", help="look up and check codes")
    codes_sub = codes.add_subparsers(dest="codes_command", metavar="ACTION", required=True)
    check = codes_sub.add_parser("check", help="validate codes and say what is wrong with each")
    check.add_argument("codes", nargs="+", metavar="CODE")
    check.add_argument(
        "--system", default="icd10cm", choices=["icd10cm", "icd10pcs", "cpt", "hcpcs"]
    )
    check.add_argument("--year", type=int, help="fiscal year to check against")
    check.add_argument("--json", action="store_true", help="print JSON")

    pack = sub.add_parser("pack", help="check scenario packs")
    pack_sub = pack.add_subparsers(dest="pack_command", metavar="ACTION", required=True)
    validate = pack_sub.add_parser("validate", help="check a pack; every problem as file:line:col")
    validate.add_argument("path", type=Path)
    return parser


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pack", type=Path, help="pack folder (default: the built-in starter)")
    parser.add_argument("--trainee", help="trainee name or ID")
    parser.add_argument("--seed", type=int, help="seed for the synthetic patients and variants")
    parser.add_argument(
        "--theme",
        choices=["codedesk-dark", "codedesk-light", "codedesk-high-contrast"],
        help="colour theme",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except CliError as exc:
        print(f"codedesk: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command in (None, "practice", "shift"):
        return _run_tui(args)
    if command == "codebooks":
        return _codebooks(args)
    if command == "codes":
        return _codes(args)
    if command == "pack":
        return _pack(args)
    raise CliError(f"unknown command {command!r}")


def _run_tui(args: argparse.Namespace) -> int:
    from simulator.factory import make_app

    mode = args.command or "practice"
    pack = getattr(args, "pack", None)
    if pack is not None and not pack.exists():
        raise CliError(f"{pack}: no such pack folder")
    settings = _settings(
        mode=mode,
        pack=pack,
        trainee=getattr(args, "trainee", None),
        theme=getattr(args, "theme", None),
        shift_hours=getattr(args, "hours", None),
    )
    app = make_app(settings, seed=getattr(args, "seed", None))
    app.run()
    if app.session is not None:
        from simulator.reports import summary_lines

        print("\n".join(summary_lines(app.session)))
    return 0


def _progress(step: str, fraction: float) -> None:
    print(f"\r{step}: {fraction:4.0%}", end="", file=sys.stderr, flush=True)
    if fraction >= 1.0:
        print(file=sys.stderr)


def _open_book() -> Any:
    from simulator.codebook import Codebook

    settings = _settings()
    return Codebook.open_or_build(settings.cache_dir, _progress)


def _codebooks(args: argparse.Namespace) -> int:
    from simulator.codebook import Codebook, build

    settings = _settings()
    if args.books_command == "build":
        target = build.index_path(settings.cache_dir)
        if target.exists() and not args.force:
            print(f"up to date: {target}")
            return 0
        path = build.build_index(settings.cache_dir, _progress)
        print(f"built {path}")
        return 0
    book = Codebook.open_or_build(settings.cache_dir, _progress)
    print(f"index: {book.path}")
    for key, value in sorted(book.meta.items()):
        print(f"  {key}: {value}")
    for system in ("icd10cm", "cpt", "hcpcs", "modifier", "pos"):
        print(f"  {system}: {book.count(system)} entries, {book.count(system, True)} billable")
    return 0


def _codes(args: argparse.Namespace) -> int:
    from simulator.codebook.validate import validate

    book = _open_book()
    results = [validate(book, code, args.system, args.year) for code in args.codes]
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "input": raw,
                        "code": r.code,
                        "system": r.system,
                        "verdict": r.verdict.value,
                        "message": r.message,
                        "year": r.year,
                        "suggestions": list(r.suggestions),
                        "warnings": list(r.warnings),
                    }
                    for raw, r in zip(args.codes, results, strict=True)
                ],
                indent=2,
            )
        )
    else:
        for r in results:
            print(f"{r.code}\t{r.verdict.value}\t{r.message}")
            for warning in r.warnings:
                print(f"\twarning: {warning}")
    return 0 if all(r.ok for r in results) else 1


def _pack(args: argparse.Namespace) -> int:
    from simulator.packs import PackError, load_pack
    from simulator.packs.validate import check_pack

    try:
        loaded = load_pack(args.path)
    except PackError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) in {args.path}", file=sys.stderr)
        return 1
    problems = check_pack(loaded, _open_book())
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {args.path}", file=sys.stderr)
        return 1
    print(f"ok: {loaded.pack.id} {loaded.pack.version}, {len(loaded.cases)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
