"""Productivity: time per chart against its standard, charts and workload units per hour."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from simulator.charts.render import Chart
from simulator.packs.models import DEFAULT_TARGETS, Setting, Target
from simulator.scoring.model import Grade, TimeResult, Timings


def time_lens(chart: Chart, timings: Timings | None) -> TimeResult | None:
    """Return the chart's counted time against its standard, or None without timings."""
    if timings is None:
        return None
    return TimeResult(
        counted_seconds=timings.counted_seconds,
        excluded_seconds=timings.excluded_seconds,
        idle_seconds=min(timings.idle_seconds, timings.counted_seconds),
        standard_minutes=chart.time_standard_minutes,
    )


@dataclass(frozen=True)
class Pace:
    """Charts and workload units per counted hour against the targets, for a group of charts."""

    name: str
    charts: int
    hours: float
    """Counted hours (pended and locked time taken out)."""
    standard_hours: float
    """Hours the charts' time standards allow."""
    units: float
    """Workload units earned: each chart counts its setting's units."""
    target_hours: float
    """Hours the pack's charts-per-hour targets allow for these charts."""

    @property
    def charts_per_hour(self) -> float | None:
        """Charts finished per counted hour."""
        return self.charts / self.hours if self.hours > 0 else None

    @property
    def target_charts_per_hour(self) -> float | None:
        """The target rate for this mix of charts (blended over settings)."""
        return self.charts / self.target_hours if self.target_hours > 0 else None

    @property
    def units_per_hour(self) -> float | None:
        """Workload units per counted hour."""
        return self.units / self.hours if self.hours > 0 else None

    @property
    def target_units_per_hour(self) -> float | None:
        """The target workload units per hour for this mix."""
        return self.units / self.target_hours if self.target_hours > 0 else None

    @property
    def productivity(self) -> float | None:
        """Standard hours earned over counted hours (1.0 = exactly on standard)."""
        return self.standard_hours / self.hours if self.hours > 0 else None


@dataclass(frozen=True)
class Productivity:
    """The shift's productivity: overall, by setting, and the charts without timings."""

    overall: Pace
    by_setting: tuple[Pace, ...]
    goal: float
    """Share of the standard a coder must reach (95% is common)."""
    untimed: int
    """Charts graded without timings (left out of every rate)."""
    excluded_hours: float
    """Hours taken out because the chart was pended or the screen locked."""
    idle_hours: float
    """Idle hours that were counted (the chart was open and workable)."""

    @property
    def met(self) -> bool | None:
        """True when productivity reached the goal; None without timed charts."""
        value = self.overall.productivity
        return None if value is None else value >= self.goal


def _target(targets: Mapping[str, Target], setting: str) -> Target:
    """Return the target for a setting, the DOMAIN.md default when the mapping lacks it."""
    found = targets.get(setting)
    if found is not None:
        return found
    try:
        return DEFAULT_TARGETS[Setting(setting)]
    except ValueError:
        return DEFAULT_TARGETS[Setting.CLINIC]


def _pace(name: str, grades: Sequence[Grade], targets: Mapping[str, Target]) -> Pace:
    """Sum the timed charts of a group into a Pace."""
    timed = [g for g in grades if g.time is not None]
    hours = sum(g.time.counted_seconds for g in timed if g.time is not None) / 3600
    standard = sum(g.time.standard_minutes for g in timed if g.time is not None) / 60
    units = sum(_target(targets, g.setting).workload_units for g in timed)
    target_hours = sum(1 / _target(targets, g.setting).charts_per_hour for g in timed)
    return Pace(name, len(timed), hours, standard, units, target_hours)


def productivity(
    grades: Sequence[Grade],
    targets: Mapping[str, Target] | None = None,
    goal: float = 0.95,
) -> Productivity:
    """Return the shift's productivity against the pack's targets (DOMAIN.md defaults)."""
    table: Mapping[str, Target] = (
        targets if targets is not None else {s.value: t for s, t in DEFAULT_TARGETS.items()}
    )
    settings = sorted({g.setting for g in grades if g.time is not None})
    return Productivity(
        overall=_pace("all charts", grades, table),
        by_setting=tuple(_pace(s, [g for g in grades if g.setting == s], table) for s in settings),
        goal=goal,
        untimed=sum(1 for g in grades if g.time is None),
        excluded_hours=sum(g.time.excluded_seconds for g in grades if g.time is not None) / 3600,
        idle_hours=sum(g.time.idle_seconds for g in grades if g.time is not None) / 3600,
    )
