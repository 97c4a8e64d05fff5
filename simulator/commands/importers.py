"""`codedesk codebooks import-hcpcs|import-cpt|remove-import`: bring annual and licensed files in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.commands.common import CliError, load_settings, progress

if TYPE_CHECKING:
    from simulator.codebook.importers import Kind, ParsedFile
    from simulator.config import Settings

KINDS = ("hcpcs", "cpt")
"""The imports that exist (simulator.codebook.importers.KINDS, kept light for start-up)."""

MAX_SHOWN = 200
"""Print at most this many problems of a rejected file, then say how many more there are."""


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the import actions to the `codebooks` command's action subparsers."""
    hcpcs = actions.add_parser(
        "import-hcpcs",
        help="import the CMS annual HCPCS Level II file (fixed-width text or CSV)",
        description=(
            "Import the CMS annual HCPCS Level II file (e.g. HCPC2026_JAN_ANWEB.txt, or its "
            "CSV export). The whole file is checked first; any problem rejects it and changes "
            "nothing. Imported codes replace the built-in ones and the index is rebuilt."
        ),
    )
    hcpcs.add_argument("file", type=Path, metavar="FILE", help="the CMS file to import")
    hcpcs.add_argument("--check", action="store_true", help="only validate; change nothing")
    hcpcs.set_defaults(handler=import_hcpcs)

    cpt = actions.add_parser(
        "import-cpt",
        help="import a licensed CPT file (code and descriptor, tab or comma separated)",
        description=(
            "Import CPT codes and descriptors from a file you hold a licence for: one code and "
            "its descriptor per line, separated by a tab or a comma, with an optional header. "
            "The whole file is checked first; any problem rejects it and changes nothing."
        ),
    )
    cpt.add_argument("file", type=Path, metavar="FILE", help="the CPT file to import")
    cpt.add_argument("--check", action="store_true", help="only validate; change nothing")
    cpt.set_defaults(handler=import_cpt)

    remove = actions.add_parser(
        "remove-import", help="forget an imported file and go back to the built-in codes"
    )
    remove.add_argument("kind", choices=KINDS, help="which import to remove")
    remove.set_defaults(handler=remove_import)


def import_hcpcs(args: argparse.Namespace) -> int:
    """Validate and import a CMS HCPCS Level II file, then rebuild the index."""
    return _import("hcpcs", args.file, args.check)


def import_cpt(args: argparse.Namespace) -> int:
    """Validate and import a licensed CPT file, then rebuild the index."""
    return _import("cpt", args.file, args.check)


def remove_import(args: argparse.Namespace) -> int:
    """Delete an import and rebuild the index without it."""
    from simulator.codebook import importers

    settings = load_settings()
    try:
        removed = importers.remove_import(args.kind, settings.data_dir)
    except OSError as exc:
        raise CliError(f"cannot remove the {args.kind} import: {exc.strerror or exc}") from None
    if not removed:
        print(f"no {args.kind} import to remove")
        return 0
    print(f"removed the {args.kind} import")
    _rebuild(settings)
    return 0


def _counted(count: int, noun: str) -> str:
    """Return a count with its noun, plural when the count is not one."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _summary(parsed: ParsedFile) -> str:
    """Say in words what a parsed file holds."""
    if parsed.kind == "cpt":
        return _counted(parsed.count("cpt"), "CPT code")
    codes = _counted(parsed.count("hcpcs"), "HCPCS Level II code")
    ended = sum(1 for code in parsed.codes if code.terminated and code.system == "hcpcs")
    if ended:
        codes += f" ({ended:,} discontinued)"
    return f"{codes} and {_counted(parsed.count('modifier'), 'modifier')}"


def _import(kind: Kind, file: Path, check_only: bool) -> int:
    """Parse a file, print every problem (exit 1) or save it and rebuild the index."""
    from simulator.codebook import importers

    settings = load_settings()
    try:
        parsed = importers.parse_file(kind, file)
    except importers.ImportRejected as exc:
        for problem in exc.problems[:MAX_SHOWN]:
            print(problem, file=sys.stderr)
        hidden = len(exc.problems) - MAX_SHOWN
        if hidden > 0:
            print(f"... and {hidden:,} more problems", file=sys.stderr)
        found = _counted(len(exc.problems), "problem")
        print(f"{file}: {found}; nothing was imported", file=sys.stderr)
        return 1
    read_as = "" if parsed.encoding == "utf-8" else f", read as {parsed.encoding}"
    found = f"{_summary(parsed)} ({parsed.layout}{read_as})"
    if check_only:
        print(f"{file}: valid: {found}; nothing changed (--check)")
        return 0
    try:
        target = importers.save_import(parsed, settings.data_dir)
    except OSError as exc:
        folder = importers.imports_dir(settings.data_dir)
        raise CliError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    print(f"imported {found} from {file} into {target}")
    _rebuild(settings)
    return 0


def _rebuild(settings: Settings) -> None:
    """Rebuild the codebook index so it reflects the imports."""
    from simulator.codebook import build

    path = build.build_index(settings.cache_dir, progress, data_dir=settings.data_dir)
    print(f"rebuilt the codebook index: {path}")
