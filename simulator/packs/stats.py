"""What a pack holds: cases by setting, topic, difficulty and decision, time, coverage."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from simulator.packs.coverage import CoveragePoint, coverage
from simulator.packs.loader import LoadedPack


@dataclass(frozen=True)
class PackStats:
    """Counts that tell a trainer what a pack teaches and what it leaves out."""

    pack_id: str
    version: str
    cases: int
    inbox: int
    total_minutes: float
    by_setting: dict[str, int] = field(default_factory=dict)
    by_topic: dict[str, int] = field(default_factory=dict)
    by_difficulty: dict[int, int] = field(default_factory=dict)
    by_decision: dict[str, int] = field(default_factory=dict)
    by_expected_reply: dict[str, int] = field(default_factory=dict)
    covered: list[tuple[CoveragePoint, list[str]]] = field(default_factory=list)

    @property
    def uncovered(self) -> list[CoveragePoint]:
        """Return the coverage-checklist points no case covers."""
        return [point for point, ids in self.covered if not ids]

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as plain data for `--json` output."""
        return {
            "pack": self.pack_id,
            "version": self.version,
            "cases": self.cases,
            "inbox_messages": self.inbox,
            "total_time_standard_minutes": round(self.total_minutes, 1),
            "by_setting": self.by_setting,
            "by_topic": self.by_topic,
            "by_difficulty": {str(k): v for k, v in self.by_difficulty.items()},
            "by_decision": self.by_decision,
            "inbox_by_expected_reply": self.by_expected_reply,
            "coverage": [
                {"point": p.id, "side": p.side, "text": p.text, "tag": p.tag, "cases": ids}
                for p, ids in self.covered
            ],
            "uncovered": [p.id for p in self.uncovered],
        }

    def lines(self) -> list[str]:
        """Return the figures as plain text lines for the terminal."""
        hours, minutes = divmod(round(self.total_minutes), 60)

        def row(title: str, counts: dict[Any, int]) -> list[str]:
            """Return a titled block of counts, one per line."""
            if not counts:
                return [f"{title}: none"]
            width = max(len(str(k)) for k in counts)
            return [f"{title}:", *(f"  {k!s:<{width}}  {v:>4}" for k, v in counts.items())]

        out = [
            f"pack {self.pack_id} {self.version}: {self.cases} cases, {self.inbox} inbox "
            f"message{'s' if self.inbox != 1 else ''}",
            f"total time standard: {hours} h {minutes:02d} min",
            *row("by setting", self.by_setting),
            *row("by decision", self.by_decision),
            *row("by difficulty", self.by_difficulty),
            *row("by topic", self.by_topic),
        ]
        if self.by_expected_reply:
            out += row("inbox by expected reply", self.by_expected_reply)
        total = len(self.covered)
        done = total - len(self.uncovered)
        out.append(f"coverage checklist (DOMAIN.md): {done} of {total} points covered")
        for point in self.uncovered:
            out.append(f"  not covered: [{point.side}] {point.text} (tag a case: {point.tag})")
        return out


def _sorted(counter: Counter[Any]) -> dict[Any, int]:
    """Return counts, most frequent first, then by name."""
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))))


def pack_stats(loaded: LoadedPack) -> PackStats:
    """Count a pack's cases and inbox messages every way a trainer wants to see them."""
    cases = loaded.cases
    pack = loaded.pack
    minutes = sum(case.time_standard_minutes or pack.target(case.setting).minutes for case in cases)
    return PackStats(
        pack_id=pack.id,
        version=pack.version,
        cases=len(cases),
        inbox=len(loaded.inbox),
        total_minutes=minutes,
        by_setting=_sorted(Counter(c.setting.value for c in cases)),
        by_topic=_sorted(Counter(t for c in cases for t in c.topics)),
        by_difficulty=dict(sorted(Counter(c.difficulty for c in cases).items())),
        by_decision=_sorted(Counter(c.decision.action.value for c in cases)),
        by_expected_reply=_sorted(Counter(m.expected for m in loaded.inbox)),
        covered=coverage(cases),
    )
