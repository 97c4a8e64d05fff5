"""The fair draw: different but equally weighted draws; the same candidate and seed, the same draw."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import paths
from simulator.assess.draw import DrawError, candidate_seed, draw, plan
from simulator.assess.public import public_ids
from simulator.charts.render import render
from simulator.packs import LoadedPack, load_pack
from simulator.packs.models import AssessmentRules, Case

SALT = bytes(range(16))


@pytest.fixture(scope="module")
def pack() -> LoadedPack:
    """The sample assessment pack with its strata."""
    return load_pack(paths.builtin_pack("assessment-sample"))


def profile(
    chosen: list[str], strata: dict[str, str], difficulty: dict[str, int]
) -> tuple[object, ...]:
    """What must be equal between candidates: the count per stratum and the difficulty total."""
    return (sorted(Counter(strata[c] for c in chosen).items()), sum(difficulty[c] for c in chosen))


def test_two_candidates_get_different_but_equally_weighted_draws(pack: LoadedPack) -> None:
    ids = public_ids(pack.cases, SALT)
    the_plan = plan(pack.cases, pack.pack.assessment, ids)
    strata = {case: s.name for s in the_plan.strata for case in s.cases}
    first = draw(the_plan, SALT, candidate_seed(SALT, "C-0042"))
    second = draw(the_plan, SALT, candidate_seed(SALT, "C-0043"))
    assert first != second
    assert len(first) == len(second) == 14 == the_plan.charts
    assert profile(first, strata, the_plan.difficulty) == profile(
        second, strata, the_plan.difficulty
    )
    assert sum(the_plan.difficulty[c] for c in first) == the_plan.target
    # The decision charts (the query and the flag case) are in every draw.
    real = {v: k for k, v in ids.items()}
    for chosen in (first, second):
        cases = {real[c] for c in chosen}
        assert {"ip-dka-diabetes-type-conflict-query", "ed-asthma-misfiled-xray-report"} <= cases


def test_same_candidate_and_seed_give_the_same_draw(pack: LoadedPack) -> None:
    the_plan = plan(pack.cases, pack.pack.assessment, public_ids(pack.cases, SALT))
    seed = candidate_seed(SALT, "C-0042")
    assert seed == candidate_seed(SALT, "C-0042") != candidate_seed(bytes(16), "C-0042")
    assert draw(the_plan, SALT, seed) == draw(the_plan, SALT, seed)
    assert draw(the_plan, SALT, 12345) == draw(the_plan, SALT, 12345)


def test_variants_and_patients_differ_by_seed(pack: LoadedPack) -> None:
    case = pack.case("ed-zolpidem-confusion-poisoning-or-adverse-effect")
    charts = [render(case, seed, date(2026, 11, 24)) for seed in range(1, 9)]
    assert len({c.patient.name for c in charts}) > 1
    assert len({c.variant["impression"] for c in charts}) == 2
    again = render(case, 5, date(2026, 11, 24))
    assert again.patient == charts[4].patient and again.variant == charts[4].variant


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=1, max_value=2**31 - 1))
def test_every_draw_meets_the_rules(pack: LoadedPack, seed: int) -> None:
    ids = public_ids(pack.cases, SALT)
    the_plan = plan(pack.cases, pack.pack.assessment, ids)
    chosen = draw(the_plan, SALT, seed)
    assert len(set(chosen)) == len(chosen) == 14
    assert sum(the_plan.difficulty[c] for c in chosen) == the_plan.target
    for stratum in the_plan.strata:
        assert sum(1 for c in chosen if c in stratum.cases) == stratum.count


def test_the_draw_is_spread_over_every_allowed_draw(pack: LoadedPack) -> None:
    the_plan = plan(pack.cases, pack.pack.assessment, public_ids(pack.cases, SALT))
    seen = Counter(tuple(draw(the_plan, SALT, seed)) for seed in range(1, 2001))
    assert the_plan.draws == 220
    assert len(seen) > 200  # nearly every allowed draw turns up in 2000 sittings
    assert max(seen.values()) < 40  # and none dominates (uniform: about 9 each)


def _case(case_id: str, difficulty: int, setting: str = "clinic") -> Case:
    """A minimal coded case."""
    return Case.model_validate(
        {
            "id": case_id,
            "title": case_id,
            "setting": setting,
            "difficulty": difficulty,
            "encounter": {"service_day": -1},
            "documents": [{"type": "Note", "text": "Cough."}],
            "key": {"diagnoses": [{"code": "R05.9", "rationale": "Cough.", "evidence": "Cough"}]},
        }
    )


def test_without_strata_every_case_is_one_stratum_balanced_by_difficulty() -> None:
    cases = [_case(f"c{i}", d) for i, d in enumerate([1, 2, 2, 3, 3, 4, 5])]
    ids = {c.id: c.id for c in cases}
    the_plan = plan(cases, AssessmentRules(charts=3), ids)
    totals = {sum(the_plan.difficulty[c] for c in draw(the_plan, SALT, s)) for s in range(1, 60)}
    assert totals == {the_plan.target}
    assert plan(cases, None, ids).charts == 7


def test_a_stratum_with_too_few_cases_is_an_error() -> None:
    cases = [_case("a", 1), _case("b", 2, "emergency")]
    rules = AssessmentRules.model_validate(
        {"strata": [{"name": "ed", "count": 2, "settings": ["emergency"]}]}
    )
    with pytest.raises(
        DrawError, match=r"assessment.strata\[0\] \(ed\): draws 2 case\(s\), but only 1"
    ):
        plan(cases, rules, {"a": "a", "b": "b"})


def test_the_assessment_block_checks_itself() -> None:
    with pytest.raises(ValueError, match="strata's counts add up to 3"):
        AssessmentRules.model_validate({"charts": 4, "strata": [{"count": 1}, {"count": 2}]})
    with pytest.raises(ValueError, match="two strata are named 'x'"):
        AssessmentRules.model_validate(
            {"strata": [{"name": "x", "count": 1}, {"name": "x", "count": 1}]}
        )
    with pytest.raises(ValueError, match="the lowest comes first"):
        AssessmentRules.model_validate({"strata": [{"count": 1, "difficulty": [4, 2]}]})
    with pytest.raises(ValueError, match="extra"):
        AssessmentRules.model_validate({"time_limit": 5})
