"""`codedesk codes ...`: look codes up and check them against the codebook."""

from __future__ import annotations

import argparse
import json

from simulator.commands.common import open_book

SYSTEMS = ["icd10cm", "icd10pcs", "cpt", "hcpcs"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `codes` command and its actions."""
    codes = sub.add_parser("codes", help="look up and check codes")
    actions = codes.add_subparsers(dest="codes_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate codes and say what is wrong with each")
    check.add_argument("codes", nargs="+", metavar="CODE")
    check.add_argument("--system", default="icd10cm", choices=SYSTEMS)
    check.add_argument("--year", type=int, help="fiscal year to check against")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(handler=check_codes)


def check_codes(args: argparse.Namespace) -> int:
    """Validate each code; exit 1 when any is not valid."""
    from simulator.codebook.validate import validate

    book = open_book()
    results = [validate(book, code, args.system, args.year) for code in args.codes]
    if args.json:
        rows = [
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
        ]
        print(json.dumps(rows, indent=2))
    else:
        for r in results:
            print(f"{r.code}\t{r.verdict.value}\t{r.message}")
            for warning in r.warnings:
                print(f"\twarning: {warning}")
    return 0 if all(r.ok for r in results) else 1
