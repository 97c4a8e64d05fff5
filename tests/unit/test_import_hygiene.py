"""The core never imports textual or rich: checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

CORE = [
    "simulator.codebook",
    "simulator.codebook.build",
    "simulator.packs",
    "simulator.packs.validate",
    "simulator.charts.render",
    "simulator.shift",
    "simulator.scoring",
    "simulator.store",
    "simulator.store.sql",
    "simulator.config",
    "simulator.paths",
    "simulator.factory",
    "simulator.cli",
]


def ui_modules_loaded(modules: list[str], extra_path: Path | None = None) -> dict[str, list[str]]:
    """Import each module in a fresh interpreter; return the UI modules each pulled in."""
    script = textwrap.dedent(
        """
        import importlib, json, sys
        if len(sys.argv) > 2:
            sys.path.insert(0, sys.argv[2])
        found = {}
        for name in json.loads(sys.argv[1]):
            importlib.import_module(name)
            found[name] = sorted(
                m for m in sys.modules if m.split(".")[0] in ("textual", "rich")
            )
        print(json.dumps(found))
        """
    )
    args = [sys.executable, "-c", script, json.dumps(modules)]
    if extra_path is not None:
        args.append(str(extra_path))
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return {k: v for k, v in json.loads(out).items() if v}


def test_core_imports_no_ui() -> None:
    assert ui_modules_loaded(CORE) == {}


def test_check_catches_a_core_module_that_imports_textual(tmp_path: Path) -> None:
    bad = tmp_path / "badcore.py"
    bad.write_text("import textual.widgets\n")
    assert "badcore" in ui_modules_loaded(["badcore"], tmp_path)


STARTUP = [
    "simulator.config",
    "simulator.factory",
    "simulator.tui.app",
    "simulator.packs.checkcache",
]
"""What `codedesk` imports before the first frame of the queue."""

NOT_AT_STARTUP = (
    "yaml",
    "simple_icd_10_cm",
    "simulator.scoring.grader",
    "simulator.scoring.summary",
    "simulator.codebook.grouper",
    "simulator.codebook.search",
    "simulator.packs.loader",
    "sqlalchemy",
)
"""Slow modules only a later step needs (grading, pack loading, the first lookup, the SQL store in
a worker)."""


def after_startup(report: str) -> Any:
    """In a fresh interpreter, import what start-up imports, then print the JSON of the
    expression report; return it decoded."""
    script = textwrap.dedent(
        """
        import importlib, json, sys
        for name in json.loads(sys.argv[1]):
            importlib.import_module(name)
        print(json.dumps(eval(sys.argv[2])))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(STARTUP), report],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def test_startup_leaves_slow_modules_for_later() -> None:
    loaded = set(after_startup("sorted(sys.modules)"))
    assert sorted(m for m in NOT_AT_STARTUP if m in loaded) == []


def test_startup_builds_no_pack_validator() -> None:
    """Pack models build their validators on first use (defer_build): a start-up that unpickles
    a compiled pack validates none, so building them at import would be ~15 ms wasted."""
    built = after_startup(
        "[name for name, cls in vars(importlib.import_module('simulator.packs.models')).items()"
        " if isinstance(cls, type) and hasattr(cls, '__pydantic_complete__')"
        " and cls.__pydantic_complete__]"
    )
    assert built == []
