"""Search the codebook the way coders type: phrases, abbreviations, other wording, typos, codes.

A query is split into words; each word (or multi-word synonym such as "lap chole") may stand
for several alternatives: itself, its expansions from the synonym table, and, for a word the
code sets never use, the closest vocabulary word (typo correction with rapidfuzz). The
alternatives go into an SQLite FTS5 query, strict first (every word must match), then relaxed
(most words must match), and the hits are reranked: billable codes first among equals, titles
that hold every word above titles that hold some.

FTS5 finds the matching documents (or, when one word group is rare, just that group's, and the
others are checked here on their stored index terms), and the BM25 scores are computed here
from those terms and the document counts the index stores. The scores equal FTS5's bm25(),
which would count every query word's documents again on each query: milliseconds for "left"
or "encounter". Documents are numbered shortest first, so a query that matches more than
_RANKED of them ranks the shortest ones, where BM25 puts its best.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from simulator.codebook.build import Stemmer, normalize_term

SYSTEMS = ("icd10cm", "icd10pcs", "cpt", "hcpcs")
_CODE_LIKE = re.compile(
    r"^(?:[a-z][0-9][0-9a-z]\.?[0-9a-z]{0,4}|[0-9]{3,5}[ft]?|[a-v][0-9]{1,4}|[0-9a-hj-np-z]{3,7})$"
)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'/&+-]*")
_PUNCT = re.compile(r"[^a-z0-9 ]+")
_PLAIN_WORD = re.compile(r"[a-z0-9]+")
"""A word of a lower-cased title with its punctuation taken out (as _PUNCT and split do)."""
_WORD_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
"""The characters of a _PLAIN_WORD."""
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
_RANKED = 500
"""At most this many matches of a full-text query are ranked: the shortest documents."""
_RANKED_RELAXED = 200
"""The same for the relaxed queries, whose hits only fill in below the strict ones."""
_DRIVEN = 200
"""A word group that at most this many documents can match is looked up alone, and the
other groups are checked on its documents here: cheaper than FTS5 stepping through the
document lists of words such as "left" or "lower", and shared by the relaxed queries."""
_WEIGHTS = (10.0, 3.0)
"""BM25 weight of a match in the title and in the inclusion terms."""
_K1 = 1.2
"""BM25 term-frequency saturation, as in FTS5's bm25()."""
_B = 0.75
"""BM25 length normalisation, as in FTS5's bm25()."""
_COLUMNS = "d.id, d.system, d.code, d.billable, d.title, d.terms, d.title_stems, d.terms_stems"
"""What a search reads of each matching document."""
_COUNTS_LIMIT = 50_000
"""Forget remembered document counts (and other per-word answers) past this many."""
_PREFIX_TERMS = 100
"""A prefix that starts more index terms than this stays an FTS5 prefix query."""
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
class _Phrase:
    """One quoted string of a full-text query: its index terms, how many documents hold it,
    and its BM25 weight (IDF)."""

    terms: tuple[str, ...]
    prefix: bool
    docs: int
    idf: float

    @property
    def needle(self) -> str:
        """What a column's terms, space-joined with a space at each end, hold where it occurs."""
        return " " + " ".join(self.terms) + ("" if self.prefix else " ")

    def count(self, tokens: list[str]) -> int:
        """Return how often the phrase occurs in a column's index terms."""
        terms = self.terms
        if len(terms) == 1:
            if self.prefix:
                return sum(1 for token in tokens if token.startswith(terms[0]))
            return tokens.count(terms[0])
        if not terms:
            return 0
        last = len(terms) - 1
        found = 0
        for start in range(len(tokens) - last):
            for i, term in enumerate(terms):
                token = tokens[start + i]
                if token != term and not (self.prefix and i == last and token.startswith(term)):
                    break
            else:
                found += 1
        return found


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result."""

    system: str
    code: str
    title: str
    billable: bool
    score: float


WARMED = (
    "_vocab",
    "_stemmer",
    "_corpus",
    "_buckets",
    "_synonyms",
    "_defaults",
    "_longest_synonym",
)
"""The lazily loaded search data Searcher.warm_up loads (every cached_property of Searcher)."""

WARM_QUERY = "pneumonai"
"""A warm-up search: a misspelling, so the typo path runs too."""


class Searcher:
    """Runs searches over one index file; build it once and share it (thread-safe)."""

    def __init__(self, con_factory: object) -> None:
        """Keep a callable that returns this thread's read-only connection."""
        self._con = con_factory
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._prefixes: dict[str, str] = {}
        self._specifics: dict[tuple[str, str | None, str | None], str] = {}
        self._near: dict[tuple[str, int], list[str]] = {}
        self.warm = False
        """True once warm_up() has loaded what searches read: every later search takes
        milliseconds (p99 ~3 ms, benchmarks/codebook.py)."""

    def warm_up(self) -> None:
        """Load everything a search reads (~90 ms, once): the vocabulary, stemmer, corpus
        statistics, typo buckets, synonyms and Index defaults, then run one search with a typo
        so SQLite has the full-text pages at hand."""
        for name in WARMED:
            getattr(self, name)
        self.search(WARM_QUERY, limit=1)
        self.warm = True

    def con(self) -> sqlite3.Connection:
        """Return this thread's connection."""
        return self._con()  # type: ignore[operator,no-any-return]

    @cached_property
    def _vocab(self) -> tuple[dict[str, int], list[str]]:
        """The words the code sets use, with how often (for typo correction)."""
        counts = dict(self.con().execute("SELECT word, freq FROM vocab").fetchall())
        return counts, list(counts)

    @cached_property
    def _stemmer(self) -> Stemmer:
        """Splits query words into index terms the way the index does."""
        return Stemmer()

    @cached_property
    def _corpus(self) -> tuple[int, float]:
        """How many documents the full-text index holds, and their mean length in terms."""
        docs, terms = self.con().execute("SELECT docs, terms FROM search_stats").fetchone()
        return int(docs), terms / max(int(docs), 1)

    def _documents_with(self, text: str, terms: tuple[str, ...], prefix: bool) -> int:
        """Return how many documents hold a quoted string, as bm25() counts them for its IDF."""
        quoted = f'"{text}"*' if prefix else f'"{text}"'
        found = self._counts.get(quoted)
        if found is not None:
            return found
        if len(terms) == 1:
            row = (
                self.con()
                .execute("SELECT docs, prefix_docs FROM search_terms WHERE term = ?", terms)
                .fetchone()
            )
            if row is None and not prefix:
                found = 0
            elif row is not None and (row[1] >= 0 or not prefix):
                found = int(row[1] if prefix else row[0])
        if found is None:
            try:
                (found,) = (
                    self.con()
                    .execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (quoted,))
                    .fetchone()
                )
            except sqlite3.OperationalError:
                found = 0
        if len(self._counts) >= _COUNTS_LIMIT:
            self._counts.clear()
        self._counts[quoted] = int(found)
        return int(found)

    def _phrases(self, groups: list[_Group]) -> list[list[list[_Phrase]]]:
        """Turn each group's alternatives (quoted strings) into phrases with terms and IDF."""
        docs, _ = self._corpus
        split = self._stemmer.split(
            text
            for group in groups
            for alternative in group.alternatives
            for text, _ in alternative
        )
        compiled = []
        for group in groups:
            alternatives = []
            for alternative in group.alternatives:
                phrases = []
                for text, prefix in alternative:
                    terms = split[text]
                    hits = self._documents_with(text, terms, prefix)
                    idf = math.log((docs - hits + 0.5) / (hits + 0.5))
                    phrases.append(_Phrase(terms, prefix, hits, idf if idf > 0.0 else 1e-6))
                alternatives.append(phrases)
            compiled.append(alternatives)
        return compiled

    def _prefix_query(self, word: str) -> str:
        """Return the FTS5 expression for a word that may be the start of a longer one.

        FTS5 merges the document lists of every term a prefix starts before it matches
        anything ('"left"*' costs 0.7 ms); naming those terms, OR-ed, matches the same
        documents in microseconds. Many terms (a short prefix) keep the prefix query.
        """
        found = self._prefixes.get(word)
        if found is not None:
            return found
        found = f'"{word}"*'
        terms = self._stemmer.split([word])[word]
        if len(terms) == 1:
            rows = (
                self.con()
                .execute(
                    "SELECT spelling FROM search_terms WHERE term >= ? AND term < ? "
                    "ORDER BY term LIMIT ?",
                    (terms[0], terms[0] + "\uffff", _PREFIX_TERMS + 1),
                )
                .fetchall()
            )
            spellings = [spelling for (spelling,) in rows]
            if spellings and len(spellings) <= _PREFIX_TERMS and None not in spellings:
                found = "(" + " OR ".join(f'"{spelling}"' for spelling in spellings) + ")"
        if len(self._prefixes) >= _COUNTS_LIMIT:
            self._prefixes.clear()
        self._prefixes[word] = found
        return found

    @cached_property
    def _buckets(self) -> dict[str, list[str]]:
        """Vocabulary words by first letter, so most typo lookups scan a small list."""
        buckets: dict[str, list[str]] = {}
        for word in self._vocab[1]:
            buckets.setdefault(word[0], []).append(word)
        return buckets

    def _near_words(self, word: str) -> list[str]:
        """Words that start like `word` and are about as long: where its typo fix usually is.

        Remembered by first letter and length (a few hundred lists at most).
        """
        key = (word[0], len(word))
        found = self._near.get(key)
        if found is None:
            bucket = self._buckets.get(word[0], [])
            found = self._near[key] = [w for w in bucket if abs(len(w) - len(word)) <= 2]
        return found

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
        """Swap an unspecified side for the typed one, and the 7th character for the encounter.

        Remembered: a query's word combinations often lead to the same default code.
        """
        key = (code, side, encounter)
        found = self._specifics.get(key)
        if found is None:
            found = self._find_specific(code, side, encounter)
            if len(self._specifics) >= _COUNTS_LIMIT:
                self._specifics.clear()
            self._specifics[key] = found
        return found

    def _find_specific(self, code: str, side: str | None, encounter: str | None) -> str:
        """Look up the code that _specific returns."""
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
        if not targets:
            return code
        # LIKE keeps only titles that hold a target's words in order (a category such as S52
        # has thousands of codes); the exact comparison below decides.
        likes = " OR ".join("title LIKE ?" for _ in targets)
        for other, title in con.execute(
            "SELECT code, title FROM codes WHERE system = 'icd10cm' AND billable = 1 "
            f"AND code >= ? AND code < ? AND length(code) = ? AND ({likes})",
            (
                code[:3],
                code[:3] + "\uffff",
                len(code),
                *("%" + "%".join(target) + "%" for target in targets),
            ),
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
            # Relaxed matches fill the list in below the Index's default and the strict
            # matches, so "copd exacerbation" shows J44.1 first and the other J44 codes under it.
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
        fetched: dict[str, list[Any]] = {}
        strict = self._prepare(groups, prefix=True)
        hits = self._fts(strict, systems, limit, groups, fetched)
        if len(hits) >= 5 or len(groups) < 2 or not relax:
            return hits
        vocab, _ = self._vocab
        # Relaxed queries reuse the strict groups; only the last word is no longer a prefix.
        relaxed = [*strict[:-1], *self._prepare(groups[-1:], prefix=False)]

        def rarity(group: list[str]) -> int:
            return min(min((vocab.get(w, 0) for w in alt.split()), default=0) for alt in group)

        seen = {(h.system, h.code) for h in hits}

        def add(subset: list[int], penalty: float) -> None:
            parts = [relaxed[i] for i in subset]
            for hit in self._fts(parts, systems, limit, groups, fetched, relaxed=True):
                if (hit.system, hit.code) not in seen:
                    seen.add((hit.system, hit.code))
                    hits.append(
                        Hit(hit.system, hit.code, hit.title, hit.billable, hit.score - penalty)
                    )

        # Most words must match: leave one group out at a time (each an intersection: fast).
        if len(groups) > 2:
            for skip in sorted(range(len(groups)), key=lambda i: -rarity(groups[i])):
                add([i for i in range(len(groups)) if i != skip], 20.0)
                if len(hits) >= limit:
                    return hits
        # Then the most distinctive word alone, if it is distinctive enough to be cheap.
        distinctive = [i for i in range(len(groups)) if rarity(groups[i]) < _COMMON]
        for i in sorted(distinctive, key=lambda i: rarity(groups[i]))[:2]:
            add([i], 50.0)
        return hits

    def _prepare(
        self, groups: list[list[str]], prefix: bool
    ) -> list[tuple[_Group, list[list[_Phrase]]]]:
        """Compile word groups for the full-text queries of one search: each group's FTS5
        expression and its phrases (terms, document counts, IDF), stemmed in one batch."""
        self._stemmer.split(
            w.replace('"', "")
            for group in groups
            for alternative in group
            for w in _TOKEN.findall(alternative)
            if w not in STOPWORDS
        )
        compiled = _compile(groups, self._prefix_query if prefix else None)
        return list(zip(compiled, self._phrases(compiled), strict=True))

    def _matches(self, match: str, systems: tuple[str, ...], relaxed: bool) -> list[Any]:
        """Return the first documents (the shortest) that a full-text query matches.

        A relaxed query that matches _MAX_RELAXED codes or more returns nothing: it would say
        little, and it is counted in the same pass over the matches that fetches them.
        """
        chosen = (
            ""
            if set(systems) >= set(SYSTEMS)
            else f" AND d.system IN ({','.join('?' * len(systems))})"
        )
        if relaxed:
            sql = (
                "WITH m AS MATERIALIZED (SELECT rowid AS id FROM search_fts "
                "WHERE search_fts MATCH ? LIMIT ?) "
                f"SELECT {_COLUMNS} FROM m CROSS JOIN search_docs AS d ON d.id = m.id "
                f"WHERE (SELECT count(*) FROM m) < ?{chosen} ORDER BY m.id LIMIT ?"
            )
            parameters: tuple[Any, ...] = (match, _MAX_RELAXED, _MAX_RELAXED)
            ranked = _RANKED_RELAXED
        else:
            sql = (
                f"SELECT {_COLUMNS} FROM search_fts CROSS JOIN search_docs AS d "
                f"ON d.id = search_fts.rowid WHERE search_fts MATCH ?{chosen} LIMIT ?"
            )
            parameters = (match,)
            ranked = _RANKED
        try:
            return (
                self.con()
                .execute(sql, (*parameters, *(systems if chosen else ()), ranked))
                .fetchall()
            )
        except sqlite3.OperationalError:
            return []

    def _documents(self, expression: str, fetched: dict[str, list[Any]]) -> list[Any]:
        """Return every document a (rare) word group matches, in number order; remembered in
        fetched for the rest of the search."""
        rows = fetched.get(expression)
        if rows is None:
            try:
                rows = (
                    self.con()
                    .execute(
                        f"SELECT {_COLUMNS} FROM search_fts CROSS JOIN search_docs AS d "
                        "ON d.id = search_fts.rowid WHERE search_fts MATCH ? "
                        "ORDER BY search_fts.rowid",
                        (expression,),
                    )
                    .fetchall()
                )
            except sqlite3.OperationalError:
                rows = []
            fetched[expression] = rows
        return rows

    def _bm25(self, groups: list[list[list[_Phrase]]], rows: list[Any]) -> list[Any]:
        """Score rows by BM25 (as FTS5's bm25() does), keeping their order.

        A phrase counts where every phrase of its alternative occurs, as FTS5 reports it. This
        loop runs for hundreds of rows, so one-term phrases are counted inline.
        """
        _, mean = self._corpus
        in_title, in_terms = _WEIGHTS
        saturation = _K1 + 1.0
        # Per phrase: its one term (None if several), " term" when it is a prefix, its IDF.
        plan = [
            [
                [
                    (
                        p.terms[0] if len(p.terms) == 1 else None,
                        " " + p.terms[0] if p.prefix and len(p.terms) == 1 else None,
                        p.idf,
                        p,
                    )
                    for p in alternative
                ]
                for alternative in group
            ]
            for group in groups
        ]
        prefixes = any(p.prefix for group in groups for alternative in group for p in alternative)
        padded_title = padded_terms = ""
        scored = []
        for row in rows:
            title = row[6].split()
            terms = row[7].split()
            if prefixes:  # a term starts with the prefix where " " + prefix occurs
                padded_title, padded_terms = " " + row[6], " " + row[7]
            norm = _K1 * (1 - _B + _B * (len(title) + len(terms)) / mean)
            score = 0.0
            for group in plan:
                for alternative in group:
                    part = 0.0
                    for term, starts, idf, phrase in alternative:
                        if starts is not None:
                            f = in_title * padded_title.count(starts) + in_terms * (
                                padded_terms.count(starts)
                            )
                        elif term is not None:
                            f = in_title * title.count(term) + in_terms * terms.count(term)
                        else:
                            f = in_title * phrase.count(title) + in_terms * phrase.count(terms)
                        if not f:
                            break
                        part += idf * ((f * saturation) / (f + norm))
                    else:
                        score += part
            scored.append((-score, row[0], row))
        return scored

    def _fts(
        self,
        parts: list[tuple[_Group, list[list[_Phrase]]]],
        systems: tuple[str, ...],
        limit: int,
        groups: list[list[str]],
        fetched: dict[str, list[Any]],
        relaxed: bool = False,
    ) -> list[Hit]:
        """Run one full-text query (every prepared group must match), rank its matches by
        BM25 and rerank the best; a relaxed query that matches too many codes gives nothing.

        fetched holds the documents of the rare groups already looked up in this search.
        """
        if not parts or not all(group.alternatives for group, _ in parts):
            return []
        compiled = [group for group, _ in parts]
        plan = [phrases for _, phrases in parts]
        # Documents that can match a group: at most, per alternative, those of its rarest word.
        bounds = [sum(min(p.docs for p in alt) for alt in group) for group in plan]
        rarest = min(range(len(plan)), key=bounds.__getitem__)
        if bounds[rarest] <= _DRIVEN:
            others = sorted((i for i in range(len(plan)) if i != rarest), key=bounds.__getitem__)
            rows = self._documents(compiled[rarest].expression, fetched)
            scored = self._bm25(plan, _holding([plan[i] for i in others], rows))
            if relaxed and len(scored) >= _MAX_RELAXED:
                return []
            if not set(systems) >= set(SYSTEMS):
                scored = [item for item in scored if item[2][1] in systems]
            scored = scored[: _RANKED_RELAXED if relaxed else _RANKED]
        else:
            match = " AND ".join(group.expression for group in compiled)
            scored = self._bm25(plan, self._matches(match, systems, relaxed))
        return _rerank(heapq.nsmallest(limit * 3, scored), groups, limit)


def _holding(groups: list[list[list[_Phrase]]], rows: list[Any]) -> list[Any]:
    """Return the rows where every group has an alternative whose phrases all occur, as FTS5
    matches them: a phrase occurs where its needle is in a column's padded terms."""
    needles = [[[phrase.needle for phrase in alternative] for alternative in g] for g in groups]
    found = []
    for row in rows:
        title, terms = f" {row[6]} ", f" {row[7]} "
        for group in needles:
            held = False
            for alternative in group:
                for needle in alternative:
                    if needle not in title and needle not in terms:
                        break
                else:
                    held = True
                    break
            if not held:
                break
        else:
            found.append(row)
    return found


def _rerank(best: list[Any], groups: list[list[str]], limit: int) -> list[Hit]:
    """Score the BM25-best rows the way coders weigh codes, and return the limit best hits.

    Every title word is checked against every alternative typed, so the per-query work (word
    starts, first words) is prepared once, outside the loop over rows.
    """
    typed = " ".join(" ".join(g) for g in groups)
    wants_later = any(w in typed for w in _LATER_ENCOUNTER)
    wants_pregnancy = any(w in typed for w in _PREGNANCY)
    vague = len(groups) <= 2
    phrases = [(alt.split(), f"{alt} nos") for g in groups for alt in g]
    # A title that starts with an alternative scores; its first word must start one.
    firsts = tuple({words[0] for words, _ in phrases if words})
    starts_empty = sum(3.0 for words, _ in phrases if not words)
    # A group counts as covered when a title holds every word start of one alternative.
    needles = [[_needles(alt) for alt in g] for g in groups]
    always = sum(1 for g in needles if any(not alt for alt in g))
    single = [tuple(alt[0] for alt in g) for g in needles if all(len(alt) == 1 for alt in g)]
    several = [g for g in needles if not all(len(alt) == 1 for alt in g) and all(g)]
    count = len(groups)
    scored = []
    for rank, _, row in best:
        _, system, code, billable, title, terms, _, _ = row
        lowered = title.lower()
        covered = always
        for options in single:
            for needle in options:
                if needle in lowered:
                    covered += 1
                    break
        for group in several:
            for alternative in group:
                for needle in alternative:
                    if needle not in lowered:
                        break
                else:
                    covered += 1
                    break
        score = -rank + 8.0 * covered / count + starts_empty
        if billable:
            score += 4.0
        # A title whose first character starts a word starts with that word.
        if firsts and (lowered[:1] not in _WORD_CHARACTERS or lowered.startswith(firsts)):
            plain = _PLAIN_WORD.findall(lowered)
            for words, _ in phrases:
                if words and plain[: len(words)] == words:
                    score += 3.0
        if terms:
            terms_lowered = terms.lower()
            for _, nos in phrases:
                if nos in terms_lowered:
                    score += 4.0
        if (
            "unspecified" in lowered
            or "without complication" in lowered
            or ("uncomplicated" in lowered)
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
        scored.append((score, row))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [Hit(row[1], row[2], row[4], bool(row[3]), score) for score, row in scored[:limit]]


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


def _needles(alternative: str) -> list[str]:
    """The word starts that must all appear in a title for it to hold an alternative."""
    return [word[:5] for word in _TOKEN.findall(alternative) if word not in STOPWORDS]


@dataclass(frozen=True, slots=True)
class _Group:
    """One word group of a full-text query: its FTS5 expression, and its alternatives as
    quoted strings, each with whether it is a prefix."""

    expression: str
    alternatives: list[list[tuple[str, bool]]]


def _compile(
    groups: list[list[str]], prefix_query: Callable[[str], str] | None = None
) -> list[_Group]:
    """Build the FTS5 expression of each word group (they are AND-ed) and list its alternatives.

    Each group becomes quoted strings OR-ed together. Given prefix_query (which writes the
    expression for a prefix), a single word of the last group also matches as a prefix (the
    coder may still be typing it).
    """
    compiled = []
    for i, group in enumerate(groups):
        last = prefix_query is not None and i == len(groups) - 1
        parts = []
        alternatives: list[list[tuple[str, bool]]] = []
        for alternative in dict.fromkeys(group):
            words = [w.replace('"', "") for w in _TOKEN.findall(alternative) if w not in STOPWORDS]
            if not words:
                continue
            prefix = len(words) == 1 and last and len(words[0]) >= 3
            if prefix and prefix_query is not None:
                parts.append(prefix_query(words[0]))
            else:
                quoted = " ".join(f'"{w}"' for w in words)
                parts.append(f"({quoted})" if len(words) > 1 else quoted)
            alternatives.append([(w, prefix) for w in words])
        compiled.append(_Group("(" + " OR ".join(parts) + ")" if parts else '""', alternatives))
    return compiled
