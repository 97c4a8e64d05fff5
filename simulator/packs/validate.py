"""Check a loaded pack against the codebook and against itself, with located problems."""

from __future__ import annotations

from simulator.charts.template import CHART_FIELDS, PLACEHOLDER
from simulator.codebook.index import Codebook
from simulator.packs.checker import CaseChecker
from simulator.packs.decisions import check_flag, check_query
from simulator.packs.errors import Problem
from simulator.packs.loader import LoadedPack
from simulator.packs.models import Action, Case
from simulator.packs.yamlsrc import Located


def check_pack(
    loaded: LoadedPack, book: Codebook | None, *, warnings: bool = False
) -> list[Problem]:
    """Return every error in the pack (and warnings if asked); no errors means fit to use."""
    problems: list[Problem] = []
    for case in loaded.cases:
        problems += check_case(case, loaded.sources[case.id], book, loaded.pack.code_year)
    problems += _check_pack_level(loaded, book)
    problems += check_inbox(loaded)
    if not warnings:
        problems = [p for p in problems if p.is_error]
    return sorted(problems)


def check_case(case: Case, src: Located, book: Codebook | None, year: int) -> list[Problem]:
    """Check one case: placeholders, key codes for every variant, evidence, decision blocks."""
    checker = CaseChecker(case, src, book, year)
    for i, doc in enumerate(case.documents):
        for attr in ("type", "author", "text"):
            checker.text(
                ("documents", i, attr), getattr(doc, attr), checker.known | {"document.date"}
            )
    checker.lines(("key", "diagnoses"), case.key.diagnoses, "diagnoses")
    checker.lines(("key", "procedures"), case.key.procedures, "procedures")
    checker.excludes1(("key", "diagnoses"), case.key.diagnoses)
    check_query(checker)
    check_flag(checker)
    if case.decision.action is Action.FLAG and case.flag is None and not case.decision.reason:
        checker.add(
            ("decision", "action"),
            "a flag case needs a flag: block (kind and document) or a decision.reason",
        )
    return checker.problems


def _check_pack_level(loaded: LoadedPack, book: Codebook | None) -> list[Problem]:
    """Check pack.yaml against the cases: settings, selection, code year."""
    src = loaded.pack_source
    if src is None:
        return []
    pack = loaded.pack
    problems: list[Problem] = []
    if book is not None and pack.code_year != book.icd10cm_year:
        problems.append(
            src.problem(
                ("code_year",),
                f"the pack is written for FY{pack.code_year}; ICD-10-CM codes are checked "
                f"against the FY{book.icd10cm_year} data in this codebook",
                warning=True,
            )
        )
    if pack.settings:
        allowed = ", ".join(s.value for s in pack.settings)
        for case in loaded.cases:
            if case.setting not in pack.settings:
                problems.append(
                    loaded.sources[case.id].problem(
                        ("setting",),
                        f"setting {case.setting.value!r} is not among the pack's settings ({allowed})",
                    )
                )
    selection = pack.selection
    used = {t for case in loaded.cases for t in case.topics}
    for i, topic in enumerate(selection.topics):
        if topic not in used:
            problems.append(
                src.problem(
                    ("selection", "topics", i), f"no case has the topic {topic!r}", warning=True
                )
            )
    matching = [case for case in loaded.cases if selection.matches(case)]
    if loaded.cases and not matching:
        problems.append(
            src.problem(("selection",), "no case matches the selection's topics and difficulty")
        )
    elif selection.draw != "all" and selection.draw > len(matching):
        problems.append(
            src.problem(
                ("selection", "draw"),
                f"draw {selection.draw}, but only {len(matching)} cases match; all are used",
                warning=True,
            )
        )
    return problems


def check_inbox(loaded: LoadedPack) -> list[Problem]:
    """Check inbox messages: the case they name exists, and their placeholders are known."""
    problems: list[Problem] = []
    ids = {case.id: case for case in loaded.cases}
    for message in loaded.inbox:
        src = loaded.inbox_sources[message.id]
        case = ids.get(message.case) if message.case else None
        if message.case and case is None:
            problems.append(
                src.problem(("case",), f"no case with id {message.case!r} in this pack")
            )
        allowed: set[str] = set()
        if case is not None:
            allowed = (set(CHART_FIELDS) - {"document.date"}) | (
                set(case.variants[0]) if case.variants else set()
            )
        for attr in ("text", "subject"):
            text = getattr(message, attr) or ""
            for match in PLACEHOLDER.finditer(text):
                name = match.group(1)
                if name in allowed:
                    continue
                where = src.find_in_text((attr,), text, match.start(), len(match.group()))
                hint = (
                    "give case: <case id> so the message is about that case's patient"
                    if case is None
                    else "built-in fields are listed in docs/PACK_FORMAT.md"
                )
                problems.append(
                    Problem(
                        src.file,
                        *where,
                        f"unknown placeholder {{{{ {name} }}}} ({hint})",
                    )
                )
    return problems
