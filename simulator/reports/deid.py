"""De-identification of report text (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)).

Reports are built from stored grades, which hold text from three sources: the pack's key and
the codebook (rationales, evidence quotes, notes), the chart's own values filled into pack text
(a query's clinical indicators), and free text typed by people (a query quoted back from the
record, a logged event's detail, a trainer's comment). Every string of a report passes through
a `Redactor` before any format is written, in three layers:

1. the exact identifiers of the session's charts, when the pack can be rendered again (names,
   dates of birth in every common format, MRN, account, SSN, phone, address parts, encounter
   dates), matched as whole words regardless of case;
2. identifier shapes, always: dates with a day, SSNs, phone numbers, e-mail addresses, street
   addresses, runs of eight or more digits (MRN, account), and labelled values (`MRN 123`);
3. in free-text fields, every quoted passage, since that is how record text reaches a grade
   (`quotes the record: "..."`).

Ids (session, chart, case), codes, verdicts, numbers and the session's own timestamps are
structured fields and are left as they are; the trainee's name or ID is the trainee's, not a
patient's, and is kept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from simulator.charts.render import Chart

DATE_MARK = "[date]"
"""What a date with a day becomes."""

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)

SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "[SSN]"),
    (re.compile(r"(?<![\w/-])\(?\d{3}\)?[-. ]?\d{3}[-. ]\d{4}(?![\w/-])"), "[phone]"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\b"), DATE_MARK),
    (re.compile(r"\b\d{1,2}([/-])\d{1,2}\1(?:\d{4}|\d{2})\b"), DATE_MARK),
    (re.compile(rf"\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"), DATE_MARK),
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+\d{{4}}\b"), DATE_MARK),
    (
        re.compile(
            r"\b\d{1,6}\s+(?:[A-Z][A-Za-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|"
            r"Drive|Dr|Boulevard|Blvd|Court|Ct|Way|Place|Pl|Circle|Cir|Terrace|Parkway|Pkwy|"
            r"Trail|Highway|Hwy|Square|Squares|Plaza|Mall|Route|Pike|Crossing|Ridge|Run)\b\.?"
            r"(?:,?\s+(?:Apt\.?|Suite|Unit|#)\s*\w+)?"
        ),
        "[address]",
    ),
    (re.compile(r"\b(?:Apt\.?|Suite)\s+\d+\b"), "[address]"),
    (
        re.compile(
            r"\b(MRN|Acct\.?|Account(?: number| no\.?)?|SSN|DOB|Date of birth|Phone|Tel\.?)"
            r"(\s*[:#]\s*|\s+)(?=[\w(])[\w()/.-]*\d[\w()/.-]*",
            re.IGNORECASE,
        ),
        r"\1\2[redacted]",
    ),
    (re.compile(r"(?<![\w.])\d{8,}(?![\w.])"), "[number]"),
)
"""Identifier shapes replaced in every report string, with what each becomes."""

_QUOTED = re.compile(r"\"[^\"\n]{1,600}\"|\u201c[^\u201d\n]{1,600}\u201d")
"""A quoted passage: how record text or typed text is carried inside a grade's words."""

QUOTE_MARK = '"[quote removed]"'
"""What a quoted passage in free text becomes."""

DATE_FORMATS = (
    "%m/%d/%Y",
    "%Y-%m-%d",
    "%m/%d/%y",
    "%m-%d-%Y",
    "%Y%m%d",
    "%d %B %Y",
    "%B %d, %Y",
    "%b %d, %Y",
)
"""Formats a date is matched in besides the unpadded ones (4/7/1950, April 7, 1950)."""


def date_forms(day: date) -> list[str]:
    """Return the ways a date may be written: chart form, ISO, unpadded, month names."""
    forms = [day.strftime(f) for f in DATE_FORMATS]
    forms += [
        f"{day.month}/{day.day}/{day.year}",
        f"{day.month}/{day.day}/{day.year % 100:02d}",
        f"{day:%B} {day.day}, {day.year}",
        f"{day:%b} {day.day}, {day.year}",
        f"{day.day} {day:%B} {day.year}",
    ]
    return sorted(set(forms))


def chart_identifiers(chart: Chart) -> set[str]:
    """Return every patient identifier of a rendered chart, in the forms text may carry them.

    The state in the address is left out: Safe Harbor allows geography down to the state.
    """
    patient = chart.patient
    found = {
        patient.first_name,
        patient.last_name,
        patient.name,
        f"{patient.last_name}, {patient.first_name}",
        patient.mrn,
        patient.account,
        patient.ssn,
        patient.ssn.replace("-", ""),
        patient.phone,
        re.sub(r"\D", "", patient.phone),
        patient.address,
    }
    parts = [p.strip() for p in patient.address.split(",")]
    found.update(parts[:-1] if len(parts) > 1 else parts)
    street = parts[0] if parts else ""
    found.add(re.split(r"\s+(?:Apt\.?|Suite)\s", street)[0])
    digits = re.sub(r"\D", "", patient.phone)
    if len(digits) == 10:
        found.add(f"{digits[:3]}-{digits[3:6]}-{digits[6:]}")
        found.add(f"{digits[:3]}.{digits[3:6]}.{digits[6:]}")
    days = [patient.dob, chart.encounter.service_date]
    days += [d for d in (chart.encounter.admit_date, chart.encounter.discharge_date) if d]
    days += [doc.date for doc in chart.documents]
    for day in days:
        found.update(date_forms(day))
    return {value for value in found if len(value.strip()) >= 2}


def trie_pattern(values: Iterable[str]) -> str:
    """Return a regular expression matching any of the values, shaped as a trie.

    An alternation of thousands of literals is tried one by one at every position; a trie
    shares prefixes, so the whole report is scanned once per string whatever the count.
    """
    root: dict[str, Any] = {}
    for value in values:
        node = root
        for char in value:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        """Return the pattern of one trie node."""
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


class Redactor:
    """Removes patient identifiers from report text: the known ones and every known shape."""

    def __init__(self, identifiers: Iterable[str] = ()) -> None:
        """Match the given exact identifiers on top of the identifier shapes."""
        known = {i.strip() for i in identifiers if i.strip()}
        self._exact: re.Pattern[str] | None = None
        self._folded: re.Pattern[str] | None = None
        self._memo: dict[tuple[str, bool], str] = {}
        if known:
            self._exact = re.compile(rf"(?<!\w)(?:{trie_pattern(known)})(?!\w)")
            folded = trie_pattern({value.lower() for value in known})
            self._folded = re.compile(rf"(?<!\w)(?:{folded})(?!\w)", re.IGNORECASE)

    def text(self, value: str) -> str:
        """Return text with every known identifier (as written) and identifier shape replaced.

        Pack and codebook text cannot carry a rendered identifier (the key may use variant
        variables only), so names are matched with their capitals there: "may be coded" keeps
        its words when a patient is called May.
        """
        return self._cached(value, free=False)

    def free(self, value: str) -> str:
        """Return free text (typed by a person, or quoting the record) redacted, quotes removed.

        Known identifiers are matched whatever their case: the record is quoted lower-cased.
        """
        return self._cached(value, free=True)

    def typed(self, value: str) -> str:
        """Return text a person typed into a search: identifiers matched whatever their case.

        Unlike `free`, quoted passages stay: the quotes are the report's own, around the search.
        """
        return self._shapes(value, self._folded)

    def _cached(self, value: str, *, free: bool) -> str:
        """Redact a string once; reports repeat the same rationales and notes many times."""
        found = self._memo.get((value, free))
        if found is None:
            if free:
                found = self._shapes(_QUOTED.sub(QUOTE_MARK, value), self._folded)
            else:
                found = self._shapes(value, self._exact)
            self._memo[(value, free)] = found
        return found

    @staticmethod
    def _shapes(value: str, known: re.Pattern[str] | None) -> str:
        """Replace the known identifiers, then every identifier shape."""
        if known is not None:
            value = known.sub("[redacted]", value)
        for pattern, mark in SHAPES:
            value = pattern.sub(mark, value)
        return value

    def tree(self, data: Any, *, keep: frozenset[str], free: frozenset[str], key: str = "") -> Any:
        """Return a JSON-ready tree with every string redacted.

        Strings under a key in `keep` (ids, codes, verdicts, timestamps) stay as they are;
        strings under a key in `free` are treated as free text (quoted passages removed).
        """
        if isinstance(data, str):
            if key in keep:
                return data
            return self.free(data) if key in free else self.text(data)
        if isinstance(data, Mapping):
            return {k: self.tree(v, keep=keep, free=free, key=str(k)) for k, v in data.items()}
        if isinstance(data, list | tuple):
            return [self.tree(v, keep=keep, free=free, key=key) for v in data]
        return data


_MARK = re.compile(r"\[(redacted|date|SSN|phone|email|address|number)\]")


def contains_identifier(text: str, identifiers: Iterable[str] = ()) -> list[str]:
    """Say which kinds of identifier a text carries (to refuse a trainer's comment that has one)."""
    redactor = Redactor(identifiers)
    before = Counter(_MARK.findall(text))
    after = Counter(_MARK.findall(redactor._shapes(text, redactor._folded)))
    words = {
        "redacted": "a patient identifier",
        "date": "a date",
        "SSN": "an SSN",
        "phone": "a phone number",
        "email": "an e-mail address",
        "address": "an address",
        "number": "a long number (MRN or account)",
    }
    return sorted(words[mark] for mark in after - before)
