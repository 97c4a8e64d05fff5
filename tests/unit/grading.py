"""Shared helpers for the scoring tests: the small grading pack and how to render its cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from simulator.charts.render import Chart, render
from simulator.packs import LoadedPack
from simulator.scoring import SubmittedLine

PACK = Path(__file__).resolve().parents[1] / "data" / "grading" / "pack"
SHIFT = date(2026, 11, 24)


def chart(sample: LoadedPack, case_id: str, seed: int = 7) -> Chart:
    """Render one case of the grading pack."""
    case = sample.case(case_id)
    return render(case, seed, SHIFT, sample.pack.target(case.setting).minutes)


def dx(*codes: str) -> tuple[SubmittedLine, ...]:
    """Diagnosis lines; "I50.23:Y" carries a POA."""
    return tuple(SubmittedLine(c.partition(":")[0], poa=c.partition(":")[2] or None) for c in codes)
