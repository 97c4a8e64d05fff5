"""Search the codebook the way coders type: phrases, abbreviations, other wording, typos, codes.

A query is split into words; each word (or multi-word synonym such as "lap chole") may stand
for several alternatives: itself, its expansions from the synonym table, and, for a word the
code sets never use, the closest vocabulary word (typo correction with rapidfuzz). The
alternatives go into an SQLite FTS5 query, strict first (every word must match), then relaxed
(most words must match), and the hits are reranked: billable codes first among equals, titles
that hold every word above titles that hold some.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

SYSTEMS = ("icd10cm", "icd10pcs", "cpt", "hcpcs")
_CODE_LIKE = re.compile(
    r"^(?:[a-z][0-9][0-9a-z]\.?[0-9a-z]{0,4}|[0-9]{3,5}[ft]?|[a-v][0-9]{1,4}|[0-9a-hj-np-z]{3,7})$"
)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'/&+-]*")
_PUNCT = re.compile(r"[^a-z0-9 ]+")
_LATER_ENCOUNTER = (
    "subsequent",
    "sequela",
    "healing",
    "nonunion",
    "malunion",
    "late effect",
    "follow",
)
_COMMON = 4000
"""Words used this often (left, right, initial, encounter) narrow a strict query but only
slow a relaxed one down, so relaxed queries leave them out."""
_PREGNANCY = (
    "pregnan",
    "gestation",
    "trimester",
    "labor",
    "deliver",
    "postpartum",
    "puerper",
    "eclampsia",
    "newborn",
    "neonat",
    "fetal",
    "fetus",
    "perinatal",
    "birth",
    "obstetric",
    "abortion",
    "miscarriage",
    "ectopic",
    "antepartum",
    "preterm",
    "placenta",
)
STOPWORDS = frozenset(
    {"of", "the", "and", "with", "w", "a", "an", "in", "on", "for", "to", "by", "nos", "no", "pt"}
)


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result."""

    system: str
    code: str
    title: str
    billable: bool
    score: float


class Searcher:
    """Runs searches over one index file; build it once and share it (thread-safe)."""

    def __init__(self, con_factory: object) -> None:
        """Keep a callable that returns this thread's read-only connection."""
        self._con = con_factory
        self._lock = threading.Lock()

    def con(self) -> sqlite3.Connection:
        """Return this thread's connection."""
        return self._con()  # type: ignore[operator,no-any-return]

    @cached_property
    def _vocab(self) -> tuple[dict[str, int], list[str]]:
        """The words the code sets use, with how often (for typo correction)."""
        counts = dict(self.con().execute("SELECT word, freq FROM vocab").fetchall())
        return counts, list(counts)

    @cached_property
    def _synonyms(self) -> dict[tuple[str, ...], list[str]]:
        """Synonym terms (as word tuples) to their expansions, loaded on first need."""
        table: dict[tuple[str, ...], list[str]] = {}
        for term, expansion in self.con().execute("SELECT term, expansion FROM synonyms"):
            key = tuple(_TOKEN.findall(term.lower()))
            if key:
                table.setdefault(key, []).append(expansion)
        return table

    @cached_property
    def _longest_synonym(self) -> int:
        return max((len(k) for k in self._synonyms), default=1)

    def search(
        self, query: str, systems: Iterable[str] | None = None, limit: int = 10
    ) -> list[Hit]:
        """Return up to limit hits for what a coder typed, best first."""
        chosen = tuple(s for s in (systems or SYSTEMS) if s in SYSTEMS)
        text = query.strip().lower()
        if not text or not chosen:
            return []
        hits: dict[tuple[str, str], Hit] = {}
        if _CODE_LIKE.match(text.replace(" ", "")):
            for hit in self._by_code(text.replace(" ", ""), chosen, limit):
                hits[(hit.system, hit.code)] = hit
        groups = self._groups(text)
        if groups:
            for hit in self._by_words(groups, chosen, limit * 4):
                key = (hit.system, hit.code)
                if key not in hits:
                    hits[key] = hit
        ranked = sorted(hits.values(), key=lambda h: h.score, reverse=True)
        return ranked[:limit]

    def _by_code(self, text: str, systems: tuple[str, ...], limit: int) -> list[Hit]:
        """Codes that start with what was typed (dot optional), shortest first."""
        code = text.upper()
        if "." not in code and len(code) > 3 and code[0].isalpha() and code[1].isdigit():
            dotted = f"{code[:3]}.{code[3:]}"
        else:
            dotted = code
        found: list[Hit] = []
        for candidate in dict.fromkeys((dotted, code)):
            rows = (
                self.con()
                .execute(
                    "SELECT system, code, title, billable FROM codes WHERE code >= ? AND code < ? "
                    f"AND system IN ({','.join('?' * len(systems))}) "
                    "ORDER BY length(code), seq LIMIT ?",
                    (candidate, candidate + "\uffff", *systems, limit),
                )
                .fetchall()
            )
            for i, (system, c, title, billable) in enumerate(rows):
                exact = 1000.0 if c == candidate else 0.0
                found.append(Hit(system, c, title, bool(billable), 500.0 + exact - i))
        return found

    def _groups(self, text: str) -> list[list[str]]:
        """Split a query into word groups, each a list of FTS alternatives."""
        words = [w for w in _TOKEN.findall(text) if w not in STOPWORDS or len(text.split()) == 1]
        vocab, vocab_list = self._vocab
        groups: list[list[str]] = []
        i = 0
        while i < len(words):
            matched = False
            for size in range(min(self._longest_synonym, len(words) - i), 0, -1):
                key = tuple(words[i : i + size])
                if key in self._synonyms:
                    alternatives = [" ".join(key)] if all(w in vocab for w in key) else []
                    alternatives += self._synonyms[key]
                    groups.append(alternatives)
                    i += size
                    matched = True
                    break
            if matched:
                continue
            word = words[i]
            alternatives = [word]
            rare = vocab.get(word, 0) < 3
            if rare and len(word) >= 4 and not any(ch.isdigit() for ch in word):
                from rapidfuzz import fuzz, process  # imported on the first typo only

                best = process.extract(
                    word, vocab_list, scorer=fuzz.ratio, limit=4, score_cutoff=80
                )
                if best:
                    top = best[0][1]
                    close = [m for m, score, _ in best if score >= top - 4 and m != word]
                    close.sort(key=lambda m: -vocab.get(m, 0))
                    alternatives += close[:2]
            groups.append(alternatives)
            i += 1
        return groups

    def _by_words(self, groups: list[list[str]], systems: tuple[str, ...], limit: int) -> list[Hit]:
        """Full-text hits: every group must match; if too few, the distinctive groups may."""
        strict = " AND ".join(
            _group_query(g, last=i == len(groups) - 1) for i, g in enumerate(groups)
        )
        hits = self._fts(strict, systems, limit, groups)
        if len(hits) >= 10 or len(groups) < 2:
            return hits
        vocab, _ = self._vocab
        distinctive = [
            g for g in groups if max(vocab.get(w, 0) for alt in g for w in alt.split()) < _COMMON
        ]
        if not distinctive:
            return hits
        relaxed = " OR ".join(_group_query(g, last=False) for g in distinctive)
        seen = {(h.system, h.code) for h in hits}
        for hit in self._fts(relaxed, systems, limit, groups):
            if (hit.system, hit.code) not in seen:
                hits.append(Hit(hit.system, hit.code, hit.title, hit.billable, hit.score - 50))
        return hits

    def _fts(
        self, match: str, systems: tuple[str, ...], limit: int, groups: list[list[str]]
    ) -> list[Hit]:
        """Run one FTS5 query and rerank its rows."""
        try:
            rows = (
                self.con()
                .execute(
                    "SELECT system, code, billable, title, terms, bm25(search_fts, 0, 0, 0, 10.0, 3.0) "
                    "FROM search_fts WHERE search_fts MATCH ? "
                    f"AND system IN ({','.join('?' * len(systems))}) "
                    "ORDER BY bm25(search_fts, 0, 0, 0, 10.0, 3.0) LIMIT ?",
                    (match, *systems, limit * 3),
                )
                .fetchall()
            )
        except sqlite3.OperationalError:
            return []
        hits = []
        typed = " ".join(" ".join(g) for g in groups)
        wants_later = any(w in typed for w in _LATER_ENCOUNTER)
        wants_pregnancy = any(w in typed for w in _PREGNANCY)
        vague = len(groups) <= 2
        phrases = [alt for g in groups for alt in g]
        for system, code, billable, title, terms, rank in rows:
            lowered = title.lower()
            covered = sum(1 for g in groups if any(_contains(lowered, alt) for alt in g))
            score = -rank + 8.0 * covered / len(groups)
            if billable:
                score += 4.0
            plain = _PUNCT.sub(" ", lowered).split()
            for phrase in phrases:
                words = phrase.split()
                if plain[: len(words)] == words:
                    score += 3.0
                if f"{phrase} nos" in terms.lower():
                    score += 4.0
            if (
                "unspecified" in lowered
                or "without complication" in lowered
                or "uncomplicated" in lowered
            ):
                score += 3.0 if vague else 2.0
            if not wants_pregnancy and system == "icd10cm" and code[:1] in ("O", "P"):
                score -= 5.0
            if not wants_later:
                if "sequela" in lowered or "subsequent encounter" in lowered:
                    score -= 6.0
                if "open fracture" in lowered:
                    score -= 2.0
            score -= len(title) / 200.0
            hits.append(Hit(system, code, title, bool(billable), score))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:limit]


def _contains(title: str, alternative: str) -> bool:
    """True when every word of an alternative (allowing stems) appears in a title."""
    return all(word[:5] in title for word in _TOKEN.findall(alternative) if word not in STOPWORDS)


def _group_query(alternatives: list[str], last: bool) -> str:
    """Build the FTS5 expression for one word group: quoted phrases OR-ed together."""
    parts = []
    for alternative in dict.fromkeys(alternatives):
        words = [w for w in _TOKEN.findall(alternative) if w not in STOPWORDS]
        if not words:
            continue
        quoted = " ".join('"' + w.replace('"', "") + '"' for w in words)
        if len(words) == 1 and last and len(words[0]) >= 3:
            quoted += "*"
        parts.append(f"({quoted})" if len(words) > 1 else quoted)
    return "(" + " OR ".join(parts) + ")" if parts else '""'
