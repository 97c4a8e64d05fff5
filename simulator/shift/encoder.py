"""What the encoder shows beside the codes: the live MS-DRG (inpatient) and claim edits."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.codebook.edits import claim_edits
from simulator.codebook.grouper import Claim, GroupingError, default_version, group
from simulator.codebook.index import Codebook
from simulator.shift.session import ChartState


@dataclass(frozen=True)
class EncoderView:
    """Plain lines for the encoder panel: the DRG (inpatient) and each edit."""

    drg: str | None = None
    edits: tuple[str, ...] = field(default=())


def encoder_view(state: ChartState, book: Codebook, code_year: int) -> EncoderView:
    """Group an inpatient chart's current codes and check the claim edits."""
    codes = [line.code for line in state.diagnoses if line.validation.ok]
    edits = [
        f"{'✗' if edit.severity == 'error' else '!'} {edit.message}"
        for edit in claim_edits(book, codes)
    ]
    drg: str | None = None
    chart = state.chart
    if chart.setting.value == "inpatient" and codes:
        claim = Claim(
            age=chart.patient.age,
            sex="F" if chart.patient.sex == "F" else "M",
            pdx=codes[0],
            sdx=tuple(
                (line.code, (line.poa or "Y") if line.poa != "1" else "1")
                for line in state.diagnoses[1:]
                if line.validation.ok
            ),
            pcs=tuple(
                line.code
                for line in state.procedures
                if line.system == "icd10pcs" and line.validation.ok
            ),
        )
        try:
            version = default_version(code_year)
        except GroupingError:
            version = default_version(book.icd10cm_year)
        try:
            result = group(claim, version)
        except GroupingError as exc:
            drg = f"MS-DRG: not grouped ({exc})"
        else:
            severity = {"MCC": "with MCC", "CC": "with CC"}.get(result.severity, "no CC/MCC")
            drg = f"MS-DRG {result.drg} {result.drg_title} · {severity} · v{result.version}"
            levels = [
                f"{d.code} {d.severity}" for d in result.diagnoses if d.severity in ("CC", "MCC")
            ]
            if levels:
                drg += " · " + ", ".join(levels)
            edits += [f"✗ MCE: {edit.message}" for edit in result.mce]
    return EncoderView(drg=drg, edits=tuple(edits))
