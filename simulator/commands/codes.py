"""`codedesk codes ...`: look codes up and check them against the codebook."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from simulator.commands import group
from simulator.commands.common import CliError, open_book

if TYPE_CHECKING:
    from simulator.codebook.index import Codebook

SYSTEMS = ["icd10cm", "icd10pcs", "cpt", "hcpcs"]
GUESS_HELP = (
    "the code set (default: told by each code's shape: 99213 CPT, J1885 HCPCS when it is one, "
    "0FT44ZZ ICD-10-PCS, anything else ICD-10-CM)"
)


def guess_system(book: Codebook, raw: str) -> str:
    """The code set a code typed without --system belongs to, by its shape.

    A dot means ICD-10-CM. Five characters, the first four digits: CPT (99213, 0042T). A letter
    and four digits: HCPCS when the code set has it (J1885), else ICD-10-CM written without its
    dot (J18.85). Seven characters: ICD-10-PCS when the first is a digit or the code is valid
    in ICD-10-PCS (B2111ZZ), else ICD-10-CM (S52532A).
    """
    from simulator.codebook.validate import validate

    flat = raw.strip().upper()
    if "." in flat:
        return "icd10cm"
    if len(flat) == 5 and flat[:4].isdigit():
        return "cpt"
    if len(flat) == 5 and flat[0].isalpha() and flat[1:].isdigit():
        return "hcpcs" if book.lookup(flat, "hcpcs") is not None else "icd10cm"
    if len(flat) == 7 and (flat[0].isdigit() or validate(book, flat, "icd10pcs").ok):
        return "icd10pcs"
    return "icd10cm"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `codes` command and its actions."""
    codes = sub.add_parser("codes", help="look up and check codes")
    actions = codes.add_subparsers(dest="codes_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate codes and say what is wrong with each")
    check.add_argument("codes", nargs="+", metavar="CODE")
    check.add_argument("--system", choices=SYSTEMS, help=GUESS_HELP)
    check.add_argument("--year", type=int, help="fiscal year to check against")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(handler=check_codes)

    show = actions.add_parser("show", help="a code's title, hierarchy, notes and 7th characters")
    show.add_argument("code", metavar="CODE")
    show.add_argument("--system", choices=SYSTEMS, help=GUESS_HELP)
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=show_code)

    search = actions.add_parser("search", help="search the code sets the way coders type")
    search.add_argument("query", nargs="+", metavar="WORD")
    search.add_argument("--system", action="append", choices=SYSTEMS, help="limit to a system")
    search.add_argument("--limit", type=int, default=10, help="how many results (1-100)")
    search.add_argument("--json", action="store_true", help="print JSON")
    search.set_defaults(handler=search_codes)
    group.register(actions)


def check_codes(args: argparse.Namespace) -> int:
    """Validate each code; exit 1 when any is not valid."""
    from simulator.codebook.validate import validate

    book = open_book()
    results = [
        validate(book, code, args.system or guess_system(book, code), args.year)
        for code in args.codes
    ]
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


def show_code(args: argparse.Namespace) -> int:
    """Print one code with its ancestors, notes (inherited too) and 7th characters."""
    from simulator.codebook.validate import SYSTEM_NAMES, normalize_code

    book = open_book()
    args.system = args.system or guess_system(book, args.code)
    code = normalize_code(args.code) if args.system == "icd10cm" else args.code.strip().upper()
    entry = book.lookup(code, args.system)
    if entry is None:
        raise CliError(
            f"{code} is not in the {SYSTEM_NAMES.get(args.system, args.system)} code set; "
            f"try `codedesk codes check {args.code}` for the nearest codes"
        )
    ancestors = book.ancestors(code, args.system)
    notes = book.notes(code, args.system, inherited=True)
    seventh = book.seventh_characters(code, args.system) if args.system == "icd10cm" else {}
    data: dict[str, object] = {
        "code": entry.code,
        "system": entry.system,
        "title": entry.title,
        "kind": entry.kind,
        "billable": entry.billable,
        "year": book.icd10cm_year,
        "ancestors": [{"code": a.code, "title": a.title, "kind": a.kind} for a in ancestors],
        "children": [{"code": c.code, "title": c.title} for c in book.children(code, args.system)],
        "notes": [{"kind": n.kind, "text": n.text, "from": n.source} for n in notes],
        "seventh_characters": seventh,
    }
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    mark = "billable" if entry.billable else "NOT billable (a heading)"
    print(f"{entry.code}  {entry.title}  [{mark}; FY{book.icd10cm_year} {entry.system}]")
    for ancestor in ancestors:
        print(f"  in {ancestor.code}  {ancestor.title}")
    for child in book.children(code, args.system)[:20]:
        print(f"  child {child.code}  {child.title}")
    for note in notes:
        where = "" if note.source == entry.code else f" (from {note.source})"
        text = " ".join(note.text.split())
        print(f"  {note.kind.replace('_', ' ')}{where}: {text}")
    if seventh:
        print("  7th characters: " + "; ".join(f"{k} {v}" for k, v in seventh.items()))
    return 0


def search_codes(args: argparse.Namespace) -> int:
    """Print the best matches for a query over all code sets or the chosen ones."""
    if not 1 <= args.limit <= 100:
        raise CliError("--limit must be between 1 and 100")
    book = open_book()
    query = " ".join(args.query)
    hits = book.search(query, args.system, args.limit)
    if args.json:
        print(
            json.dumps(
                [
                    {"system": h.system, "code": h.code, "title": h.title, "billable": h.billable}
                    for h in hits
                ],
                indent=2,
            )
        )
        return 0
    if not hits:
        print(f"no codes found for {query!r}")
        return 1
    for hit in hits:
        mark = " " if hit.billable else "*"
        print(f"{hit.code:9}{mark} {hit.system:9} {hit.title}")
    if any(not h.billable for h in hits):
        print("* a heading, not billable")
    return 0
