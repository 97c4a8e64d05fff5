"""The fair draw: every candidate gets the same number of charts from each stratum and the same
difficulty total, chosen at random (seeded) among all the draws that meet both.

At sealing, `plan` sorts the cases into the pack's strata (a case belongs to the first stratum
it matches) and fixes the difficulty total every draw must have: the total that the most
draws share, so candidates get as many different draws as the pack allows. At the sitting,
`draw` picks one of those draws uniformly at random from the candidate's seed: it counts the
draws with dynamic programming over (stratum, difficulty level, charts taken, difficulty sum),
then walks back through the counts. The same seed always gives the same draw.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import comb
from typing import Any

from simulator.packs.models import AssessmentRules, Case, Stratum

MAX_SEED = 2**31 - 1
"""Seeds run from 1 to this, as the app's own seeds do."""


class DrawError(Exception):
    """The pack's draw rules cannot be met (a stratum has fewer cases than its count)."""


@dataclass(frozen=True)
class PlannedStratum:
    """One stratum of the plan: its name, its count and its cases' public ids."""

    name: str
    count: int
    cases: tuple[str, ...]


@dataclass(frozen=True)
class DrawPlan:
    """Everything the draw needs, without the answer keys: stored readable in the sealed file."""

    strata: tuple[PlannedStratum, ...]
    difficulty: Mapping[str, int]
    """Difficulty (1-5) of every case that can be drawn, by public id."""
    target: int
    """The difficulty total every draw has."""
    draws: int
    """How many different draws meet the rules (1 means every candidate gets the same cases)."""

    @property
    def charts(self) -> int:
        """Charts per candidate."""
        return sum(stratum.count for stratum in self.strata)

    def to_json(self) -> dict[str, Any]:
        """Return the plan as plain data."""
        return {
            "strata": [
                {"name": s.name, "count": s.count, "cases": list(s.cases)} for s in self.strata
            ],
            "difficulty": dict(sorted(self.difficulty.items())),
            "target_difficulty": self.target,
            "draws": str(self.draws),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DrawPlan:
        """Read a plan back; raise ValueError (or KeyError, TypeError) when it is malformed."""
        strata = tuple(
            PlannedStratum(str(s["name"]), int(s["count"]), tuple(str(c) for c in s["cases"]))
            for s in data["strata"]
        )
        difficulty = {str(k): int(v) for k, v in dict(data["difficulty"]).items()}
        plan = cls(strata, difficulty, int(data["target_difficulty"]), int(data["draws"]))
        for stratum in strata:
            if stratum.count < 1 or stratum.count > len(stratum.cases):
                raise ValueError(f"stratum {stratum.name!r} cannot give {stratum.count} cases")
            if any(c not in difficulty or not 1 <= difficulty[c] <= 5 for c in stratum.cases):
                raise ValueError(f"stratum {stratum.name!r} names a case without a difficulty")
        return plan


Table = dict[tuple[int, int], int]
"""(charts taken, difficulty sum) -> number of ways."""


def _levels(cases: Sequence[str], difficulty: Mapping[str, int]) -> list[tuple[int, list[str]]]:
    """Group a stratum's cases by difficulty, each group in id order."""
    groups: dict[int, list[str]] = defaultdict(list)
    for case in sorted(cases):
        groups[difficulty[case]].append(case)
    return sorted(groups.items())


def _level_tables(levels: list[tuple[int, list[str]]], count: int) -> list[Table]:
    """Count the ways to take c cases with difficulty sum s from the first i levels."""
    tables: list[Table] = [{(0, 0): 1}]
    for level, members in levels:
        current: Table = defaultdict(int)
        for (taken, total), ways in tables[-1].items():
            for more in range(min(len(members), count - taken) + 1):
                current[(taken + more, total + more * level)] += ways * comb(len(members), more)
        tables.append(dict(current))
    return tables


def _sums(stratum: PlannedStratum, difficulty: Mapping[str, int]) -> dict[int, int]:
    """Return difficulty sum -> number of ways to draw the stratum's count of cases."""
    tables = _level_tables(_levels(stratum.cases, difficulty), stratum.count)
    return {s: n for (c, s), n in tables[-1].items() if c == stratum.count}


def _convolve(a: Mapping[int, int], b: Mapping[int, int]) -> dict[int, int]:
    """Combine two sum -> ways tables (the ways of two independent choices)."""
    out: dict[int, int] = defaultdict(int)
    for x, m in a.items():
        for y, n in b.items():
            out[x + y] += m * n
    return dict(out)


def plan(
    cases: Sequence[Case], rules: AssessmentRules | None, public: Mapping[str, str]
) -> DrawPlan:
    """Sort the cases into strata and fix the difficulty total; raise DrawError if impossible.

    public maps each case id to its public id. Without strata, every case forms one stratum
    whose count is `charts` (every case when charts is not given).
    """
    strata_rules: list[Stratum]
    if rules is not None and rules.strata:
        strata_rules = list(rules.strata)
    else:
        count = rules.charts if rules is not None and rules.charts else len(cases)
        strata_rules = [Stratum(name="all cases", count=count)]
    members: list[list[Case]] = [[] for _ in strata_rules]
    for case in cases:
        for i, rule in enumerate(strata_rules):
            if rule.matches(case):
                members[i].append(case)
                break
    problems = []
    planned = []
    for i, (rule, found) in enumerate(zip(strata_rules, members, strict=True)):
        name = rule.name or f"stratum {i + 1}"
        if len(found) < rule.count:
            problems.append(
                f"assessment.strata[{i}] ({name}): draws {rule.count} case(s), but only "
                f"{len(found)} case(s) belong to it (a case belongs to the first stratum it "
                "matches)"
            )
        planned.append(PlannedStratum(name, rule.count, tuple(sorted(public[c.id] for c in found))))
    if problems:
        raise DrawError("; ".join(problems))
    difficulty = {public[c.id]: c.difficulty for found in members for c in found}
    combined: dict[int, int] = {0: 1}
    mean = 0.0
    for stratum in planned:
        combined = _convolve(combined, _sums(stratum, difficulty))
        levels = [difficulty[c] for c in stratum.cases]
        mean += stratum.count * sum(levels) / len(levels)
    target = min(combined, key=lambda s: (-combined[s], abs(s - mean), s))
    return DrawPlan(tuple(planned), difficulty, target, combined[target])


def candidate_seed(salt: bytes, candidate: str) -> int:
    """Derive a candidate's seed from their ID and the sealed file's salt (1 to MAX_SEED)."""
    digest = hmac.new(salt, b"codedesk seed\0" + candidate.encode("utf-8"), hashlib.sha256)
    return int.from_bytes(digest.digest()[:8], "big") % MAX_SEED + 1


def _rng(salt: bytes, seed: int) -> random.Random:
    """A random generator for one candidate's draw, from the sealed file's salt and the seed."""
    digest = hashlib.sha256(b"codedesk draw\0" + salt + seed.to_bytes(8, "big")).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _weighted(rng: random.Random, options: Sequence[tuple[int, int]]) -> int:
    """Pick the value of one (value, weight) pair with probability proportional to its weight."""
    total = sum(weight for _, weight in options)
    pick = rng.randrange(total)
    for value, weight in options:
        if pick < weight:
            return value
        pick -= weight
    raise AssertionError("the weights do not add up")  # pragma: no cover


def _sample(rng: random.Random, members: Sequence[str], count: int) -> list[str]:
    """Pick count members uniformly without replacement (a partial Fisher-Yates shuffle)."""
    pool = list(members)
    for i in range(count):
        j = i + rng.randrange(len(pool) - i)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:count]


def _draw_stratum(
    rng: random.Random, stratum: PlannedStratum, difficulty: Mapping[str, int], total: int
) -> list[str]:
    """Draw the stratum's count of cases with this difficulty total, uniformly among such draws."""
    levels = _levels(stratum.cases, difficulty)
    tables = _level_tables(levels, stratum.count)
    taken, want = stratum.count, total
    picked: list[str] = []
    for i in range(len(levels), 0, -1):
        level, members = levels[i - 1]
        before = tables[i - 1]
        options = []
        for more in range(min(len(members), taken) + 1):
            ways = before.get((taken - more, want - more * level), 0) * comb(len(members), more)
            if ways:
                options.append((more, ways))
        more = _weighted(rng, options)
        picked += _sample(rng, members, more)
        taken, want = taken - more, want - more * level
    return sorted(picked)


def draw(plan: DrawPlan, salt: bytes, seed: int) -> list[str]:
    """Return the public ids of one candidate's charts: the same seed, the same draw."""
    rng = _rng(salt, seed)
    sums = [_sums(stratum, plan.difficulty) for stratum in plan.strata]
    prefix: list[dict[int, int]] = [{0: 1}]
    for table in sums:
        prefix.append(_convolve(prefix[-1], table))
    if plan.target not in prefix[-1]:
        raise DrawError(f"no draw has the difficulty total {plan.target}")
    totals = [0] * len(plan.strata)
    left = plan.target
    for i in range(len(plan.strata) - 1, -1, -1):
        options = [(s, n * prefix[i].get(left - s, 0)) for s, n in sorted(sums[i].items())]
        totals[i] = _weighted(rng, [(s, w) for s, w in options if w])
        left -= totals[i]
    picked: list[str] = []
    for stratum, total in zip(plan.strata, totals, strict=True):
        picked += _draw_stratum(rng, stratum, plan.difficulty, total)
    return picked
