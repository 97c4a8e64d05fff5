"""Live advice while a physician query is written: what would make it non-compliant.

Pure functions (no Textual). The advice never uses the answer key: it checks the wording and
the options against the AHIMA/ACDIS practice that scoring grades by, so it can be shown in
every mode without giving the answer away.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.charts.render import Chart
from simulator.packs.decisions import LEADING_CODES, LEADING_WORDS, OTHER, UNDETERMINED
from simulator.scoring.privacy import identifiers_in

LEADING_PHRASES = re.compile(
    r"\bplease\s+(?:document|add|chart|include|write|record|consider)\b|"
    r"\b(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:document|add|chart|include|write)\b|"
    r"\bconsider\s+(?:adding|documenting)\b|\b(?:do|would)\s+you\s+agree\b|"
    r"\bdon'?t\s+you\s+think\b|\bneeds?\s+to\s+be\s+documented\b|"
    r"\bfor\s+(?:better|accurate|proper)\s+(?:reimbursement|capture|coding)\b",
    re.IGNORECASE,
)
"""Wording that tells the physician what to write instead of asking (leading)."""

OTHER_OPTION = "Other (please specify)"
"""The 'other' option a multiple-choice query offers."""
UNDETERMINED_OPTION = "Clinically undetermined"
"""The 'clinically undetermined' option a multiple-choice query offers."""


@dataclass(frozen=True)
class Advice:
    """One piece of live advice: a problem ('✗') or a reminder ('!')."""

    problem: bool
    text: str

    def __str__(self) -> str:
        """The advice as shown: a symbol and the words (never colour alone)."""
        return f"{'✗' if self.problem else '!'} {self.text}"


def query_form(options: Sequence[str]) -> str:
    """Say the query's format: open-ended, yes/no or multiple choice."""
    folded = {" ".join(o.lower().split()) for o in options if o.strip()}
    if not folded:
        return "open-ended"
    if folded == {"yes", "no"}:
        return "yes/no"
    return "multiple choice"


def compose(indicators: Sequence[str], question: str) -> str:
    """The query text sent: the clinical indicators quoted from the record, then the question."""
    parts = []
    if indicators:
        parts.append("Clinical indicators in the record:")
        parts += [f'- "{line}"' for line in indicators]
        parts.append("")
    parts.append(question.strip())
    return "\n".join(parts).strip()


def query_advice(
    question: str,
    options: Sequence[str],
    indicators: Sequence[str],
    chart: Chart | None = None,
) -> list[Advice]:
    """Return what a compliance reviewer would say about the query as written so far."""
    advice: list[Advice] = []
    real = [o.strip() for o in options if o.strip()]
    everything = " ".join([question, *real])
    if not question.strip():
        advice.append(Advice(True, "write the question to the physician"))
    if not indicators:
        advice.append(
            Advice(True, "cite the clinical indicators: select lines of the record with Space")
        )
    leading = LEADING_PHRASES.search(everything)
    if leading:
        advice.append(
            Advice(
                True,
                f"leading wording {leading.group()!r}: ask what the record supports, do not "
                "tell the physician what to write",
            )
        )
    money = [m.group() for p in (LEADING_WORDS, LEADING_CODES) for m in p.finditer(everything)]
    if money:
        words = ", ".join(repr(w) for w in dict.fromkeys(money))
        advice.append(
            Advice(True, f"{words}: payment, DRG or quality language; a query never mentions them")
        )
    form = query_form(real)
    if form == "multiple choice":
        diagnoses = [o for o in real if not (OTHER.search(o) or UNDETERMINED.search(o))]
        if len(diagnoses) == 1:
            advice.append(
                Advice(
                    True,
                    f"{diagnoses[0]!r} is the only diagnosis offered: a single option (above "
                    "all one that changes the DRG) leads; offer the clinically reasonable "
                    "alternatives",
                )
            )
        lacking = [
            name
            for name, pattern in (("other", OTHER), ("clinically undetermined", UNDETERMINED))
            if not any(pattern.search(o) for o in real)
        ]
        if lacking:
            advice.append(
                Advice(True, f"add the option(s) {' and '.join(lacking)} (Ctrl+O adds both)")
            )
    elif form == "yes/no":
        advice.append(
            Advice(
                False,
                "yes/no only confirms a diagnosis, POA or cause and effect already documented; "
                "never for a new diagnosis",
            )
        )
    found = identifiers_in(compose(indicators, question) + " " + " ".join(real), chart)
    if found:
        advice.append(
            Advice(
                True,
                f"remove the {', '.join(found)}: a query carries only what the question needs",
            )
        )
    return advice
