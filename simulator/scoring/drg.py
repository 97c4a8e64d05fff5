"""The MS-DRG lens: group the key and the submission, compare the DRGs and their severity."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from simulator.charts.render import Chart, RenderedLine
from simulator.codebook.grouper import (
    Claim,
    Grouping,
    GroupingError,
    default_version,
    group,
)
from simulator.codebook.validate import normalize_code
from simulator.scoring.model import DrgResult, GradedLine, Submission

DRG_RULE = (
    "MS-DRG: the principal diagnosis sets the MDC and base DRG; a secondary diagnosis on the "
    "CC or MCC list raises the severity (no CC/MCC, CC, MCC) unless excluded with the principal"
)
"""The grouping rule, as the study list cites it."""


def version_for(fiscal_year: int | None) -> int | None:
    """Return the grouper version for a pack's code year, or None for the grouper's default."""
    if fiscal_year is None:
        return None
    try:
        return default_version(fiscal_year)
    except GroupingError:
        return None


@lru_cache(maxsize=8192)
def grouped(claim: Claim, version: int | None) -> Grouping | str:
    """Group a claim (cached: the key of a chart is grouped once), or return the error text."""
    try:
        return group(claim, version)
    except GroupingError as exc:
        return str(exc)


def _poa(flag: str | None) -> str:
    """Return a POA indicator as the grouper takes it (exempt and none are sent blank)."""
    if flag is None or flag == "exempt":
        return ""
    flag = flag.strip().upper()
    return flag if flag in ("Y", "N", "U", "W") else ""


def _sex(chart: Chart) -> str:
    """Return the patient's sex as the grouper takes it."""
    return chart.patient.sex if chart.patient.sex in ("F", "M") else "U"


def key_claim(
    chart: Chart,
    diagnoses: Sequence[RenderedLine],
    procedures: Sequence[RenderedLine],
    submitted_optional: frozenset[str],
) -> Claim | None:
    """Return the key's claim: its required lines and the optional ones the coder also gave."""
    dx = [d for d in diagnoses if not d.optional or d.code in submitted_optional]
    if not dx:
        return None
    pcs = tuple(
        p.code
        for p in procedures
        if p.system == "icd10pcs" and (not p.optional or p.code in submitted_optional)
    )
    return Claim(
        age=chart.patient.age,
        sex=_sex(chart),  # type: ignore[arg-type]
        pdx=dx[0].code,
        sdx=tuple((d.code, _poa(d.poa)) for d in dx[1:]),
        pcs=pcs,
    )


def submitted_claim(chart: Chart, submission: Submission) -> Claim | None:
    """Return the submission's claim, or None when it has no principal diagnosis."""
    dx = submission.diagnoses
    if not dx:
        return None
    return Claim(
        age=chart.patient.age,
        sex=_sex(chart),  # type: ignore[arg-type]
        pdx=normalize_code(dx[0].code),
        sdx=tuple((normalize_code(d.code), _poa(d.poa)) for d in dx[1:]),
        pcs=tuple(p.code.strip().upper() for p in submission.procedures if p.system == "icd10pcs"),
    )


def _levels(result: Grouping) -> dict[str, str]:
    """Return the secondary diagnoses that count as CC or MCC in a grouping."""
    return {dx.code: dx.severity for dx in result.diagnoses if dx.counts}


def _drg_procedures(result: Grouping) -> set[str]:
    """Return the procedures the grouper chose the DRG by."""
    return {p.code for p in result.procedures if p.affects_drg}


def _change(expected: str, got: str) -> str:
    """Say the severity change, e.g. 'MCC -> CC' or 'severity unchanged, CC'."""
    return f"severity unchanged, {got}" if expected == got else f"{expected} -> {got}"


def _explain(key: Grouping, got: Grouping) -> str:
    """Say why the submission's DRG differs from the key's."""
    reasons: list[str] = []
    key_pdx, got_pdx = key.diagnoses[0].code, got.diagnoses[0].code
    if key_pdx != got_pdx:
        reasons.append(f"your principal diagnosis is {got_pdx}, the key's is {key_pdx}")
    key_levels, got_levels = _levels(key), _levels(got)
    for code, level in sorted(key_levels.items()):
        if code not in got_levels:
            reasons.append(f"the key's {level} {code} does not count on your claim")
    for code, level in sorted(got_levels.items()):
        if code not in key_levels:
            reasons.append(f"your {level} {code} counts on your claim, not on the key's")
    for code in sorted(_drg_procedures(key) - _drg_procedures(got)):
        reasons.append(f"the key's procedure {code}, which sets its DRG, is not on your claim")
    for code in sorted(_drg_procedures(got) - _drg_procedures(key)):
        reasons.append(f"your procedure {code} sets your DRG and is not in the key's")
    return "; ".join(reasons) or "the grouper weighs the claims differently"


def drg_lens(
    chart: Chart,
    diagnoses: Sequence[RenderedLine],
    procedures: Sequence[RenderedLine],
    lines: Sequence[GradedLine],
    submission: Submission,
    version: int | None,
) -> DrgResult | None:
    """Group the key and the submission; None when the key itself cannot be grouped."""
    optional = frozenset(
        line.expected for line in lines if line.expected is not None and line.submitted is not None
    )
    claim = key_claim(chart, diagnoses, procedures, optional)
    if claim is None:
        return None
    key = grouped(claim, version)
    if isinstance(key, str) or not key.ok:
        return None
    expected: Grouping = key

    def result(
        drg: int | None, title: str, severity: str | None, words: str, error: str | None = None
    ) -> DrgResult:
        """Return the lens with the key's DRG and the submission's."""
        return DrgResult(
            version=expected.version,
            expected_drg=expected.drg,
            expected_title=expected.drg_title,
            expected_severity=expected.severity_label,
            submitted_drg=drg,
            submitted_title=title,
            submitted_severity=severity,
            explanation=words,
            error=error,
        )

    mine = submitted_claim(chart, submission)
    if mine is None:
        return result(
            None, "", None, "no principal diagnosis was coded, so the claim cannot be grouped"
        )
    got = key if mine == claim else grouped(mine, version)
    if isinstance(got, str):
        return result(None, "", None, f"your claim could not be grouped: {got}", got)
    if got.drg == key.drg:
        return result(
            got.drg,
            got.drg_title,
            got.severity_label,
            f"MS-DRG {key.drg:03d} {key.drg_title}, as the key",
        )
    words = (
        f"MS-DRG {got.drg:03d} {got.drg_title} instead of {key.drg:03d} {key.drg_title} "
        f"({_change(key.severity_label, got.severity_label)}): {_explain(key, got)}"
    )
    if got.errors:
        words += f"; grouper: {'; '.join(got.errors)}"
    return result(got.drg, got.drg_title, got.severity_label, words)
