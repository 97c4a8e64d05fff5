"""What every check of one case shares: its variants, its document text, located problems."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from simulator.charts.template import CHART_FIELDS, PLACEHOLDER, substitute
from simulator.codebook.index import Codebook
from simulator.codebook.validate import SYSTEM_NAMES, validate
from simulator.packs.errors import Problem
from simulator.packs.excludes import excludes1_conflicts
from simulator.packs.models import Case, KeyLine, Setting

if TYPE_CHECKING:
    from simulator.packs.yamlsrc import Located

Path = tuple[str | int, ...]
Variant = dict[str, str]


def norm(text: str) -> str:
    """Fold whitespace and case so a quote may wrap differently from the note."""
    return re.sub(r"\s+", " ", text).strip().lower()


class CaseChecker:
    """Checks shared by a case's key, its query answers and its documents."""

    def __init__(self, case: Case, src: Located, book: Codebook | None, year: int) -> None:
        """Prepare the variants and the normalized document text of each."""
        self.case = case
        self.src = src
        self.book = book
        self.year = year
        self.problems: list[Problem] = []
        self.variant_names = set(case.variants[0]) if case.variants else set()
        self.known = set(CHART_FIELDS) | self.variant_names
        self.variants: list[Variant] = [dict(v) for v in case.variants] or [{}]
        self.texts: list[list[str]] = [
            [norm(substitute(d.text, v, keep_unknown=True)) for d in case.documents]
            for v in self.variants
        ]
        self._seen: set[tuple[Path, str]] = set()

    def add(self, path: Path, message: str, *, warning: bool = False, key: bool = False) -> None:
        """Record a problem once per place and message (variants often repeat one)."""
        if (path, message) in self._seen:
            return
        self._seen.add((path, message))
        self.problems.append(self.src.problem(path, message, warning=warning, key=key))

    def text(self, path: Path, text: str, allowed: set[str]) -> None:
        """Report each placeholder in text that is not in allowed, at its exact column."""
        for match in PLACEHOLDER.finditer(text):
            name = match.group(1)
            if name in allowed:
                continue
            where = self.src.find_in_text(path, text, match.start(), len(match.group()))
            hint = ", ".join(sorted(self.variant_names)) or "none"
            self.problems.append(
                Problem(
                    self.src.file,
                    *where,
                    f"unknown placeholder {{{{ {name} }}}} (built-in fields are listed in "
                    f"docs/PACK_FORMAT.md; this case's variant variables: {hint})",
                )
            )

    def quote(
        self,
        path: Path,
        quote: str,
        what: str,
        extra: Callable[[Variant], str] | None = None,
    ) -> None:
        """Report a quote that is not found, word for word, in the documents of every variant."""
        for i, variant in enumerate(self.variants):
            wanted = norm(substitute(quote, variant, keep_unknown=True))
            texts = self.texts[i]
            if extra is not None:
                texts = [*texts, norm(substitute(extra(variant), variant, keep_unknown=True))]
            if wanted and not any(wanted in t for t in texts):
                label = f" (variant {variant})" if variant else ""
                self.add(path, f"{what} not found in any document{label}: {quote!r}")

    def lines(
        self,
        base: Path,
        lines: Sequence[KeyLine],
        part: str,
        extra: Callable[[Variant], str] | None = None,
    ) -> None:
        """Check key lines: placeholders, POA, every code in every variant, evidence quotes."""
        inpatient = self.case.setting is Setting.INPATIENT
        for i, line in enumerate(lines):
            here: Path = (*base, i)
            for attr in ("code", "evidence", "rationale"):
                self.text((*here, attr), getattr(line, attr), self.variant_names)
            for j, alt in enumerate(line.alternates):
                self.text((*here, "alternates", j), alt, self.variant_names)
            for j, modifier in enumerate(line.modifiers):
                self.text((*here, "modifiers", j), modifier, self.variant_names)
            if inpatient and part == "diagnoses" and line.poa is None:
                self.add(here, "inpatient diagnoses need a poa (Y, N, U, W, exempt)")
            if not inpatient and line.poa is not None:
                self.add((*here, "poa"), "poa applies to inpatient cases only")
            if part == "diagnoses" and line.system != "icd10cm":
                self.add((*here, "system"), "diagnoses are ICD-10-CM codes (system: icd10cm)")
            self._codes(here, line)
            self.quote((*here, "evidence"), line.evidence, "evidence quote", extra)

    def _codes(self, here: Path, line: KeyLine) -> None:
        """Validate a line's code and alternates against the codebook for every variant."""
        if self.book is None:
            return
        codes = [
            (("code",), line.code),
            *[(("alternates", j), a) for j, a in enumerate(line.alternates)],
        ]
        for variant in self.variants:
            label = f" (variant {variant})" if variant else ""
            for sub, template in codes:
                code = substitute(template, variant, keep_unknown=True)
                if "{{" in code:
                    continue
                result = validate(self.book, code, line.system, self.year)
                if not result.ok:
                    system = SYSTEM_NAMES.get(line.system, line.system)
                    self.add((*here, *sub), f"{system}{label}: {result.message}")
        for j, template in enumerate(line.modifiers):
            for variant in self.variants:
                modifier = substitute(template, variant, keep_unknown=True).upper()
                if "{{" in modifier:
                    continue
                if self.book.lookup(modifier, "modifier") is None and self.book.count("modifier"):
                    label = f" (variant {variant})" if variant and "{{" in template else ""
                    self.add(
                        (*here, "modifiers", j),
                        f"modifier {modifier}{label} is not in the modifier list",
                    )

    def excludes1(self, base: Path, lines: Sequence[KeyLine]) -> None:
        """Warn about two diagnoses of one key that an Excludes1 note forbids together."""
        if self.book is None or len(lines) < 2:
            return
        for variant in self.variants:
            codes = self.rendered_codes(lines, variant)
            for index, message in excludes1_conflicts(self.book, codes):
                self.add((*base, index, "code"), message, warning=True)

    def rendered_codes(self, lines: Sequence[KeyLine], variant: Variant) -> list[tuple[int, str]]:
        """Return (line number, code) for ICD-10-CM lines with variant variables filled in."""
        return [
            (i, substitute(line.code, variant, keep_unknown=True).upper())
            for i, line in enumerate(lines)
            if line.system == "icd10cm"
        ]
