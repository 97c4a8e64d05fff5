"""Why a line got its verdict: the codebook note that applies, the rule, and the missed detail.

Codebook look-ups are cached per (codebook, code): grading thousands of charts asks the same few
hundred codes again and again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from simulator.codebook.edits import any_match, parse_references
from simulator.codebook.index import Codebook, Note
from simulator.codebook.pcs import AXIS_NAMES
from simulator.codebook.validate import Validation, validate_icd10cm
from simulator.scoring.model import LineVerdict

GUIDELINES: dict[LineVerdict, str] = {
    LineVerdict.LESS_SPECIFIC: (
        "ICD-10-CM Guideline I.B.18: an unspecified code is for a record that lacks the detail; "
        "when the documentation names it, code to that specificity"
    ),
    LineVerdict.WRONG_SEVENTH: (
        "ICD-10-CM Guideline I.A.5 (7th characters) and, for injuries, I.C.19.a: A while the "
        "patient receives active treatment, D for care in the healing or recovery phase, "
        "S for a sequela"
    ),
    LineVerdict.WRONG_LATERALITY: (
        "ICD-10-CM Guideline I.B.13 (laterality): the code's side is the documented side"
    ),
    LineVerdict.PLACEHOLDER: (
        "ICD-10-CM Guideline I.A.4: placeholder X fills the empty positions of a code that "
        "takes a 7th character"
    ),
    LineVerdict.NOT_BILLABLE: (
        "ICD-10-CM Guideline I.A.3: only complete codes are reported, never a category or "
        "subcategory heading; any required 7th character included"
    ),
    LineVerdict.MODIFIER_UNITS: (
        "CPT/HCPCS reporting: a modifier says what the code alone cannot (25 a separate E/M, "
        "59/XU a distinct service, LT/RT the side); units follow the code's dose or time unit"
    ),
    LineVerdict.MISSING: (
        "ICD-10-CM Sections III and IV.J: report every documented condition that affects "
        "care (inpatient and outpatient), and every reportable procedure"
    ),
    LineVerdict.EXTRA: (
        "ICD-10-CM Sections III and IV.J: code only what the provider documents; an "
        "unsupported code is over-coding, a compliance risk"
    ),
    LineVerdict.POA_WRONG: (
        "ICD-10-CM Appendix I (present on admission): Y present at the inpatient admission "
        "order, N not present, U documentation insufficient, W clinically undetermined"
    ),
}
"""The rule behind each verdict that loses something, in one line."""

SEQUENCING_RULE = {
    True: (
        "ICD-10-CM Section II: the principal diagnosis is the condition established after "
        "study to be chiefly responsible for the admission"
    ),
    False: (
        "ICD-10-CM Section IV.G: list first the condition chiefly responsible for the "
        "outpatient visit"
    ),
}
"""The sequencing rule, keyed by whether the chart is inpatient."""

WRONG_RULES = {
    "icd10cm": (
        "ICD-10-CM Guideline I.A.19 and I.B.1: the code follows the provider's documentation, "
        "found in the Alphabetic Index and confirmed in the Tabular List"
    ),
    "icd10pcs": (
        "ICD-10-PCS: each of the seven characters is an axis (section, body system, root "
        "operation, body part, approach, device, qualifier) and each follows the operative note"
    ),
    "cpt": "CPT: the code (and an E/M level) follows what the documentation supports",
    "hcpcs": "HCPCS Level II: the code follows the drug or supply documented",
}
"""The rule behind a wrong code, by code set."""

_CONNECTIVES = frozenset(
    {"with", "without", "and", "of", "in", "due", "to", "for", "the", "a", "by", "or", "on"}
)
_SIDES = frozenset({"right", "left", "bilateral"})
_VAGUE = ("unspecified", "without complications", "not elsewhere classified", "nos")


@dataclass(frozen=True)
class Why:
    """An explanation of a verdict, the codebook note that applies, the rule and missed detail."""

    explanation: str
    note: str = ""
    guideline: str = ""
    detail: str = ""


@lru_cache(maxsize=8192)
def title(book: Codebook, code: str, system: str = "icd10cm") -> str | None:
    """Return a code's title, or None when the codebook does not know it."""
    entry = book.lookup(code, system)
    return entry.title if entry is not None else None


@lru_cache(maxsize=8192)
def check(book: Codebook, code: str) -> Validation:
    """Return the codebook's validation of an ICD-10-CM code."""
    return validate_icd10cm(book, code)


@lru_cache(maxsize=4096)
def notes(book: Codebook, code: str) -> tuple[Note, ...]:
    """Return a code's tabular notes, its own and its ancestors'."""
    return tuple(book.notes(code))


@lru_cache(maxsize=4096)
def seventh(book: Codebook, code: str) -> tuple[tuple[str, str], ...]:
    """Return the 7th-character table that applies to a code."""
    return tuple(book.seventh_characters(code).items())


@lru_cache(maxsize=4096)
def ancestors(book: Codebook, code: str) -> tuple[str, ...]:
    """Return the codes above a code, nearest first."""
    return tuple(a.code for a in book.ancestors(code))


@lru_cache(maxsize=16384)
def excludes1_note(book: Codebook, one: str, other: str) -> str:
    """Return the Excludes1 note of one (or an ancestor) that names other, or ''."""
    for note in notes(book, one):
        if note.kind == "excludes1" and any_match(parse_references(note.text), other):
            return f"Excludes1 at {note.source}: {one_line(note.text)} (so not with {other})"
    return ""


def named(book: Codebook, code: str, system: str = "icd10cm") -> str:
    """Return a code with its title in parentheses, as feedback names codes."""
    found = title(book, code, system)
    return f"{code} ({found})" if found else code


def one_line(text: str) -> str:
    """Collapse whitespace, so a multi-line note or rationale reads as one line."""
    return " ".join(text.split())


def quote(evidence: str) -> str:
    """Return the documentation evidence in quotes, or nothing when there is none."""
    return f' ("{one_line(evidence)}")' if evidence else ""


def missed_detail(expected_title: str, submitted_title: str) -> str:
    """Return the words of the expected title that the submitted title leaves out.

    Titles are compared word by word from both ends, so "Type 2 diabetes mellitus with
    hyperglycemia" against "Type 2 diabetes mellitus without complications" gives
    "hyperglycemia"; when the titles share nothing at the ends, the words of the expected title
    that the other lacks are kept in order.
    """
    exp = expected_title.replace(",", " ,").split()
    got = submitted_title.replace(",", " ,").split()
    start = 0
    while start < min(len(exp), len(got)) and exp[start].lower() == got[start].lower():
        start += 1
    end = 0
    while (
        end < min(len(exp), len(got)) - start
        and exp[len(exp) - 1 - end].lower() == got[len(got) - 1 - end].lower()
    ):
        end += 1
    rest = exp[start : len(exp) - end]
    if start == 0 and end == 0:
        have = {w.lower() for w in got}
        rest = [w for w in exp if w.lower() not in have]
    while rest and (rest[0].lower() in _CONNECTIVES or rest[0] == ","):
        rest = rest[1:]
    while rest and (rest[-1].lower() in _CONNECTIVES or rest[-1] == ","):
        rest = rest[:-1]
    return " ".join(rest).replace(" ,", ",").lower()


def is_vague(text: str) -> bool:
    """True when a title says the code is unspecified, NOS or without complications."""
    lowered = text.lower()
    return any(word in lowered for word in _VAGUE)


def sides(text: str) -> set[str]:
    """Return the side words (right, left, bilateral) a title names."""
    return {w for w in re.split(r"[\s,()]+", text.lower()) if w in _SIDES}


def excludes1_between(book: Codebook, code: str, others: tuple[str, ...]) -> str:
    """Return the Excludes1 note that forbids code with any of others, or ''."""
    for one, other in [(code, o) for o in others] + [(o, code) for o in others]:
        found = excludes1_note(book, one, other) if one != other else ""
        if found:
            return found
    return ""


def required_by(book: Codebook, code: str, others: tuple[str, ...]) -> str:
    """Return the 'use additional code' or 'code first' note of another code naming code, or ''."""
    for other in others:
        if other == code:
            continue
        for note in notes(book, other):
            if note.kind not in ("use_additional_code", "code_first", "code_also"):
                continue
            if any_match(parse_references(note.text), code):
                words = note.kind.replace("_", " ")
                return f'{note.source} says "{words}": {one_line(note.text)}'
    return ""


def seventh_table(book: Codebook, code: str) -> str:
    """Return the 7th-character table of a code's category as one line, with its note."""
    table = seventh(book, code)
    if not table:
        return ""
    rows = "; ".join(f"{ch} = {meaning}" for ch, meaning in table)
    rule = next((one_line(n.text) for n in notes(book, code) if n.kind == "seventh_note"), "")
    return f"7th characters: {rows}" + (f". {rule}" if rule else "")


def less_specific(book: Codebook, expected: str, code: str, evidence: str) -> Why:
    """Explain a submitted code that leaves out documented detail."""
    exp_title = title(book, expected) or expected
    got_title = title(book, code) or code
    detail = missed_detail(exp_title, got_title)
    documented = f"the note documents {detail}" if detail else "the note documents more detail"
    return Why(
        explanation=(
            f"{named(book, code)} is less specific than the documentation: {documented}"
            f"{quote(evidence)}, which {expected} ({exp_title}) captures"
        ),
        note=f"Tabular: {expected} {exp_title}; {code} {got_title}",
        guideline=GUIDELINES[LineVerdict.LESS_SPECIFIC],
        detail=detail,
    )


def wrong_seventh(book: Codebook, expected: str, code: str, evidence: str) -> Why:
    """Explain a code whose 7th character does not match the encounter documented."""
    table = dict(seventh(book, expected))
    got_char, exp_char = code[-1], expected[-1]
    return Why(
        explanation=(
            f"{code} has 7th character {got_char} ({table.get(got_char, 'not defined here')}); "
            f"the chart supports {exp_char} ({table.get(exp_char, '?')}){quote(evidence)}: "
            f"{expected}"
        ),
        note=seventh_table(book, expected),
        guideline=GUIDELINES[LineVerdict.WRONG_SEVENTH],
    )


def placeholder(book: Codebook, expected: str, code: str, evidence: str) -> Why:
    """Explain a code typed without its placeholder X."""
    rule = seventh_table(book, expected).split(". ", 1)
    return Why(
        explanation=(
            f"{code} leaves out placeholder X: the code has fewer than six characters before "
            f"its 7th, so X fills the gap: {named(book, expected)}{quote(evidence)}"
        ),
        note=rule[1] if len(rule) > 1 else f"{expected}: {title(book, expected) or ''}",
        guideline=GUIDELINES[LineVerdict.PLACEHOLDER],
    )


def not_billable(book: Codebook, expected: str, code: str, evidence: str) -> Why:
    """Explain a category or subcategory heading submitted instead of a code."""
    checked = check(book, code)
    kind = checked.entry.kind if checked.entry is not None else "heading"
    chain = list(ancestors(book, expected))
    note = checked.message
    if code in chain:
        steps = [*reversed(chain[: chain.index(code) + 1]), expected]
        note = "Tabular: " + " > ".join(f"{c} {title(book, c) or ''}".strip() for c in steps)
        note += f"; {checked.message}"
    return Why(
        explanation=(
            f"{named(book, code)} is a {kind} heading, not a code a claim can carry; the "
            f"documentation supports {named(book, expected)}{quote(evidence)}"
        ),
        note=note,
        guideline=GUIDELINES[LineVerdict.NOT_BILLABLE],
    )


def laterality(book: Codebook, expected: str, code: str, evidence: str) -> Why:
    """Explain a code for the other side."""
    exp_title = title(book, expected) or expected
    got_title = title(book, code) or code
    documented = ", ".join(sorted(sides(exp_title))) or "the other side"
    return Why(
        explanation=(
            f"{code} is for the {', '.join(sorted(sides(got_title))) or 'wrong side'}; the "
            f"chart documents the {documented}{quote(evidence)}: {expected}"
        ),
        note=f"Tabular: {expected} {exp_title}; {code} {got_title}",
        guideline=GUIDELINES[LineVerdict.WRONG_LATERALITY],
    )


def wrong_code(
    book: Codebook, system: str, expected: str, code: str, evidence: str, others: tuple[str, ...]
) -> Why:
    """Explain a code of the right family that is not the documented one."""
    exp_title = title(book, expected, system) or expected
    got_title = title(book, code, system)
    text = (
        f"{code}{f' ({got_title})' if got_title else ''} is not what the documentation "
        f"supports: {expected} ({exp_title}){quote(evidence)}"
    )
    note = ""
    if system == "icd10cm":
        if got_title is not None:
            extra = missed_detail(got_title, exp_title)
            if extra and not is_vague(extra):
                text += f"; {code} claims {extra}, which the chart does not document"
        note = excludes1_between(book, code, (expected, *others))
    elif system == "icd10pcs" and len(code) == len(expected) == 7:
        axes = [
            f"{AXIS_NAMES[i].lower()} (character {i + 1}: {code[i]} vs {expected[i]})"
            for i in range(7)
            if code[i] != expected[i]
        ]
        note = "differs in the " + ", ".join(axes)
    return Why(text, note=note, guideline=WRONG_RULES.get(system, ""))


def missing(
    book: Codebook, system: str, expected: str, evidence: str, others: tuple[str, ...]
) -> Why:
    """Explain a key line the coder left out."""
    note = required_by(book, expected, others) if system == "icd10cm" else ""
    return Why(
        explanation=(
            f"{named(book, expected, system)} was expected and not coded: the chart documents "
            f"it{quote(evidence)}"
        ),
        note=note,
        guideline=GUIDELINES[LineVerdict.MISSING],
    )


def extra(book: Codebook, system: str, code: str, others: tuple[str, ...]) -> Why:
    """Explain a submitted code no key line supports."""
    note = ""
    if system == "icd10cm":
        checked = check(book, code)
        note = excludes1_between(book, code, others) or ("" if checked.ok else checked.message)
    return Why(
        explanation=(
            f"{named(book, code, system)} is not supported by this chart's documentation; "
            "extra codes count against accuracy"
        ),
        note=note,
        guideline=GUIDELINES[LineVerdict.EXTRA],
    )


def duplicate(code: str, part: str) -> Why:
    """Explain a code submitted twice."""
    if part == "diagnoses":
        return Why(
            explanation=f"{code} is already on the claim; a diagnosis code is reported once",
            guideline=(
                "ICD-10-CM Guideline I.B.12: each unique diagnosis code is reported only once "
                "for an encounter"
            ),
        )
    return Why(
        explanation=(
            f"{code} is already on the claim; a repeated service is reported with units, or "
            "with a modifier such as 59/XU when it is distinct"
        ),
        guideline=GUIDELINES[LineVerdict.MODIFIER_UNITS],
    )


def modifier_units(
    book: Codebook,
    expected: tuple[tuple[str, ...], int],
    got: tuple[tuple[str, ...], int],
    evidence: str,
) -> Why:
    """Explain a right procedure code with the wrong modifiers or units."""
    (exp_mods, exp_units), (got_mods, got_units) = expected, got
    problems = []
    if sorted(exp_mods) != sorted(got_mods):
        problems.append(
            f"modifiers {'-'.join(exp_mods) or 'none'} expected, you gave "
            f"{'-'.join(got_mods) or 'none'}"
        )
    if exp_units != got_units:
        problems.append(f"{exp_units} unit(s) expected, you gave {got_units}")
    meanings = [
        f"{m} = {title(book, m, 'modifier')}"
        for m in sorted(set(exp_mods) | set(got_mods))
        if title(book, m, "modifier")
    ]
    return Why(
        explanation=f"code right; {'; '.join(problems)}{quote(evidence)}",
        note="; ".join(meanings),
        guideline=GUIDELINES[LineVerdict.MODIFIER_UNITS],
    )


def poa_words(book: Codebook, flag: str | None) -> str:
    """Return a POA indicator with its meaning, e.g. 'Y (Yes: condition was present ...)'."""
    if not flag:
        return "none"
    meaning = title(book, flag, "poa")
    return f"{flag} ({meaning.split(';')[0]})" if meaning else flag


def code_first_note(book: Codebook, first: str, principal: str) -> str:
    """Return the 'code first' note at the submitted first code that names the key principal."""
    for note in notes(book, first):
        if note.kind == "code_first" and any_match(parse_references(note.text), principal):
            return f'{note.source} says "code first": {one_line(note.text)}'
    return ""
