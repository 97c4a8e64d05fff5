"""Property-based tests of the grader (hypothesis): full marks for the key, monotone, order-free.

Submissions are drawn from the grading pack's keys: each key line is left out, typed exactly or
typed as a near miss (a real sibling code, a wrong 7th character, a header, a wrong modifier or
unit count), POA indicators may be wrong, and extra codes come from categories no key uses.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from simulator.codebook import Codebook
from simulator.packs import LoadedPack
from simulator.scoring import Grade, Submission, SubmittedLine, grade, key_submission
from tests.unit.grading import PACK, chart

ALL_CASES = sorted(p.stem for p in (PACK / "cases").glob("*.yaml"))
CODED = ["clinic-diabetes-followup", "ed-colles-fracture-ladder", "ip-chf-hypertensive-ckd"]

NEAR: dict[str, list[str]] = {
    "E11.65": ["E11.9", "E11.22", "E11", "E11.8"],
    "Z79.4": ["Z79.899"],
    "E78.5": ["E78.00", "E78.2"],
    "S52.532A": ["S52.532D", "S52.531A", "S52.539A", "S52.532", "S52.532S"],
    "W11.XXXA": ["W11A", "W11.XXXD"],
    "Y92.018": ["Y92.017", "Y92.019"],
    "I13.0": ["I13.10", "I13.2"],
    "I50.23": ["I50.9", "I50.22", "I50.33"],
    "N18.31": ["N18.32", "N18.30"],
    "I48.21": ["I48.20", "I48.91"],
    "Z79.01": ["Z79.02"],
}
"""Near-miss codes for key lines (none of them is another key line of the same chart)."""

EXTRAS_DX = ["J45.909", "K21.9", "M54.50", "F41.9", "G47.33", "L57.0"]
EXTRAS_PX = [("36415", "cpt"), ("J1100", "hcpcs")]
"""Codes of categories no key in the pack uses: always extra, never a near miss."""

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def submissions(draw: st.DrawFn, key: Submission) -> Submission:
    """Draw a submission near the key: lines left out, near misses, wrong POA, extras."""
    diagnoses: list[SubmittedLine] = []
    for line in key.diagnoses:
        choice = draw(st.sampled_from(["exact", "exact", "near", "omit"]))
        if choice == "omit":
            continue
        code = line.code
        if choice == "near" and line.code in NEAR:
            code = draw(st.sampled_from(NEAR[line.code]))
        poa = line.poa
        if poa is not None and draw(st.booleans()):
            poa = draw(st.sampled_from(["N", "U", "W"]))
        diagnoses.append(SubmittedLine(code, poa=poa))
    procedures: list[SubmittedLine] = []
    for line in key.procedures:
        choice = draw(st.sampled_from(["exact", "exact", "near", "omit"]))
        if choice == "omit":
            continue
        if choice == "near":
            line = replace(line, modifiers=(), units=line.units + 1)
        procedures.append(line)
    for code in draw(st.lists(st.sampled_from(EXTRAS_DX), unique=True, max_size=2)):
        diagnoses.append(SubmittedLine(code, poa="Y" if key.diagnoses[0].poa else None))
    for code, system in draw(st.lists(st.sampled_from(EXTRAS_PX), unique=True, max_size=1)):
        procedures.append(SubmittedLine(code, system))
    diagnoses = draw(st.permutations(diagnoses)) if diagnoses else []
    return Submission(diagnoses=tuple(diagnoses), procedures=tuple(procedures), action="code")


def scores(result: Grade) -> dict[str, float]:
    """The lenses as numbers; POA as the count of right indicators (its rate is over those given)."""
    found = {k: v for k, v in result.lens_scores().items() if v is not None and k != "poa"}
    found["poa_right"] = float(result.poa_right)
    found["credited"] = result.credited
    return found


@PROPERTY
@given(case_id=st.sampled_from(ALL_CASES), seed=st.integers(1, 100_000))
def test_the_key_scores_100_on_every_lens(
    sample: LoadedPack, book: Codebook, case_id: str, seed: int
) -> None:
    drawn = chart(sample, case_id, seed)
    case = sample.case(case_id)
    result = grade(drawn, key_submission(drawn, case), book, case=case, fiscal_year=2026)
    lenses = {k: v for k, v in result.lens_scores().items() if v is not None}
    assert lenses and all(value == 1.0 for value in lenses.values()), lenses
    assert result.record_correct


@PROPERTY
@given(case_id=st.sampled_from(CODED), seed=st.integers(1, 100_000), data=st.data())
def test_removing_a_required_line_never_raises_a_score(
    sample: LoadedPack, book: Codebook, case_id: str, seed: int, data: st.DataObject
) -> None:
    drawn = chart(sample, case_id, seed)
    sub = data.draw(submissions(key_submission(drawn)))
    before = grade(drawn, sub, book, fiscal_year=2026)
    required_codes = {k.code for k in (*drawn.diagnoses, *drawn.procedures) if not k.optional}
    required = {
        line.submitted
        for line in before.lines
        if line.expected in required_codes and line.submitted is not None
    }
    parts = [("diagnoses", i) for i, s in enumerate(sub.diagnoses) if i > 0] + [
        ("procedures", i) for i, _ in enumerate(sub.procedures)
    ]
    removable = [(part, i) for part, i in parts if grade_code(getattr(sub, part)[i]) in required]
    assume(removable)
    part, index = data.draw(st.sampled_from(removable))
    lines = getattr(sub, part)
    after = grade(
        drawn, replace(sub, **{part: lines[:index] + lines[index + 1 :]}), book, fiscal_year=2026
    )
    old, new = scores(before), scores(after)
    for lens, value in new.items():
        assert value <= old.get(lens, value) + 1e-9, (lens, old, new)


def grade_code(line: SubmittedLine) -> str:
    """Return a submitted code as graded lines show it."""
    from simulator.codebook.validate import normalize_code

    return normalize_code(line.code) if line.system == "icd10cm" else line.code


@PROPERTY
@given(
    case_id=st.sampled_from(CODED),
    seed=st.integers(1, 100_000),
    extra=st.sampled_from(EXTRAS_DX + [c for c, _ in EXTRAS_PX]),
    data=st.data(),
)
def test_adding_an_extra_line_never_raises_code_over_code(
    sample: LoadedPack, book: Codebook, case_id: str, seed: int, extra: str, data: st.DataObject
) -> None:
    drawn = chart(sample, case_id, seed)
    sub = data.draw(submissions(key_submission(drawn)))
    before = grade(drawn, sub, book, drg=False)
    if extra in EXTRAS_DX:
        assume(all(line.code != extra for line in sub.diagnoses))
        more = replace(sub, diagnoses=(*sub.diagnoses, SubmittedLine(extra)))
    else:
        assume(all(line.code != extra for line in sub.procedures))
        system = dict(EXTRAS_PX)[extra]
        more = replace(sub, procedures=(*sub.procedures, SubmittedLine(extra, system)))
    after = grade(drawn, more, book, drg=False)
    assert after.code_over_code <= before.code_over_code + 1e-9
    assert after.possible == before.possible + 1


@PROPERTY
@given(case_id=st.sampled_from(CODED), seed=st.integers(1, 100_000), data=st.data())
def test_the_order_of_secondary_codes_does_not_matter(
    sample: LoadedPack, book: Codebook, case_id: str, seed: int, data: st.DataObject
) -> None:
    drawn = chart(sample, case_id, seed)
    sub = data.draw(submissions(key_submission(drawn)))
    assume(len(sub.diagnoses) > 2 or len(sub.procedures) > 1)
    shuffled = replace(
        sub,
        diagnoses=sub.diagnoses[:1] + tuple(data.draw(st.permutations(sub.diagnoses[1:]))),
        procedures=tuple(data.draw(st.permutations(sub.procedures))),
    )
    assert grade(drawn, shuffled, book, fiscal_year=2026) == grade(
        drawn, sub, book, fiscal_year=2026
    )
