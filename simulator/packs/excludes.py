"""Excludes1 conflicts inside one answer key: two codes the tabular says never go together."""

from __future__ import annotations

from collections.abc import Sequence

from simulator.codebook.edits import claim_edits
from simulator.codebook.index import Codebook
from simulator.codebook.validate import normalize_code


def excludes1_conflicts(book: Codebook, codes: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """Return (line number, message) for each pair of key codes an Excludes1 note forbids."""
    usable = [(i, normalize_code(code)) for i, code in codes if "{{" not in code]
    line_of: dict[str, int] = {}
    for i, code in usable:
        line_of.setdefault(code, i)
    found: list[tuple[int, str]] = []
    for edit in claim_edits(book, [code for _, code in usable], principal_first=False):
        if edit.kind != "excludes1":
            continue
        found.append(
            (
                line_of[edit.codes[1]],
                f"{edit.message}; report both only when the conditions are unrelated "
                "(Guideline I.A.12.a)",
            )
        )
    return found
