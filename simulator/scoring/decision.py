"""The decision lens (code, query, pend, flag) and the AHIMA/ACDIS query-quality rubric."""

from __future__ import annotations

from simulator.charts.render import Chart
from simulator.charts.template import substitute
from simulator.codebook.index import Codebook
from simulator.packs.decisions import LEADING_CODES, LEADING_WORDS, OTHER, UNDETERMINED
from simulator.packs.models import Case
from simulator.scoring.model import (
    DecisionResult,
    QueryQuality,
    RubricCheck,
    Submission,
    WrittenQuery,
)
from simulator.scoring.options import norm, supported
from simulator.scoring.privacy import identifiers_in

FLAG_WORDS = {
    "misfiled_document": "a misfiled document (another patient's)",
    "wrong_patient": "a wrong-patient chart",
    "conflict_of_interest": "a conflict of interest",
}
"""The flag kinds in words."""

QUERY_RULE = (
    "AHIMA/ACDIS Guidelines for Achieving a Compliant Query Practice: cite the clinical "
    "indicators in the record; no payment, DRG or quality language; options clinically "
    "reasonable, with 'other' and 'clinically undetermined'; yes/no only to confirm"
)
"""The query rule the rubric follows, as the study list cites it."""

DECISION_RULE = (
    "Coding decisions (code, query, pend, flag): code when the documentation supports it; "
    "query when it is "
    "conflicting, incomplete, ambiguous or inconsistent with clinical indicators; pend when a "
    "document is missing or unsigned; flag a misfiled document, a wrong patient or a conflict"
)
"""The decision rule, as the study list cites it."""

_YES_NO = frozenset({"yes", "no"})


def _document_words(chart: Chart, index: int | None) -> str:
    """Name a chart document by its number (from 1) and type, e.g. 'document 2 (Lab report)'."""
    if index is None:
        return "the problem document"
    if 0 <= index < len(chart.documents):
        return f"document {index + 1} ({chart.documents[index].type})"
    return f"document {index + 1}"


def judge_decision(chart: Chart, case: Case | None, submission: Submission) -> DecisionResult:
    """Judge the action taken against the one the case expects; a flag must name kind and document."""
    expected = chart.action.value
    got = submission.action
    reason = f" ({chart.action_reason})" if chart.action_reason else ""
    if expected == "flag":
        flag = case.flag if case is not None else None
        if got != "flag":
            what = FLAG_WORDS.get(flag.kind, "an integrity problem") if flag else "a problem"
            where = f" in {_document_words(chart, flag.document_index)}" if flag else ""
            return DecisionResult(
                expected,
                got,
                False,
                f"this chart has {what}{where}{reason}: flag it and do not code from it; "
                f"you chose '{got}'",
            )
        if flag is None:
            return DecisionResult(expected, got, True, "flagged, as this chart requires")
        kinds = [f for f in submission.flags if f.kind == flag.kind]
        if not kinds:
            named = ", ".join(f.kind for f in submission.flags) or "no kind"
            return DecisionResult(
                expected,
                got,
                False,
                f"you flagged {named}; the problem is {FLAG_WORDS[flag.kind]}"
                + (f" in {_document_words(chart, flag.document_index)}" if flag.document else ""),
            )
        if flag.document is not None and all(f.document != flag.document for f in kinds):
            given = ", ".join(str(f.document) for f in kinds if f.document) or "none"
            return DecisionResult(
                expected,
                got,
                False,
                f"right kind of flag, wrong document (you named {given}): the problem is "
                f"{_document_words(chart, flag.document_index)}",
            )
        return DecisionResult(
            expected,
            got,
            True,
            f"flagged {FLAG_WORDS[flag.kind]}"
            + (f" in {_document_words(chart, flag.document_index)}" if flag.document else ""),
        )
    if expected == "pend":
        if got != "pend":
            return DecisionResult(
                expected, got, False, f"this chart must be pended{reason}; you chose '{got}'"
            )
        if not (submission.reason or "").strip():
            return DecisionResult(
                expected, got, False, f"pended without a reason: give the pending reason{reason}"
            )
        return DecisionResult(expected, got, True, f"pended{reason}")
    if expected == "query":
        if got != "query":
            cues = ""
            if case is not None and case.query is not None:
                found = [substitute(i, chart.values) for i in case.query.clinical_indicators]
                cues = f" (indicators: {'; '.join(found[:3])})"
            return DecisionResult(
                expected,
                got,
                False,
                f"the documentation needs a physician query before coding{cues}; you chose "
                f"'{got}' (under-querying)",
            )
        return DecisionResult(expected, got, True, "queried, as the documentation requires")
    if got == "code":
        return DecisionResult(expected, got, True, "coded, as the documentation supports")
    why = {
        "query": "the documentation already supports the codes: a query here is over-querying",
        "pend": "nothing is missing: pending delays the claim (DNFB) without a reason",
        "flag": "nothing in this chart needs flagging",
    }.get(got, f"'{got}' is not an action (code, query, pend or flag)")
    return DecisionResult(expected, got, False, f"this chart should be coded; {why}")


def _options(written: WrittenQuery) -> tuple[list[str], str]:
    """Return the offered options that are diagnoses, and the query's format."""
    folded = [norm(o) for o in written.options]
    if not folded:
        return [], "open-ended"
    if set(folded) <= _YES_NO and len(set(folded)) == 2:
        return [], "yes/no"
    real = [
        o for o in written.options if not (OTHER.search(o) or UNDETERMINED.search(o)) and o.strip()
    ]
    return real, "multiple choice"


def _quotes_record(text: str, documents: str, run: int = 5) -> str | None:
    """Return a run of words from the query that appears word for word in the record, or None."""
    words = norm(text).split()
    for start in range(0, max(0, len(words) - run + 1)):
        piece = " ".join(words[start : start + run])
        if piece in documents:
            return piece
    return None


def judge_query(
    chart: Chart, case: Case | None, written: WrittenQuery, book: Codebook | None = None
) -> QueryQuality:
    """Score a written query on each point of the AHIMA/ACDIS rubric of DOMAIN.md.

    With the codebook, an option in other words than the case's counts as supported when it
    names a diagnosis one of the case's answers leads to (see scoring/options.py).
    """
    documents = norm(" ".join(d.text for d in chart.documents))
    text = written.text
    folded_text = norm(text)
    spec = case.query if case is not None else None
    indicators = [substitute(i, chart.values) for i in spec.clinical_indicators] if spec else []
    acceptable = [substitute(o, chart.values) for o in spec.acceptable_options] if spec else []
    checks: list[RubricCheck] = []

    cited = [i for i in indicators if norm(i) in folded_text]
    quoted = _quotes_record(text, documents)
    if cited:
        left = [i for i in indicators if i not in cited]
        more = f"; also in the record: {'; '.join(left)}" if left else ""
        checks.append(
            RubricCheck("cites clinical indicators", True, f"cites {'; '.join(cited)}{more}")
        )
    elif quoted:
        checks.append(
            RubricCheck("cites clinical indicators", True, f'quotes the record: "{quoted}"')
        )
    else:
        want = f": e.g. {'; '.join(indicators[:3])}" if indicators else ""
        checks.append(
            RubricCheck(
                "cites clinical indicators",
                False,
                f"quote the clinical indicators present in this chart{want}",
            )
        )

    everything = " ".join([text, *written.options])
    leading = LEADING_WORDS.search(everything) or LEADING_CODES.search(everything)
    checks.append(
        RubricCheck(
            "non-leading",
            leading is None,
            f"{leading.group()!r} is payment, DRG or quality language: a query never mentions them"
            if leading
            else "no payment, DRG or quality language",
        )
    )

    real, form = _options(written)
    unsupported = [
        o for o in real if acceptable and not supported(o, acceptable, book, spec, chart.values)
    ]
    checks.append(
        RubricCheck(
            "no unsupported diagnosis",
            not unsupported,
            f"{'; '.join(unsupported)}: not a clinically reasonable option for this record "
            f"(reasonable: {'; '.join(o for o in acceptable if not OTHER.search(o) and not UNDETERMINED.search(o))})"
            if unsupported
            else "every option is clinically supported by the record",
        )
    )

    if form == "multiple choice":
        lacking = [
            name
            for name, pattern in (("other", OTHER), ("clinically undetermined", UNDETERMINED))
            if not any(pattern.search(o) for o in written.options)
        ]
        checks.append(
            RubricCheck(
                "options include other and clinically undetermined",
                not lacking,
                f"add the option(s): {', '.join(lacking)}" if lacking else "both are offered",
            )
        )
    else:
        checks.append(
            RubricCheck(
                "options include other and clinically undetermined",
                True,
                f"{form} query: no option list to complete",
            )
        )

    if form == "yes/no":
        new = [
            o
            for o in acceptable
            if not OTHER.search(o)
            and not UNDETERMINED.search(o)
            and norm(o) in folded_text
            and norm(o) not in documents
        ]
        checks.append(
            RubricCheck(
                "yes/no only to confirm",
                not new,
                f"a yes/no query may only confirm a documented diagnosis, POA or cause and "
                f"effect; {'; '.join(new)} is not documented: offer options instead"
                if new
                else "confirms what the record already documents",
            )
        )
    else:
        checks.append(RubricCheck("yes/no only to confirm", True, f"{form} query"))

    found = identifiers_in(everything, chart)
    checks.append(
        RubricCheck(
            "no identifiers beyond need",
            not found,
            f"remove the {', '.join(found)}: a query carries only what the question needs"
            if found
            else "no SSN, phone, email or address",
        )
    )
    return QueryQuality(tuple(checks), needed=chart.action.value == "query")
