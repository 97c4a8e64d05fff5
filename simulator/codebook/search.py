"""Search the codebook the way coders type: phrases, abbreviations, other wording, typos, codes.

A query is split into words; each word (or multi-word synonym such as "lap chole") may stand
for several alternatives: itself, its expansions from the synonym table, and, for a word the
code sets never use, the closest vocabulary word (typo correction with rapidfuzz). The
alternatives go into an SQLite FTS5 query, strict first (every word must match), then relaxed
(most words must match), and the hits are reranked: billable codes first among equals, titles
that hold every word above titles that hold some.
"""

from __future__ import annotations

import itertools
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
_SIDES = {"left": "left", "lt": "left", "right": "right", "rt": "right", "bilateral": "bilateral"}
_ENCOUNTERS = {"initial": "A", "subsequent": "D", "sequela": "S"}
_QUALIFIERS = set(_SIDES) | set(_ENCOUNTERS) | {"left", "right", "initial encounter"}
_MAX_RELAXED = 800
"""A relaxed query matching more codes than this is skipped: it would be slow and vague."""
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
    def _buckets(self) -> dict[str, list[str]]:
        """Vocabulary words by first letter, so most typo lookups scan a small list."""
        buckets: dict[str, list[str]] = {}
        for word in self._vocab[1]:
            buckets.setdefault(word[0], []).append(word)
        return buckets

    def _near_words(self, word: str) -> list[str]:
        """Words that start like `word` and are about as long: where its typo fix usually is."""
        return [w for w in self._buckets.get(word[0], []) if abs(len(w) - len(word)) <= 2]

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
    def _defaults(self) -> dict[str, list[str]]:
        """Alphabetic Index main terms to their default codes, loaded on first need."""
        table: dict[str, list[str]] = {}
        for term, code in self.con().execute("SELECT term, code FROM index_defaults"):
            table.setdefault(_key(term), []).append(code)
        return table

    def _default_codes(self, text: str, groups: list[list[str]]) -> list[str]:
        """Default codes for the query's main term, made specific for side and encounter."""
        from simulator.codebook.build import normalize_term

        words = normalize_term(text).split()
        side = next((_SIDES[w] for w in words if w in _SIDES), None)
        encounter = next((_ENCOUNTERS[w] for w in words if w in _ENCOUNTERS), None)
        core = [w for w in words if w not in _SIDES and w not in _ENCOUNTERS]
        candidates = [_key(" ".join(words)), _key(" ".join(core))]
        kept = [g for g in groups if not set(normalize_term(g[0]).split()) <= _QUALIFIERS]
        for combo in itertools.islice(itertools.product(*kept), 32):
            candidates.append(_key(" ".join(combo)))
        found: list[str] = []
        for candidate in candidates:
            for code in self._defaults.get(candidate, []):
                code = self._specific(code, side, encounter)
                if code not in found:
                    found.append(code)
        return found

    def _specific(self, code: str, side: str | None, encounter: str | None) -> str:
        """Swap an unspecified side for the typed one, and the 7th character for the encounter."""
        con = self.con()
        if encounter and len(code.replace(".", "")) == 7 and code[-1] != encounter:
            swapped = code[:-1] + encounter
            if con.execute(
                "SELECT 1 FROM codes WHERE system = 'icd10cm' AND code = ?", (swapped,)
            ).fetchone():
                code = swapped
        if side is None:
            return code
        row = con.execute(
            "SELECT title FROM codes WHERE system = 'icd10cm' AND code = ?", (code,)
        ).fetchone()
        if row is None or "unspecified" not in row[0].lower():
            return code
        base = _PUNCT.sub(" ", row[0].lower()).split()
        targets = []
        for i, word in enumerate(base):
            if word == "unspecified":
                targets.append([*base[:i], side, *base[i + 1 :]])
        for other, title in con.execute(
            "SELECT code, title FROM codes WHERE system = 'icd10cm' AND billable = 1 "
            "AND code >= ? AND code < ? AND length(code) = ?",
            (code[:3], code[:3] + "\uffff", len(code)),
        ):
            if _PUNCT.sub(" ", title.lower()).split() in targets:
                return str(other)
        return code

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
        for rank, code in enumerate(self._default_codes(text, groups)):
            row = (
                self.con()
                .execute(
                    "SELECT system, title, billable FROM codes WHERE code = ? AND system IN "
                    f"({','.join('?' * len(chosen))})",
                    (code, *chosen),
                )
                .fetchone()
            )
            if row is not None:
                hits[(row[0], code)] = Hit(row[0], code, row[1], bool(row[2]), 2000.0 - rank)
        if groups:
            confident = len(hits) > 0
            for hit in self._by_words(groups, chosen, limit * 4, relax=not confident):
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
                from rapidfuzz import process  # imported on the first typo only
                from rapidfuzz.distance import OSA

                limit = 1 if len(word) < 7 else 2
                best = process.extract(
                    word, self._near_words(word), scorer=OSA.distance, limit=8, score_cutoff=limit
                ) or process.extract(
                    word, vocab_list, scorer=OSA.distance, limit=8, score_cutoff=limit
                )
                if best:
                    nearest = min(distance for _, distance, _ in best)
                    close = [m for m, distance, _ in best if distance == nearest and m != word]
                    close.sort(key=lambda m: -vocab.get(m, 0))
                    alternatives += close[:3]
            groups.append(alternatives)
            i += 1
        return groups

    def _by_words(
        self, groups: list[list[str]], systems: tuple[str, ...], limit: int, relax: bool = True
    ) -> list[Hit]:
        """Full-text hits: every group must match; if too few, the distinctive groups may."""
        strict = " AND ".join(
            _group_query(g, last=i == len(groups) - 1) for i, g in enumerate(groups)
        )
        hits = self._fts(strict, systems, limit, groups)
        if len(hits) >= 5 or len(groups) < 2 or not relax:
            return hits
        vocab, _ = self._vocab

        def rarity(group: list[str]) -> int:
            return min(min((vocab.get(w, 0) for w in alt.split()), default=0) for alt in group)

        seen = {(h.system, h.code) for h in hits}

        def add(match: str, penalty: float) -> None:
            if self._too_common(match):
                return
            for hit in self._fts(match, systems, limit, groups):
                if (hit.system, hit.code) not in seen:
                    seen.add((hit.system, hit.code))
                    hits.append(
                        Hit(hit.system, hit.code, hit.title, hit.billable, hit.score - penalty)
                    )

        # Most words must match: leave one group out at a time (each an intersection: fast).
        if len(groups) > 2:
            for skip in sorted(range(len(groups)), key=lambda i: -rarity(groups[i])):
                rest = [g for i, g in enumerate(groups) if i != skip]
                add(" AND ".join(_group_query(g, last=False) for g in rest), 20.0)
                if len(hits) >= limit:
                    return hits
        # Then the most distinctive word alone, if it is distinctive enough to be cheap.
        for group in sorted((g for g in groups if rarity(g) < _COMMON), key=rarity)[:2]:
            add(_group_query(group, last=False), 50.0)
        return hits

    def _too_common(self, match: str) -> bool:
        """True when a relaxed query matches so many codes that ranking them all is slow."""
        try:
            (count,) = (
                self.con()
                .execute(
                    "SELECT count(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH ? "
                    "LIMIT ?)",
                    (match, _MAX_RELAXED),
                )
                .fetchone()
            )
        except sqlite3.OperationalError:
            return True
        return bool(count >= _MAX_RELAXED)

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


def _stem(word: str) -> str:
    """Strip common English endings so "fractured" and "fracture" compare equal."""
    for ending in ("ing", "ed", "es", "s", "e"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _key(text: str) -> str:
    """A lookup key for Index terms: stemmed words in any order, without the small ones."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'s", "s"))
    return " ".join(sorted(_stem(w) for w in words if w not in STOPWORDS))


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
