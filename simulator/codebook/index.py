"""Read-only access to the built codebook index: lookup, hierarchy, notes, 7th characters."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.codebook import build

if TYPE_CHECKING:  # the search engine is imported on first use: start-up never searches
    from simulator.codebook.search import Hit, Searcher


class Relation(StrEnum):
    """How one code stands to another in the tabular hierarchy (see Codebook.relation)."""

    SAME = "same"
    ANCESTOR = "ancestor"
    """The first code is a heading the second falls under (E11 to E11.65)."""
    DESCENDANT = "descendant"
    """The first code falls under the second (E11.65 to E11)."""
    SIBLING = "sibling"
    """Both have the same parent (E11.65 and E11.69, under E11.6)."""
    SAME_CATEGORY = "same category"
    """Farther apart in one 3-character category (E11.65 and E11.9)."""
    UNRELATED = "unrelated"
    """Anything else, and any code the code set does not have."""


class CodebookMissing(FileNotFoundError):
    """The index for the current sources has not been built yet."""


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """One code or heading of a code set."""

    system: str
    code: str
    title: str
    kind: str
    billable: bool
    parent: str | None
    depth: int


@dataclass(frozen=True, slots=True)
class Note:
    """One tabular note, with the code it is written under (itself or an ancestor)."""

    kind: str
    text: str
    source: str


class Codebook:
    """A read-only view of the codebook index; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        """Open the index at path read-only."""
        if not path.exists():
            raise CodebookMissing(str(path))
        self.path = path
        self._local = threading.local()
        meta = dict(self._con().execute("SELECT key, value FROM meta").fetchall())
        self.meta: dict[str, str] = meta
        self.icd10cm_year = int(meta.get("icd10cm_year", build.ICD10CM_DATA_YEAR))

    @classmethod
    def open(cls, cache_dir: Path, data_dir: Path | None = None) -> Codebook:
        """Open the index for the current sources (and data_dir's imports) in cache_dir."""
        return cls(build.index_path(cache_dir, data_dir))

    @classmethod
    def open_or_build(
        cls,
        cache_dir: Path,
        progress: Callable[[str, float], None] | None = None,
        data_dir: Path | None = None,
    ) -> Codebook:
        """Open the index, building it first when it is missing."""
        path = build.index_path(cache_dir, data_dir)
        if not path.exists():
            build.build_index(cache_dir, progress, data_dir=data_dir)
        return cls(path)

    def _con(self) -> sqlite3.Connection:
        """Return this thread's read-only connection."""
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.con = con
        return con

    def lookup(self, code: str, system: str = "icd10cm") -> CodeEntry | None:
        """Return the entry for an exact code (with its dot), or None."""
        row = (
            self._con()
            .execute(
                "SELECT system, code, title, kind, billable, parent, depth FROM codes "
                "WHERE system = ? AND code = ?",
                (system, code),
            )
            .fetchone()
        )
        return _entry(row) if row else None

    def children(self, code: str, system: str = "icd10cm") -> list[CodeEntry]:
        """Return the direct children of a code, in tabular order."""
        rows = (
            self._con()
            .execute(
                "SELECT system, code, title, kind, billable, parent, depth FROM codes "
                "WHERE system = ? AND parent = ? ORDER BY seq",
                (system, code),
            )
            .fetchall()
        )
        return [_entry(row) for row in rows]

    def chapters(self) -> list[CodeEntry]:
        """Return the ICD-10-CM chapters in order."""
        rows = (
            self._con()
            .execute(
                "SELECT system, code, title, kind, billable, parent, depth FROM codes "
                "WHERE system = 'icd10cm' AND kind = 'chapter' ORDER BY seq"
            )
            .fetchall()
        )
        return [_entry(row) for row in rows]

    def ancestors(self, code: str, system: str = "icd10cm") -> list[CodeEntry]:
        """Return the ancestors of a code, nearest first (category, block, chapter)."""
        found: list[CodeEntry] = []
        entry = self.lookup(code, system)
        while entry is not None and entry.parent is not None:
            entry = self.lookup(entry.parent, system)
            if entry is not None:
                found.append(entry)
        return found

    def relation(self, a: str, b: str, system: str = "icd10cm") -> Relation:
        """How code a stands to code b: the same, its ancestor or descendant, a sibling, in the
        same category, or unrelated (also when either is not in the code set). Codes with their
        dots, as the code set writes them."""
        first, second = self.lookup(a, system), self.lookup(b, system)
        if first is None or second is None:
            return Relation.UNRELATED
        if first.code == second.code:
            return Relation.SAME
        above_first = self.ancestors(first.code, system)
        above_second = self.ancestors(second.code, system)
        if first.code in {e.code for e in above_second}:
            return Relation.ANCESTOR
        if second.code in {e.code for e in above_first}:
            return Relation.DESCENDANT
        if first.parent is not None and first.parent == second.parent:
            return Relation.SIBLING
        category = [e.code for e in (first, *above_first) if e.kind == "category"]
        if category and category == [
            e.code for e in (second, *above_second) if e.kind == "category"
        ]:
            return Relation.SAME_CATEGORY
        return Relation.UNRELATED

    def billable_descendants(
        self, code: str, system: str = "icd10cm", limit: int = 10
    ) -> list[CodeEntry]:
        """Return up to limit billable codes under code, in tabular order."""
        prefix = code.rstrip(".")
        rows = (
            self._con()
            .execute(
                "SELECT system, code, title, kind, billable, parent, depth FROM codes "
                "WHERE system = ? AND billable = 1 AND code >= ? AND code < ? ORDER BY seq LIMIT ?",
                (system, prefix, prefix + "\uffff", limit),
            )
            .fetchall()
        )
        return [_entry(row) for row in rows]

    def notes(self, code: str, system: str = "icd10cm", inherited: bool = True) -> list[Note]:
        """Return the notes written under a code and, if inherited, under its ancestors."""
        sources = [code]
        if inherited:
            sources += [a.code for a in self.ancestors(code, system)]
        found: list[Note] = []
        for source in sources:
            rows = (
                self._con()
                .execute(
                    "SELECT kind, text FROM notes WHERE system = ? AND code = ? ORDER BY kind, seq",
                    (system, source),
                )
                .fetchall()
            )
            found += [Note(kind=kind, text=text, source=source) for kind, text in rows]
        return found

    def seventh_characters(self, code: str, system: str = "icd10cm") -> dict[str, str]:
        """Return the 7th-character table that applies to a code (its own or inherited)."""
        for source in [code, *[a.code for a in self.ancestors(code, system)]]:
            rows = (
                self._con()
                .execute(
                    "SELECT character, meaning FROM seventh WHERE system = ? AND code = ? "
                    "ORDER BY character",
                    (system, source),
                )
                .fetchall()
            )
            if rows:
                return dict(rows)
        return {}

    @property
    def searcher(self) -> Searcher:
        """The search engine over this index (created on first use, shared by threads)."""
        found: Searcher | None = getattr(self, "_searcher", None)
        if found is None:
            from simulator.codebook.search import Searcher

            found = Searcher(self._con)
            self._searcher = found
        return found

    def warm_search(self) -> None:
        """Load the search data now (~90 ms, once; the queue does it in a thread after its
        first frame), so no search waits for it."""
        self.searcher.warm_up()

    @property
    def search_is_warm(self) -> bool:
        """True once warm_search() has run: from then on a search takes milliseconds."""
        found: Searcher | None = getattr(self, "_searcher", None)
        return found is not None and found.warm

    def search(
        self, query: str, systems: Iterable[str] | None = None, limit: int = 10
    ) -> list[Hit]:
        """Search all code sets (or the named ones) for what a coder typed."""
        return self.searcher.search(query, systems, limit)

    def count(self, system: str = "icd10cm", billable_only: bool = False) -> int:
        """Return how many entries a code set holds."""
        sql = "SELECT COUNT(*) FROM codes WHERE system = ?"
        if billable_only:
            sql += " AND billable = 1"
        return int(self._con().execute(sql, (system,)).fetchone()[0])


def _entry(row: tuple[str, str, str, str, int, str | None, int]) -> CodeEntry:
    """Turn a codes row into a CodeEntry."""
    system, code, title, kind, billable, parent, depth = row
    return CodeEntry(system, code, title, kind, bool(billable), parent, depth)
