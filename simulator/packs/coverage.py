"""DOMAIN.md's coverage checklist ("What the built-in library must teach") as topic tags.

A case covers a checklist point when it carries one of the point's topic tags and, for points
that belong to one side of the house, its setting is on that side (outpatient means every
setting but inpatient). `codedesk pack stats` lists the points no case covers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from simulator.packs.models import Case, Setting

Side = Literal["outpatient", "inpatient", "both"]


@dataclass(frozen=True)
class CoveragePoint:
    """One thing the library must teach, and the topic tags that show a case teaches it."""

    id: str
    side: Side
    text: str
    tag: str
    """The tag to put on a case that teaches this point."""
    topics: frozenset[str]
    """Every tag that counts (the recommended one and common synonyms)."""

    def covered_by(self, case: Case) -> bool:
        """Return True when the case teaches this point."""
        inpatient = case.setting is Setting.INPATIENT
        if self.side == "outpatient" and inpatient:
            return False
        if self.side == "inpatient" and not inpatient:
            return False
        return bool(self.topics & set(case.topics))


def _point(id: str, side: Side, text: str, tag: str, *synonyms: str) -> CoveragePoint:
    """Build a checklist point from its recommended tag and the synonyms that also count."""
    return CoveragePoint(id, side, text, tag, frozenset((tag, *synonyms)))


COVERAGE: tuple[CoveragePoint, ...] = (
    _point("uncertain-outpatient", "outpatient", "uncertain diagnoses are not coded (code the symptoms)", "uncertain-diagnosis-outpatient", "uncertain-diagnosis"),
    _point("first-listed", "outpatient", "first-listed diagnosis", "first-listed-diagnosis", "first-listed"),
    _point("em-mdm", "outpatient", "E/M level by medical decision making (2021+ office rules)", "em-level", "mdm"),
    _point("modifier-25", "outpatient", "modifier 25", "modifier-25"),
    _point("modifier-59", "outpatient", "modifier 59 / XU", "modifier-59", "modifier-xu"),
    _point("modifier-lt-rt", "outpatient", "modifiers LT / RT", "laterality-modifiers", "modifier-lt-rt", "modifier-lt", "modifier-rt"),
    _point("modifier-50", "outpatient", "modifier 50", "modifier-50"),
    _point("colonoscopy", "outpatient", "screening vs diagnostic colonoscopy", "screening-vs-diagnostic", "colonoscopy", "screening-colonoscopy"),
    _point("professional-component", "outpatient", "radiology professional component (26)", "professional-component", "modifier-26"),
    _point("uncertain-inpatient", "inpatient", "uncertain diagnoses at discharge coded as if established", "uncertain-diagnosis-inpatient", "uncertain-diagnosis"),
    _point("principal-diagnosis", "inpatient", "principal diagnosis selection", "principal-diagnosis"),
    _point("poa", "inpatient", "POA (present on admission) indicators", "poa"),
    _point("cc-mcc", "inpatient", "CC/MCC capture", "cc-mcc", "cc", "mcc"),
    _point("ms-drg", "inpatient", "MS-DRG", "ms-drg", "drg"),
    _point("diabetes-combination", "both", "combination codes: diabetes with complications", "diabetes-with-complications", "diabetes-complications", "diabetes"),
    _point("hypertension-combination", "both", "combination codes: hypertension with heart disease and/or CKD (I11/I12/I13)", "hypertensive-heart-ckd", "hypertension-ckd", "hypertension"),
    _point("sepsis", "both", "sepsis and severe sepsis sequencing (R65.2x)", "sepsis", "severe-sepsis", "septic-shock"),
    _point("seventh-character", "both", "injuries with 7th characters", "seventh-character"),
    _point("laterality", "both", "laterality", "laterality"),
    _point("external-cause", "both", "external causes", "external-cause", "external-causes"),
    _point("neoplasm", "both", "neoplasms (primary, secondary, history Z85)", "neoplasm", "neoplasms", "history-of-neoplasm"),
    _point("pregnancy", "both", "pregnancy (O codes first, Z3A weeks)", "pregnancy", "obstetrics"),
    _point("poisoning-adverse", "both", "poisoning vs adverse effect (T codes)", "poisoning", "adverse-effect", "underdosing"),
    _point("covid-19", "both", "COVID-19", "covid-19", "covid"),
    _point("z-codes", "both", "Z codes (long-term drug therapy, status, screening)", "z-codes", "long-term-drug-therapy", "status-z-codes", "screening"),
    _point("excludes1", "both", "Excludes1 conflicts", "excludes1"),
    _point("code-first", "both", "'code first' / 'use additional code' pairs", "code-first", "use-additional-code"),
    _point("placeholder-x", "both", "placeholder X", "placeholder-x"),
    _point("hcpcs-drugs", "both", "HCPCS drugs with units (J codes)", "hcpcs-drugs", "j-codes", "drug-units"),
)  # fmt: skip
"""Each point of DOMAIN.md's coverage checklist, in its order, with the tags that cover it."""


def coverage(cases: Iterable[Case]) -> list[tuple[CoveragePoint, list[str]]]:
    """Return each checklist point with the ids of the cases that cover it."""
    listed = list(cases)
    return [(point, [c.id for c in listed if point.covered_by(c)]) for point in COVERAGE]


def uncovered(cases: Iterable[Case]) -> list[CoveragePoint]:
    """Return the checklist points no case covers."""
    return [point for point, ids in coverage(cases) if not ids]
