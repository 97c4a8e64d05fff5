"""Check a loaded pack against the codebook and against itself, with located problems."""

from __future__ import annotations

import re

from simulator.charts.template import CHART_FIELDS, offset_to_line_col, placeholders, substitute
from simulator.codebook.index import Codebook
from simulator.codebook.validate import validate
from simulator.packs.errors import Problem
from simulator.packs.loader import LoadedPack
from simulator.packs.models import Case, Setting
from simulator.packs.yamlsrc import Located

Path = tuple[str | int, ...]


def check_pack(loaded: LoadedPack, book: Codebook | None) -> list[Problem]:
    """Return every problem in the pack's cases; an empty list means it is fit to use."""
    problems: list[Problem] = []
    for case in loaded.cases:
        problems += check_case(case, loaded.sources[case.id], book, loaded.pack.code_year)
    return sorted(problems)


def _norm(text: str) -> str:
    """Fold whitespace and case so an evidence quote may wrap differently from the note."""
    return re.sub(r"\s+", " ", text).strip().lower()


def check_case(case: Case, src: Located, book: Codebook | None, year: int) -> list[Problem]:
    """Check one case: placeholders, key codes for every variant, evidence, POA."""
    problems: list[Problem] = []
    variant_names = set(case.variants[0]) if case.variants else set()
    known = set(CHART_FIELDS) | variant_names

    def check_text(path: Path, text: str, allowed: set[str]) -> None:
        for name, offset in placeholders(text):
            if name not in allowed:
                line, col = offset_to_line_col(text, offset)
                where = src.where_in_text(path, line, col)
                hint = ", ".join(sorted(variant_names)) or "none"
                problems.append(
                    Problem(
                        src.file,
                        *where,
                        f"unknown placeholder {{{{ {name} }}}} (built-in fields are listed in "
                        f"docs/PACK_FORMAT.md; this case's variant variables: {hint})",
                    )
                )

    for i, doc in enumerate(case.documents):
        for attr in ("type", "author", "text"):
            check_text(("documents", i, attr), getattr(doc, attr), known | {"document.date"})

    variants = case.variants or [{}]
    for part in ("diagnoses", "procedures"):
        for i, line in enumerate(getattr(case.key, part)):
            base: Path = ("key", part, i)
            for attr in ("code", "evidence", "rationale"):
                check_text((*base, attr), getattr(line, attr), variant_names)
            for j, alt in enumerate(line.alternates):
                check_text((*base, "alternates", j), alt, variant_names)
            if case.setting is Setting.INPATIENT and part == "diagnoses" and line.poa is None:
                problems.append(
                    src.problem(base, "inpatient diagnoses need a poa (Y, N, U, W, exempt)")
                )
            if case.setting is not Setting.INPATIENT and line.poa is not None:
                problems.append(src.problem((*base, "poa"), "poa applies to inpatient cases only"))
            seen_problem: set[str] = set()
            for variant in variants:
                label = f" (variant {variant})" if variant else ""
                codes = [
                    (("code",), line.code),
                    *[(("alternates", j), a) for j, a in enumerate(line.alternates)],
                ]
                for sub, template in codes:
                    code = substitute(template, variant, keep_unknown=True)
                    if "{{" in code or book is None:
                        continue
                    result = validate(book, code, line.system, year)
                    if not result.ok:
                        message = f"{line.system} code {code}{label}: {result.verdict.value}: {result.message}"
                        if message not in seen_problem:
                            seen_problem.add(message)
                            problems.append(src.problem((*base, *sub), message))
                evidence = _norm(substitute(line.evidence, variant, keep_unknown=True))
                texts = [
                    _norm(substitute(d.text, variant, keep_unknown=True)) for d in case.documents
                ]
                if evidence and not any(evidence in t for t in texts):
                    message = f"evidence quote not found in any document{label}: {line.evidence!r}"
                    if message not in seen_problem:
                        seen_problem.add(message)
                        problems.append(src.problem((*base, "evidence"), message))
    return problems
