"""Whether a query option names a diagnosis the case allows: by its words, then by its code.

A coder writes query options in their own words: "Acute respiratory failure with hypoxia",
"Moderate malnutrition", "Pressure ulcer of the sacrum". Comparing words alone turned those
away when the case wrote "Acute hypoxic respiratory failure" or "Moderate protein-calorie
malnutrition": the rubric called a compliant option unsupported, and the physician, finding
none of the case's answers offered, answered "clinically undetermined".

So an option also counts as naming a case answer when the ICD-10-CM code its words index to
(the codebook search's first hit, when it is a confident one) is a code that answer leads to,
or one related to it: the same code, one of its headings or codes under it, or an unspecified
sibling ("Pressure ulcer of sacral region, unspecified stage" for stage 3). Only the codes that
tell the answers apart count (what the query decides); a code every answer has (the
pancreatitis the patient was admitted for) does not make an option about it supported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from simulator.charts.template import substitute
from simulator.codebook.index import Codebook, Relation
from simulator.packs.decisions import OTHER, UNDETERMINED
from simulator.packs.models import Query
from simulator.scoring.explain import is_vague

_WORD = re.compile(r"[a-z0-9]+")


def norm(text: str) -> str:
    """Lower-case text with its runs of spaces made single."""
    return " ".join(text.lower().split())


def similar_words(a: str, b: str) -> bool:
    """True when two option texts say the same thing in words (containment or most words
    shared)."""
    x, y = norm(a), norm(b)
    if x == y or (len(x) > 3 and x in y) or (len(y) > 3 and y in x):
        return True
    wx, wy = set(_WORD.findall(x)), set(_WORD.findall(y))
    return bool(wx and wy) and len(wx & wy) / len(wx | wy) >= 0.6


def option_code(book: Codebook, text: str) -> str | None:
    """The ICD-10-CM code an option's words index to, or None: for "other" and "clinically
    undetermined", and when the search finds no confident match (score not above 0)."""
    if OTHER.search(text) or UNDETERMINED.search(text):
        return None
    hits = book.search(text, systems=("icd10cm",), limit=1)
    return hits[0].code if hits and hits[0].score > 0 else None


def deciding_codes(query: Query, values: Mapping[str, str]) -> list[frozenset[str]]:
    """For each answer of the query, the ICD-10-CM codes (and accepted alternates) its key has
    that not every answer has: what the query decides."""
    per_answer = [
        frozenset(
            substitute(code, values)
            for line in answer.key.diagnoses
            if line.system == "icd10cm"
            for code in (line.code, *line.alternates)
        )
        for answer in query.answers
    ]
    common = frozenset.intersection(*per_answer) if per_answer else frozenset()
    return [codes - common for codes in per_answer]


def names_code(book: Codebook, code: str, wanted: frozenset[str]) -> bool:
    """True when code is one of wanted, a heading of one or under one, or an unspecified
    sibling of one (or one of them an unspecified sibling of code)."""
    for other in wanted:
        relation = book.relation(code, other)
        if relation in (Relation.SAME, Relation.ANCESTOR, Relation.DESCENDANT):
            return True
        if relation is Relation.SIBLING:
            titles = [book.lookup(c) for c in (code, other)]
            if any(entry is not None and is_vague(entry.title) for entry in titles):
                return True
    return False


def supported(
    option: str,
    acceptable: Sequence[str],
    book: Codebook | None = None,
    query: Query | None = None,
    values: Mapping[str, str] | None = None,
) -> bool:
    """True when an option is one of the acceptable ones in other words, or (with the codebook
    and the case's query) names a code one of the case's answers leads to."""
    if any(similar_words(option, a) for a in acceptable):
        return True
    if book is None or query is None:
        return False
    code = option_code(book, option)
    if code is None:
        return False
    return any(names_code(book, code, wanted) for wanted in deciding_codes(query, values or {}))
