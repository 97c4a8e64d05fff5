"""Excludes1 conflicts inside one answer key: two codes the tabular says never go together."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from simulator.codebook.index import Codebook
from simulator.codebook.validate import normalize_code

_PAREN = re.compile(r"\(([^()]*)\)")
_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?"
_SINGLE = re.compile(rf"^({_CODE})\.?-?$")
_RANGE = re.compile(rf"^({_CODE})\.?-?\s*-\s*({_CODE})\.?-?$")

Ref = tuple[str, str]
"""An inclusive range of codes, flat (no dot), e.g. ("O10", "O16"); one code is (c, c)."""


def parse_refs(text: str) -> list[Ref]:
    """Return the code ranges a tabular note refers to in parentheses, e.g. (E08.-), (O10-O16)."""
    refs: list[Ref] = []
    for group in _PAREN.findall(text):
        for token in group.split(","):
            token = token.strip().upper()
            single = _SINGLE.match(token)
            if single:
                flat = single.group(1).replace(".", "")
                refs.append((flat, flat))
                continue
            pair = _RANGE.match(token)
            if pair:
                refs.append((pair.group(1).replace(".", ""), pair.group(2).replace(".", "")))
    return refs


def in_ref(code: str, ref: Ref) -> bool:
    """Return True when a code falls inside a referenced range (compared at the range's depth)."""
    flat = code.replace(".", "")
    low, high = ref
    return low <= flat[: len(low)] and flat[: len(high)] <= high


@lru_cache(maxsize=4096)
def _excludes1(book: Codebook, code: str) -> tuple[tuple[str, str, tuple[Ref, ...]], ...]:
    """Return (where, note text, ranges) for each Excludes1 note that applies to a code."""
    return tuple(
        (note.source, note.text, tuple(parse_refs(note.text)))
        for note in book.notes(code)
        if note.kind == "excludes1"
    )


def excludes1_conflicts(book: Codebook, codes: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """Return (line number, message) for each pair of key codes an Excludes1 note forbids."""
    found: list[tuple[int, str]] = []
    seen: set[frozenset[int]] = set()
    for i, first in codes:
        if "{{" in first:
            continue
        for source, text, refs in _excludes1(book, normalize_code(first)):
            for j, second in codes:
                pair = frozenset((i, j))
                if j == i or pair in seen or "{{" in second:
                    continue
                if any(in_ref(normalize_code(second), ref) for ref in refs):
                    seen.add(pair)
                    note = " ".join(text.split())
                    found.append(
                        (
                            j,
                            f"{second} with {first}: Excludes1 at {source} ({note!r}); report "
                            "both only when the conditions are unrelated (Guideline I.A.12.a)",
                        )
                    )
    return found
