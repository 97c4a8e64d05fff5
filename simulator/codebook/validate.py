"""Validate a typed code: a verdict a coder can act on, and a hint that says what to do."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from simulator.codebook.index import Codebook, CodeEntry
from simulator.codebook.validity import valid_in_year

_ICD10CM_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


class Verdict(StrEnum):
    """What the codebook says of a typed code."""

    VALID = "valid"
    NOT_BILLABLE = "not billable"
    MISSING_SEVENTH = "missing 7th character"
    MISSING_PLACEHOLDER = "placeholder X missing"
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    NOT_IN_YEAR = "not valid in that year"


@dataclass(frozen=True)
class Validation:
    """The verdict on one typed code, the hint, and any codes worth suggesting."""

    code: str
    system: str
    verdict: Verdict
    message: str
    year: int
    entry: CodeEntry | None = None
    suggestions: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the code may go on a claim."""
        return self.verdict is Verdict.VALID


def normalize_code(raw: str) -> str:
    """Upper-case a typed ICD-10-CM code and put its dot after the third character."""
    code = re.sub(r"\s+", "", raw).upper()
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def validate_icd10cm(book: Codebook, raw: str, year: int | None = None) -> Validation:
    """Validate a typed ICD-10-CM diagnosis code against the codebook."""
    data_year = book.icd10cm_year
    warnings: tuple[str, ...] = ()
    if year is not None and year != data_year:
        warnings = (
            f"titles are from the FY{data_year} tabular; FY{year} validity is checked with "
            "the Medicare Code Editor",
        )
    code = normalize_code(raw)

    def result(verdict: Verdict, message: str, **kw: object) -> Validation:
        return Validation(
            code=code,
            system="icd10cm",
            verdict=verdict,
            message=message,
            year=data_year,
            warnings=warnings,
            **kw,  # type: ignore[arg-type]
        )

    if not code:
        return result(Verdict.MALFORMED, "empty: type an ICD-10-CM code such as E11.9")
    if not _ICD10CM_SHAPE.match(code):
        return result(
            Verdict.MALFORMED,
            f"{raw.strip()!r} is not shaped like an ICD-10-CM code "
            "(a letter, two characters, then up to four after the dot, e.g. S52.532A)",
        )
    entry = book.lookup(code)
    if entry is not None and entry.billable:
        if year is not None and year != data_year and valid_in_year(code, "icd10cm", year) is False:
            return result(
                Verdict.NOT_IN_YEAR,
                f"{code} ({entry.title}) is valid in FY{data_year} but not in FY{year} "
                "(Medicare Code Editor)",
                entry=entry,
            )
        return result(Verdict.VALID, entry.title, entry=entry)
    if entry is not None:
        children = book.children(code)
        seventh = book.seventh_characters(code)
        if seventh and children and all(len(c.code) == 8 for c in children):
            allowed = ", ".join(f"{ch} ({meaning})" for ch, meaning in seventh.items())
            return result(
                Verdict.MISSING_SEVENTH,
                f"{code} needs a 7th character: {allowed}",
                entry=entry,
                suggestions=tuple(c.code for c in children[:8]),
            )
        if seventh and not children:
            padded = code.replace(".", "").ljust(6, "X")
            options = [
                f"{padded[:3]}.{padded[3:]}{ch}"
                for ch in seventh
                if book.lookup(f"{padded[:3]}.{padded[3:]}{ch}")
            ]
            return result(
                Verdict.MISSING_SEVENTH,
                f"{code} needs placeholder X and a 7th character, e.g. {', '.join(options[:4])}",
                entry=entry,
                suggestions=tuple(options[:8]),
            )
        names = ", ".join(c.code for c in children[:8])
        more = f" and {len(children) - 8} more" if len(children) > 8 else ""
        return result(
            Verdict.NOT_BILLABLE,
            f"{code} is a {entry.kind} heading, not billable; choose one of: {names}{more}",
            entry=entry,
            suggestions=tuple(c.code for c in children[:8]),
        )
    placeholder = _with_placeholder(book, code)
    if placeholder is not None:
        return result(
            Verdict.MISSING_PLACEHOLDER,
            f"{raw.strip().upper()} is missing placeholder X before the 7th character: "
            f"{placeholder}",
            suggestions=(placeholder,),
        )
    if year is not None and year != data_year and valid_in_year(code, "icd10cm", year):
        return result(
            Verdict.VALID,
            f"{code} is a valid FY{year} code (Medicare Code Editor); its title is not in the "
            f"FY{data_year} tabular this index holds",
        )
    nearest = _nearest(book, code)
    near = ", ".join(nearest) if nearest else "none close"
    return result(
        Verdict.UNKNOWN,
        f"{code} is not in ICD-10-CM FY{data_year}; nearest: {near}",
        suggestions=tuple(nearest),
    )


def _with_placeholder(book: Codebook, code: str) -> str | None:
    """Return the code with placeholder X filled in before its 7th character, if that exists."""
    flat = code.replace(".", "")
    if len(flat) < 4 or len(flat) >= 7 or not flat[-1].isalpha():
        return None
    body, seventh = flat[:-1], flat[-1]
    candidate = body.ljust(6, "X") + seventh
    dotted = f"{candidate[:3]}.{candidate[3:]}"
    entry = book.lookup(dotted)
    return dotted if entry is not None and entry.billable else None


def _nearest(book: Codebook, code: str) -> list[str]:
    """Suggest billable codes under the longest known prefix of an unknown code."""
    flat = code.replace(".", "")
    for cut in range(len(flat) - 1, 2, -1):
        prefix = flat[:cut]
        dotted = prefix if len(prefix) <= 3 else f"{prefix[:3]}.{prefix[3:]}"
        entry = book.lookup(dotted)
        if entry is not None:
            if entry.billable:
                siblings = book.children(entry.parent) if entry.parent else []
                return [entry.code, *[s.code for s in siblings if s.code != entry.code]][:5]
            return [c.code for c in book.billable_descendants(dotted, limit=5)]
    category = book.lookup(flat[:3])
    if category is not None:
        return [c.code for c in book.billable_descendants(category.code, limit=5)]
    return []


_PCS_SHAPE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
_CPT_SHAPE = re.compile(r"^[0-9]{4}[0-9FTU]$")
_HCPCS_SHAPE = re.compile(r"^[A-V][0-9]{4}$")
SYSTEM_NAMES = {
    "icd10cm": "ICD-10-CM",
    "icd10pcs": "ICD-10-PCS",
    "cpt": "CPT",
    "hcpcs": "HCPCS Level II",
}


def validate(
    book: Codebook, raw: str, system: str = "icd10cm", year: int | None = None
) -> Validation:
    """Validate a typed code of any system against the codebook."""
    if system == "icd10cm":
        return validate_icd10cm(book, raw, year)
    code = re.sub(r"\s+", "", raw).upper()
    name = SYSTEM_NAMES.get(system, system)
    shape = {"icd10pcs": _PCS_SHAPE, "cpt": _CPT_SHAPE, "hcpcs": _HCPCS_SHAPE}.get(system)
    if shape is not None and not shape.match(code):
        return Validation(
            code,
            system,
            Verdict.MALFORMED,
            f"{raw.strip()!r} is not shaped like a {name} code",
            book.icd10cm_year,
        )
    entry = book.lookup(code, system)
    if entry is not None and entry.billable:
        if system == "icd10pcs" and year is not None and valid_in_year(code, system, year) is False:
            return Validation(
                code,
                system,
                Verdict.NOT_IN_YEAR,
                f"{code} ({entry.title}) is not valid in FY{year} (Medicare Code Editor)",
                year,
                entry=entry,
            )
        return Validation(code, system, Verdict.VALID, entry.title, book.icd10cm_year, entry=entry)
    if entry is not None:
        names = ", ".join(c.code for c in book.children(code, system)[:6])
        return Validation(
            code,
            system,
            Verdict.NOT_BILLABLE,
            f"{code} is a {entry.kind}, not a complete code; e.g. {names}",
            book.icd10cm_year,
            entry=entry,
        )
    if system == "icd10pcs":
        check_year = year or book.icd10cm_year
        if valid_in_year(code, system, check_year):
            section = {
                "1": "Obstetrics",
                "2": "Placement",
                "3": "Administration",
                "4": "Measurement and Monitoring",
                "5": "Extracorporeal or Systemic Assistance and Performance",
                "6": "Extracorporeal or Systemic Therapies",
                "7": "Osteopathic",
                "8": "Other Procedures",
                "9": "Chiropractic",
                "B": "Imaging",
                "C": "Nuclear Medicine",
                "D": "Radiation Therapy",
                "F": "Physical Rehabilitation and Diagnostic Audiology",
                "G": "Mental Health",
                "H": "Substance Abuse Treatment",
                "X": "New Technology",
            }.get(code[0], "ICD-10-PCS")
            return Validation(
                code,
                system,
                Verdict.VALID,
                f"valid ICD-10-PCS code, {section} section (FY{check_year} Medicare Code Editor); "
                "its title is not in this index",
                check_year,
            )
    return Validation(
        code,
        system,
        Verdict.UNKNOWN,
        f"{code} is not in the {name} code set of this index",
        book.icd10cm_year,
    )
