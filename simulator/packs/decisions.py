"""Checks of a case's decision blocks: a compliant query, and what a flag points at."""

from __future__ import annotations

import re

from simulator.charts.template import placeholders
from simulator.packs.checker import CaseChecker, norm
from simulator.packs.models import Action

OTHER = re.compile(r"\bother\b", re.IGNORECASE)
"""An 'other' option, which AHIMA/ACDIS practice requires in a multiple-choice query."""
UNDETERMINED = re.compile(
    r"\bundetermined\b|unable to (?:clinically )?determine|cannot be (?:clinically )?determined",
    re.IGNORECASE,
)
"""A 'clinically undetermined' option, which a compliant multiple-choice query also offers."""
LEADING_WORDS = re.compile(
    r"\$|\b(?:reimburs\w*|payments?|revenue|dollars?|severity of illness|risk of mortality|"
    r"quality (?:scores?|measures?|ratings?|metrics?)|case[- ]mix|higher[- ]paying)\b",
    re.IGNORECASE,
)
LEADING_CODES = re.compile(r"\b(?:MS-DRG|DRGs?|CCs?|MCCs?|SOI|ROM)\b")
"""Dollar, DRG and quality language, which makes a query leading (AHIMA/ACDIS)."""


def _leading(text: str) -> str | None:
    """Return the first leading word in text, or None when the text is neutral."""
    found = LEADING_WORDS.search(text) or LEADING_CODES.search(text)
    return found.group() if found else None


def check_query(checker: CaseChecker) -> None:
    """Check a query case: indicators quoted from the chart, compliant options, each answer."""
    case = checker.case
    query = case.query
    if case.decision.action is Action.QUERY and query is None:
        checker.add(
            ("decision", "action"),
            "a query case needs a query: block (clinical_indicators, acceptable_options, answers)",
        )
    if query is None:
        return
    if case.decision.action is not Action.QUERY:
        checker.add(
            ("query",), "a query: block belongs to a case whose decision.action is query", key=True
        )
    for i, indicator in enumerate(query.clinical_indicators):
        path = ("query", "clinical_indicators", i)
        checker.text(path, indicator, checker.known)
        checker.quote(path, indicator, "clinical indicator")
    options = query.acceptable_options
    if not any(OTHER.search(option) for option in options):
        checker.add(
            ("query", "acceptable_options"),
            "a compliant query's options include 'other' (AHIMA/ACDIS): add an option such as "
            "'Other (please specify)'",
            key=True,
        )
    if not any(UNDETERMINED.search(option) for option in options):
        checker.add(
            ("query", "acceptable_options"),
            "a compliant query's options include 'clinically undetermined' (AHIMA/ACDIS): add "
            "the option 'Clinically undetermined'",
            key=True,
        )
    for i, option in enumerate(options):
        path = ("query", "acceptable_options", i)
        checker.text(path, option, checker.known)
        word = _leading(option)
        if word is not None:
            checker.add(
                path,
                f"leading query wording {word!r}: a compliant query has no dollar, DRG or "
                "quality language",
            )
    folded = [norm(option) for option in options]
    answered: set[str] = set()
    for i, answer in enumerate(query.answers):
        base = ("query", "answers", i)
        chosen = norm(answer.answer)
        if chosen not in folded:
            checker.add(
                (*base, "answer"),
                f"answer {answer.answer!r} is not one of acceptable_options (copy it word for word)",
            )
        if chosen in answered:
            checker.add((*base, "answer"), f"answer {answer.answer!r} is given twice")
        answered.add(chosen)
        response = answer.physician_response_text
        checker.text(
            (*base, "physician_response_text"), response, checker.known | {"document.date"}
        )
        if not answer.key.diagnoses:
            checker.add(
                (*base, "key"),
                "each answer needs key.diagnoses: the codes once the physician's answer is "
                "documented",
            )

        def also(_variant: dict[str, str], text: str = response) -> str:
            """Return the physician's response, searched for evidence along with the documents."""
            return text

        checker.lines((*base, "key", "diagnoses"), answer.key.diagnoses, "diagnoses", also)
        checker.excludes1((*base, "key", "diagnoses"), answer.key.diagnoses)
        checker.lines((*base, "key", "procedures"), answer.key.procedures, "procedures", also)


def check_flag(checker: CaseChecker) -> None:
    """Check a flag case's flag: block: its decision, and the document it points at."""
    case = checker.case
    flag = case.flag
    if flag is None:
        return
    if case.decision.action is not Action.FLAG:
        checker.add(
            ("flag",), "a flag: block belongs to a case whose decision.action is flag", key=True
        )
    count = len(case.documents)
    if flag.document is not None and flag.document > count:
        checker.add(
            ("flag", "document"),
            f"document {flag.document}: this case has {count} document(s), counted from 1",
        )
    if flag.kind == "misfiled_document" and flag.document is None:
        checker.add(
            ("flag",),
            "say which document is misfiled: document: <its number, counting from 1>",
            key=True,
        )
    if flag.kind == "misfiled_document" and flag.document is not None and flag.document <= count:
        names = {name for name, _ in placeholders(case.documents[flag.document - 1].text)}
        if "patient.name" in names and names & {"patient.dob", "patient.mrn"}:
            checker.add(
                ("flag", "document"),
                f"document {flag.document} names this chart's own patient (name with DOB or "
                "MRN); a misfiled document shows another patient's details written out",
                warning=True,
            )
