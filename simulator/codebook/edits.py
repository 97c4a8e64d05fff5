"""Claim-level edits read from the ICD-10-CM tabular notes: Excludes1, code first, use additional.

The notes name other codes in parentheses, e.g. "type 1 diabetes mellitus (E10.-)",
"(I10-I16)", "(N18.1-N18.4, N18.9)" or "(F10.--F19.-)". `parse_references` turns such text into
`CodeRef`s (one code and everything under it, or a range of codes), and `claim_edits` checks a
claim's diagnoses against the notes of each code and of its ancestors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from simulator.codebook.index import Codebook, Note
from simulator.codebook.validate import normalize_code

EditSeverity = Literal["error", "warning"]
"""An error is a hard stop on the claim; a warning asks the coder to check."""

_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_TOKEN = re.compile(rf"(?<![A-Za-z0-9.])(?P<code>{_CODE})(?P<suffix>\.?-?)(?![A-Za-z0-9])")
"""One code in a note, with its `-` or `.-` suffix (meaning: and all codes under it)."""

_RANGE_GAP = re.compile(r"^\s*(?:-|to)?\s*$")
"""What may stand between the two ends of a range: `I10-I16`, `F10.--F19.-`, `M05.00 to M05.8A`."""

_QUALIFIED = re.compile(r"\bwith\b", re.IGNORECASE)
"""Groups like "(T36-T50 with fifth or sixth character 5)" name only part of their codes."""

_GROUP = re.compile(r"\(([^()]*)\)")
"""A parenthesised group, where the tabular puts the codes it refers to."""


@dataclass(frozen=True, slots=True)
class CodeRef:
    """A code named in a note: `low` and all codes under it, or `low` to `high` inclusive."""

    low: str
    high: str | None = None

    def matches(self, code: str) -> bool:
        """True when code is the referenced code, under it, or inside the referenced range."""
        key = code.replace(".", "")
        low = self.low.replace(".", "")
        if self.high is None:
            return key.startswith(low)
        high = self.high.replace(".", "")
        return key[: len(low)] >= low and key[: len(high)] <= high

    def __str__(self) -> str:
        """Show the reference as the tabular writes it (E10.-, I10-I16, Z79.4)."""
        return self.low if self.high is None else f"{self.low}-{self.high}"


@dataclass(frozen=True, slots=True)
class Edit:
    """One claim-level edit: what kind, the codes involved, how serious, and what to do."""

    kind: str
    codes: tuple[str, ...]
    severity: EditSeverity
    message: str


@lru_cache(maxsize=4096)
def parse_references(text: str) -> tuple[CodeRef, ...]:
    """Return the codes and ranges a note names in parentheses, in order, without repeats.

    A group qualified by "with" (e.g. "(E08-E13 with .52)") names only some codes of its range
    in a way a prefix cannot express, so it is left out rather than read too broadly.
    """
    found: list[CodeRef] = []
    for group in _GROUP.finditer(text):
        inner = group.group(1)
        if _QUALIFIED.search(inner):
            continue
        tokens = list(_TOKEN.finditer(inner))
        index = 0
        while index < len(tokens):
            token = tokens[index]
            ref = CodeRef(token.group("code"))
            if index + 1 < len(tokens):
                after = tokens[index + 1]
                gap = inner[token.end() : after.start()]
                if _RANGE_GAP.match(gap) and ("-" in token.group("suffix") + gap or "to" in gap):
                    ref = CodeRef(token.group("code"), after.group("code"))
                    index += 1
            if ref not in found:
                found.append(ref)
            index += 1
    return tuple(found)


def any_match(refs: Iterable[CodeRef], code: str) -> bool:
    """True when any reference matches the code."""
    return any(ref.matches(code) for ref in refs)


@dataclass(frozen=True, slots=True)
class Requirement:
    """One "use additional code" requirement: its wording and the alternatives it names."""

    header: str
    items: tuple[str, ...]
    refs: tuple[CodeRef, ...]
    checkable: bool


def split_requirements(text: str) -> list[Requirement]:
    """Split a "use additional code" note into requirements, one per line starting with "code".

    A line that does not start with "code" is one more alternative of the requirement above it.
    A requirement is checkable only when it names codes for every alternative and does not
    say "such as" (examples, not a closed list).
    """
    blocks: list[list[str]] = []
    for line in (part.strip() for part in text.splitlines()):
        if not line:
            continue
        if not blocks or re.match(r"^code\b", line, re.IGNORECASE):
            blocks.append([line])
        else:
            blocks[-1].append(line)
    found = []
    for header, *items in blocks:
        alternatives = items or [header]
        refs = tuple(r for part in alternatives for r in parse_references(part))
        checkable = (
            bool(refs)
            and all(parse_references(part) for part in alternatives)
            and "such as" not in header.lower()
        )
        found.append(Requirement(header, tuple(items), refs, checkable))
    return found


def is_manifestation(book: Codebook, code: str) -> bool:
    """True when a code is a manifestation that must follow its underlying condition.

    That is an "in diseases classified elsewhere" code, or one with a "code first the
    underlying ..." note that does not say "if applicable".
    """
    entry = book.lookup(code)
    if entry is None:
        return False
    titles = [entry.title, *(a.title for a in book.ancestors(code) if a.kind != "chapter")]
    if any("classified elsewhere" in t.lower() for t in titles):
        return True
    return any(
        "underlying" in n.text.lower() and "if applicable" not in n.text.lower()
        for n in book.notes(code)
        if n.kind == "code_first"
    )


def claim_edits(
    book: Codebook, diagnoses: Sequence[str], principal_first: bool = True
) -> list[Edit]:
    """Check a claim's ICD-10-CM diagnoses against the tabular notes of each code.

    Reports: Excludes1 pairs on one claim (error); a manifestation code as principal (error); a
    principal listed before a condition its "code first" note names (warning); and a "use
    additional code" note naming codes of which none is on the claim (warning). Notes written
    at block or chapter level are not used for the "use additional code" check, which would
    otherwise warn about tobacco exposure on every circulatory code. Codes the codebook does
    not know are skipped: validation reports them.
    """
    codes: list[str] = []
    for raw in diagnoses:
        code = normalize_code(raw)
        if code and code not in codes:
            codes.append(code)
    known = [c for c in codes if book.lookup(c) is not None]
    notes = {c: book.notes(c) for c in known}
    edits: list[Edit] = []
    edits += _excludes1(known, notes)
    if principal_first and known and codes[0] == known[0]:
        edits += _principal(book, known, notes[known[0]])
    edits += _use_additional(book, known, notes)
    return edits


def _excludes1(codes: list[str], notes: dict[str, list[Note]]) -> list[Edit]:
    """Return one error per pair of claim codes where one's Excludes1 note names the other."""
    edits: list[Edit] = []
    seen: set[frozenset[str]] = set()
    for code in codes:
        for note in notes[code]:
            if note.kind != "excludes1":
                continue
            refs = parse_references(note.text)
            for other in codes:
                pair = frozenset((code, other))
                if other == code or pair in seen or not any_match(refs, other):
                    continue
                seen.add(pair)
                edits.append(
                    Edit(
                        kind="excludes1",
                        codes=(code, other),
                        severity="error",
                        message=(
                            f"{code} and {other} cannot be coded together: Excludes1 at "
                            f"{note.source}: {_one_line(note.text)}"
                        ),
                    )
                )
    return edits


def _principal(book: Codebook, codes: list[str], notes: list[Note]) -> list[Edit]:
    """Return the edits about the principal diagnosis: manifestation, or code-first order."""
    principal = codes[0]
    if is_manifestation(book, principal):
        first = next((n for n in notes if n.kind == "code_first"), None)
        hint = ""
        if first is not None:
            header = first.text.strip().splitlines()[0].rstrip(":").strip()
            header = re.sub(r",?\s*such as$", "", header)
            hint = f": code first {header}"
            refs = parse_references(first.text)
            present = [c for c in codes[1:] if any_match(refs, c)]
            if present:
                hint += f" ({', '.join(present)} is on the claim: list it first)"
        return [
            Edit(
                kind="manifestation_principal",
                codes=(principal,),
                severity="error",
                message=(
                    f"{principal} is a manifestation code and cannot be the principal "
                    f"diagnosis{hint}"
                ),
            )
        ]
    edits = []
    for note in notes:
        if note.kind != "code_first":
            continue
        refs = parse_references(note.text)
        later = [c for c in codes[1:] if any_match(refs, c)]
        if later:
            edits.append(
                Edit(
                    kind="code_first",
                    codes=(principal, *later),
                    severity="warning",
                    message=(
                        f"{principal} is listed first, but the code-first note at "
                        f"{note.source} puts {', '.join(later)} before it"
                    ),
                )
            )
    return edits


def _use_additional(book: Codebook, codes: list[str], notes: dict[str, list[Note]]) -> list[Edit]:
    """Return a warning for each "use additional code" requirement with no partner on the claim."""
    edits: list[Edit] = []
    done: set[tuple[str, str]] = set()
    for code in codes:
        broad = {a.code for a in book.ancestors(code) if a.kind in ("block", "chapter")}
        for note in notes[code]:
            if note.kind != "use_additional_code" or note.source in broad:
                continue
            for req in split_requirements(note.text):
                key = (note.source, req.header + "|".join(req.items))
                if not req.checkable or key in done:
                    continue
                if any(any_match(req.refs, other) for other in codes if other != code):
                    continue
                done.add(key)
                edits.append(
                    Edit(
                        kind="use_additional_code",
                        codes=(code,),
                        severity="warning",
                        message=f"{note.source}: use additional {_requirement_words(req)}",
                    )
                )
    return edits


def _requirement_words(req: Requirement) -> str:
    """Say a requirement in one short line, ending "if applicable"."""
    header = re.sub(r"\s*:\s*$", "", req.header)
    header = re.sub(r",?\s*(if|where) applicable,?", "", header).strip()
    if req.items:
        items: list[str] = []
        seen: set[tuple[CodeRef, ...]] = set()
        for item in req.items:
            refs = parse_references(item)
            if refs not in seen:
                seen.add(refs)
                items.append(item)
        alternatives = items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
        header = f"{header} {alternatives}"
    return f"{header}, if applicable"


def _one_line(text: str) -> str:
    """Collapse a multi-line note into one line."""
    return re.sub(r"\s*\n\s*", "; ", text.strip()).replace(":;", ":")
