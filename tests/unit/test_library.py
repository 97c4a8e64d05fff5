"""The built-in packs: they validate, every case renders cleanly for many seeds, keys stay valid."""

from __future__ import annotations

from datetime import date

import pytest

from simulator import paths
from simulator.charts.render import render, render_line
from simulator.codebook import Codebook
from simulator.codebook.validate import validate
from simulator.packs import load_pack
from simulator.packs.validate import check_pack

PACKS = ["starter", "assessment-sample"]


@pytest.mark.parametrize("name", PACKS)
def test_pack_validates(name: str, book: Codebook) -> None:
    loaded = load_pack(paths.builtin_pack(name))
    errors = [p for p in check_pack(loaded, book) if p.is_error]
    assert errors == []


@pytest.mark.parametrize("name", PACKS)
def test_every_case_renders_with_twenty_seeds(name: str, book: Codebook) -> None:
    loaded = load_pack(paths.builtin_pack(name))
    year = loaded.pack.code_year
    for case in loaded.cases:
        answers = [a.key for a in case.query.answers] if case.query else []
        for seed in range(20):
            chart = render(case, seed, date(2026, 11, 24))
            for document in chart.documents:
                assert "{{" not in document.text and "?]" not in document.text, case.id
            lines = list(chart.diagnoses + chart.procedures)
            for key in answers:
                lines += [render_line(k, chart.variant) for k in key.diagnoses + key.procedures]
            for line in lines:
                assert validate(book, line.code, line.system, year).ok, (case.id, line.code)


def test_starter_covers_the_library_requirements() -> None:
    loaded = load_pack(paths.builtin_pack("starter"))
    by_setting: dict[str, int] = {}
    for case in loaded.cases:
        by_setting[case.setting.value] = by_setting.get(case.setting.value, 0) + 1
    decisions = [case.decision.action.value for case in loaded.cases]
    assert len(loaded.cases) >= 60
    assert by_setting["inpatient"] >= 12 and by_setting["outpatient_surgery"] >= 8
    assert by_setting["emergency"] >= 12 and by_setting["clinic"] >= 12
    assert by_setting.get("radiology", 0) + by_setting.get("ancillary", 0) >= 6
    assert decisions.count("query") >= 8 and decisions.count("pend") >= 3
    privacy = [c for c in loaded.cases if "privacy" in c.topics]
    assert len(privacy) + len(loaded.inbox) >= 6
    assert {c.difficulty for c in loaded.cases} == {1, 2, 3, 4, 5}


def test_starter_readme_lists_every_case() -> None:
    readme = (paths.builtin_pack("starter") / "README.md").read_text(encoding="utf-8")
    for case in load_pack(paths.builtin_pack("starter")).cases:
        assert f"`{case.id}`" in readme, case.id
