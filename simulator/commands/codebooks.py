"""`codedesk codebooks ...`: build and describe the local codebook index."""

from __future__ import annotations

import argparse

from simulator.commands import importers
from simulator.commands.common import load_settings, progress


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `codebooks` command and its actions."""
    books = sub.add_parser("codebooks", help="build and inspect the local codebook index")
    actions = books.add_subparsers(dest="books_command", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build the codebook index into the cache folder")
    build.add_argument("--force", action="store_true", help="rebuild even if it exists")
    build.set_defaults(handler=build_books)
    info = actions.add_parser("info", help="show where the index is and what it holds")
    info.set_defaults(handler=book_info)
    importers.register(actions)


def build_books(args: argparse.Namespace) -> int:
    """Build the index unless it is up to date."""
    from simulator.codebook import build

    settings = load_settings()
    target = build.index_path(settings.cache_dir, settings.data_dir)
    if target.exists() and not args.force:
        print(f"up to date: {target}")
        return 0
    path = build.build_index(settings.cache_dir, progress, data_dir=settings.data_dir)
    print(f"built {path}")
    return 0


def book_info(args: argparse.Namespace) -> int:
    """Print the index path, its source versions and what each code set holds."""
    from simulator.codebook import Codebook

    settings = load_settings()
    book = Codebook.open_or_build(settings.cache_dir, progress, settings.data_dir)
    print(f"index: {book.path}")
    for key, value in sorted(book.meta.items()):
        print(f"  {key}: {value}")
    for system in ("icd10cm", "icd10pcs", "cpt", "hcpcs", "modifier", "pos"):
        print(f"  {system}: {book.count(system)} entries, {book.count(system, True)} billable")
    return 0
