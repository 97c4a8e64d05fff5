"""Minimum necessary on screen: identifiers a coder does not need are masked until revealed.

Pure functions (no Textual): the chart screen, the patient search and the query composer all
show text through `mask`, so a masked SSN, phone, address or member ID never reaches a widget.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from simulator.charts.render import Chart
from simulator.shift.session import MASKED_IDENTIFIERS, identifiers

_SHAPES: dict[str, re.Pattern[str]] = {
    "ssn": re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)"),
    "phone": re.compile(r"(?<![\d-])\(?\d{3}\)?[-. ]?\d{3}[-. ]\d{4}(?!\d)"),
}
"""Identifier shapes masked wherever they appear, the patient's own or another person's."""


def masked(identifier: str) -> str:
    """The placeholder shown instead of an identifier, e.g. '<SSN masked>'."""
    return f"<{MASKED_IDENTIFIERS[identifier]} masked>"


def mask(text: str, chart: Chart, revealed: Collection[str] = ()) -> str:
    """Return text with every identifier the coder has not revealed replaced by a placeholder."""
    values = identifiers(chart)
    street = values["address"].split(",")[0].strip()
    for key in ("address", "ssn", "phone", "member_id"):
        if key in revealed:
            continue
        text = text.replace(values[key], masked(key))
        if key == "address" and len(street) > 6:
            text = text.replace(street, masked(key))
        shape = _SHAPES.get(key)
        if shape is not None:
            text = shape.sub(masked(key), text)
    return text


def identifier_line(chart: Chart, revealed: Collection[str] = ()) -> str:
    """The chart header's patient line: what a coder needs, then what stays masked."""
    patient = chart.patient
    values = identifiers(chart)
    shown = [
        f"{patient.name} ({patient.sex}, {patient.age})",
        f"DOB {patient.dob:%m/%d/%Y}",
        f"MRN {patient.mrn}",
    ]
    shown += [
        f"{label} {values[key]}" for key, label in MASKED_IDENTIFIERS.items() if key in revealed
    ]
    hidden = [label for key, label in MASKED_IDENTIFIERS.items() if key not in revealed]
    if hidden:
        shown.append(f"masked: {', '.join(hidden)}")
    return " · ".join(shown)
