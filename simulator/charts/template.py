"""Placeholders in pack text: `{{ patient.name }}` and variant variables, nothing more.

A deliberately tiny substitution: no expressions, no filters, no code, so a pack cannot run
anything. Unknown names are reported by the pack validator before a chart is ever rendered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*\}\}")
"""Matches `{{ name }}` or `{{ group.name }}` with optional spaces inside the braces."""

CHART_FIELDS: dict[str, str] = {
    "patient.name": "full name",
    "patient.first_name": "given name",
    "patient.last_name": "family name",
    "patient.dob": "date of birth",
    "patient.age": "age in years",
    "patient.sex": "Female or Male",
    "patient.pronoun": "she or he",
    "patient.mrn": "medical record number",
    "patient.account": "encounter account number",
    "patient.phone": "phone number",
    "patient.address": "street address",
    "patient.ssn": "social security number (synthetic)",
    "encounter.admit_date": "admission date",
    "encounter.discharge_date": "discharge date",
    "encounter.service_date": "date of service",
    "encounter.los": "length of stay in days",
    "encounter.payer": "payer name",
    "provider.name": "attending or treating provider",
    "provider.consultant": "a second provider (consultant, surgeon, radiologist)",
    "facility.name": "the hospital or clinic",
    "document.date": "the date of the document it appears in",
}
"""Every built-in placeholder, with what it becomes; variant variables add bare names."""


def placeholders(text: str) -> list[tuple[str, int]]:
    """Return each placeholder name in text with its character offset."""
    return [(m.group(1), m.start()) for m in PLACEHOLDER.finditer(text)]


def substitute(text: str, values: Mapping[str, str], *, keep_unknown: bool = False) -> str:
    """Replace every placeholder with its value; unknown ones stay or become an empty mark."""

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        return match.group(0) if keep_unknown else f"[{name}?]"

    return PLACEHOLDER.sub(repl, text)


def offset_to_line_col(text: str, offset: int) -> tuple[int, int]:
    """Return the 0-based (line, column) of a character offset in text."""
    line = text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1)
    return line, col
