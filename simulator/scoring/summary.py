"""The shift summary: accuracy against the goal line, productivity, privacy, weak spots, study list."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from simulator.packs.models import InboxMessage, Target
from simulator.scoring.decision import DECISION_RULE, QUERY_RULE
from simulator.scoring.explain import one_line
from simulator.scoring.model import PERFECT, Grade, GradedLine, PrivacyEvent, PrivacyFinding
from simulator.scoring.privacy import judge_events
from simulator.scoring.productivity import Productivity, productivity

_CITATION = re.compile(
    r"\b(?:Section\s+(?:I|II|III|IV)\b(?!\.)|Appendix\s+I\b|"
    r"(?:I|II|III|IV)\.[A-Z](?:\.\d+)?(?:\.[a-z])?(?:\.\d+)?(?:\.[a-z])?\b)"
)
"""Guideline points as key rationales cite them: I.C.4.a.3, IV.G, Section II, Appendix I."""


@dataclass(frozen=True)
class GroupScore:
    """Accuracy of a group of charts (one setting or one topic)."""

    name: str
    charts: int
    credited: float
    possible: int
    records: int
    """Charts right at record level."""

    @property
    def accuracy(self) -> float | None:
        """Code-over-code accuracy of the group, None when nothing was coded."""
        return self.credited / self.possible if self.possible else None

    @property
    def record_rate(self) -> float:
        """Share of the group's charts right at record level."""
        return self.records / self.charts if self.charts else 1.0


@dataclass(frozen=True)
class StudyPoint:
    """A guideline point behind lost credit, the misses it explains, and what it says."""

    point: str
    weight: float
    """Credit lost on code lines, plus one per wrong decision or privacy event."""
    items: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class ShiftSummary:
    """Every lens over a shift's charts, the productivity, privacy and the study list."""

    charts: int
    credited: float
    possible: int
    accuracy_goal: float
    record_rate: float | None
    principal_rate: float | None
    poa_rate: float | None
    drg_rate: float | None
    decision_rate: float | None
    query_score: float | None
    productivity: Productivity
    privacy: tuple[PrivacyFinding, ...]
    by_setting: tuple[GroupScore, ...]
    by_topic: tuple[GroupScore, ...]
    study: tuple[StudyPoint, ...]

    @property
    def accuracy(self) -> float | None:
        """Code-over-code accuracy over the shift (credits over possible)."""
        return self.credited / self.possible if self.possible else None

    @property
    def accuracy_met(self) -> bool | None:
        """True when accuracy reached the goal line."""
        value = self.accuracy
        return None if value is None else value >= self.accuracy_goal - 1e-9

    @property
    def privacy_passed(self) -> bool:
        """True when no critical or major privacy event happened in the shift."""
        return not any(finding.fails for finding in self.privacy)


def _rate(values: Iterable[bool | None]) -> float | None:
    """Share of True among the values that are not None."""
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _group(name: str, grades: Sequence[Grade]) -> GroupScore:
    """Sum a group of grades."""
    coded = [g for g in grades if g.graded_codes]
    return GroupScore(
        name=name,
        charts=len(grades),
        credited=sum(g.credited for g in coded),
        possible=sum(g.possible for g in coded),
        records=sum(1 for g in grades if g.record_correct),
    )


def _weakest_first(groups: Iterable[GroupScore]) -> tuple[GroupScore, ...]:
    """Order groups from the weakest (lowest accuracy, then record rate) to the strongest."""

    def key(group: GroupScore) -> tuple[float, float, str]:
        """Sort by accuracy (record rate when nothing was coded), record rate, name."""
        accuracy = group.accuracy if group.accuracy is not None else group.record_rate
        return (accuracy, group.record_rate, group.name)

    return tuple(sorted(groups, key=key))


def citations(text: str) -> list[str]:
    """Return the guideline points a rationale cites, in order, without repeats."""
    found: list[str] = []
    for match in _CITATION.finditer(text):
        point = " ".join(match.group().split())
        if point not in found:
            found.append(point)
    return found


def _first_sentences(text: str, limit: int = 240) -> str:
    """Return the first sentences of a rationale, up to about limit characters."""
    flat = one_line(text)
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(". ", 0, limit)
    return flat[: cut + 1] if cut > 40 else flat[:limit].rstrip() + "..."


def _line_point(line: GradedLine) -> tuple[str, str]:
    """Return the study point of a line that lost something, and what it teaches."""
    cited = citations(line.rationale) if line.rationale else []
    if cited:
        named = [c if c.startswith(("Section", "Appendix")) else f"Guideline {c}" for c in cited]
        return ", ".join(named[:3]), _first_sentences(line.rationale)
    rule = line.guideline or line.verdict.value
    label, _, rest = rule.partition(":")
    return label, rest.strip() or rule


def _rule_point(rule: str) -> tuple[str, str]:
    """Split a rule 'label: what it says' into its label and its words."""
    label, _, rest = rule.partition(":")
    return label.strip(), rest.strip() or rule


def study_list(
    grades: Sequence[Grade], findings: Sequence[PrivacyFinding] = ()
) -> tuple[StudyPoint, ...]:
    """Return the guideline points behind the shift's lost credit, the heaviest first.

    findings are the shift's privacy findings outside any chart (an unsafe inbox answer).
    """
    points: dict[str, tuple[float, list[str], str]] = {}

    def add(label: str, why: str, weight: float, item: str) -> None:
        """Add one item and its weight to a study point."""
        total, items, first_why = points.get(label, (0.0, [], why))
        items.append(item)
        points[label] = (total + weight, items, first_why)

    for g in grades:
        for line in g.lines:
            if line.verdict in PERFECT:
                continue
            label, why = _line_point(line)
            code = line.expected or line.submitted or "?"
            mine = line.submitted_form or line.submitted
            yours = f" (you: {mine})" if mine and line.expected else ""
            lost = (1.0 - line.credit) if line.counts else 0.0
            add(label, why, lost, f"{g.case_id}: {code} {line.verdict.value}{yours}")
        if g.decision is not None and not g.decision.correct:
            add(*_rule_point(DECISION_RULE), 1.0, f"{g.case_id}: {g.decision.explanation}")
        if g.query is not None:
            for check in g.query.checks:
                if not check.passed:
                    weight = 1.0 / len(g.query.checks)
                    item = f"{g.case_id}: {check.name}: {check.detail}"
                    add(*_rule_point(QUERY_RULE), weight, item)
        for finding in g.privacy:
            add(*_rule_point(finding.rule), 1.0, f"{g.case_id}: {finding.kind.value}")
    for finding in findings:
        where = finding.case_id or "shift"
        add(*_rule_point(finding.rule), 1.0, f"{where}: {finding.kind.value}")
    ordered = sorted(points.items(), key=lambda kv: (-kv[1][0], -len(kv[1][1]), kv[0]))
    return tuple(
        StudyPoint(point=label, weight=round(total, 4), items=tuple(items), why=why)
        for label, (total, items, why) in ordered
    )


def summarize(
    grades: Sequence[Grade],
    *,
    targets: Mapping[str, Target] | None = None,
    accuracy_goal: float = 0.95,
    productivity_goal: float = 0.95,
    events: Iterable[PrivacyEvent] = (),
    inbox: Sequence[InboxMessage] = (),
) -> ShiftSummary:
    """Summarize a shift: every lens, productivity against targets, privacy, weakest areas first.

    targets maps setting names to the pack's targets (DOMAIN.md defaults when None); events are
    the shift's logged privacy events outside any chart (inbox answers are judged against the
    pack's inbox messages).
    """
    coded = [g for g in grades if g.graded_codes]
    shift_findings = judge_events(events, inbox=inbox)
    privacy = tuple(f for g in grades for f in g.privacy) + tuple(shift_findings)
    settings = sorted({g.setting for g in grades})
    topics = sorted({t for g in grades for t in g.topics})
    checked = sum(g.poa_checked for g in grades)
    queries = [g.query.score for g in grades if g.query is not None]
    return ShiftSummary(
        charts=len(grades),
        credited=sum(g.credited for g in coded),
        possible=sum(g.possible for g in coded),
        accuracy_goal=accuracy_goal,
        record_rate=_rate(g.record_correct for g in grades),
        principal_rate=_rate(g.principal_correct for g in grades),
        poa_rate=sum(g.poa_right for g in grades) / checked if checked else None,
        drg_rate=_rate(g.drg.match if g.drg is not None else None for g in grades),
        decision_rate=_rate(g.decision_correct for g in grades),
        query_score=sum(queries) / len(queries) if queries else None,
        productivity=productivity(grades, targets, productivity_goal),
        privacy=privacy,
        by_setting=_weakest_first(
            _group(s, [g for g in grades if g.setting == s]) for s in settings
        ),
        by_topic=_weakest_first(_group(t, [g for g in grades if t in g.topics]) for t in topics),
        study=study_list(grades, shift_findings),
    )
