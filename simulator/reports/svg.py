"""Small inline SVG charts for HTML reports: no script, no external asset, every label escaped.

Series are told apart by shape and pattern as well as colour (solid or hatched bars, round or
square markers, solid or dashed lines), and every value is written next to its mark, so a chart
reads the same printed in black and white.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

COLOURS = ("#1f5fa8", "#b4540f")
"""Series colours (blue, orange: distinguishable with the common colour-vision deficiencies)."""

GOAL_COLOUR = "#2b2b2b"
"""The goal line."""

FONT = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:12px"
"""Inline text style (an SVG in an e-mail gets no style sheet)."""

_HATCH = (
    '<defs><pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="{colour}" stroke-width="3"/></pattern></defs>'
)


def _pct(value: float) -> str:
    """Format a share as a whole percentage."""
    return f"{value * 100:.0f}%"


def _scale_top(values: Sequence[float | None], goal: float | None, cap: float = 2.0) -> float:
    """Return the top of the value axis: at least 100%, at most `cap`, in steps of 25%."""
    seen = [v for v in values if v is not None] + ([goal] if goal is not None else [])
    top = max([1.0, *seen])
    top = min(top, cap)
    return -(-top // 0.25) * 0.25


def _fill(series: int, uid: str) -> str:
    """Return the fill of a series: solid for the first, hatched for the second."""
    return COLOURS[0] if series == 0 else f"url(#{uid}-hatch)"


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, float | None]],
    *,
    goal: float | None = None,
    uid: str = "bars",
) -> str:
    """Return horizontal bars (a share each, n/a when None) with an optional goal line."""
    label_width, bar_width, row = 150, 360, 22
    height = 30 + row * len(bars) + 24
    width = label_width + bar_width + 70
    top = _scale_top([v for _, v in bars], goal)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="{FONT}" aria-labelledby="{uid}-t">',
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(bars):
        y = 30 + i * row
        parts.append(f'<text x="0" y="{y + 14}">{escape(label)}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="14" fill="#eef1f5"/>'
        )
        if value is None:
            parts.append(f'<text x="{label_width + 4}" y="{y + 14}" fill="#555">n/a</text>')
            continue
        length = bar_width * min(value, top) / top
        clipped = "›" if value > top else ""
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="14" '
            f'fill="{COLOURS[0]}"><title>{escape(label)}: {_pct(value)}</title></rect>'
        )
        parts.append(
            f'<text x="{label_width + bar_width + 6}" y="{y + 14}">{_pct(value)}{clipped}</text>'
        )
    if goal is not None:
        x = label_width + bar_width * min(goal, top) / top
        bottom = 30 + row * len(bars)
        parts.append(
            f'<line x1="{x:.1f}" y1="26" x2="{x:.1f}" y2="{bottom}" stroke="{GOAL_COLOUR}" '
            'stroke-width="2" stroke-dasharray="5,3"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle">goal {_pct(goal)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def grouped_bars(
    title: str,
    series: Sequence[str],
    groups: Sequence[tuple[str, Sequence[float | None]]],
    *,
    goal: float | None = None,
    uid: str = "groups",
) -> str:
    """Return horizontal bar pairs per group (e.g. accuracy and productivity per trainee)."""
    label_width, bar_width, bar, gap = 150, 360, 12, 10
    row = bar * len(series) + gap
    first = 30 + 16 * len(series)
    height = first + row * len(groups) + 24
    width = label_width + bar_width + 70
    top = _scale_top([v for _, values in groups for v in values], goal)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="{FONT}" aria-labelledby="{uid}-t">',
        _HATCH.format(id=f"{uid}-hatch", colour=COLOURS[1]),
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>',
    ]
    for s, name in enumerate(series):
        key_y = 24 + 16 * s
        parts.append(
            f'<rect x="{label_width}" y="{key_y}" width="14" height="10" fill="{_fill(s, uid)}" '
            f'stroke="{COLOURS[min(s, 1)]}"/>'
            f'<text x="{label_width + 20}" y="{key_y + 9}">{escape(name)}</text>'
        )
    for g, (label, values) in enumerate(groups):
        y = first + g * row
        parts.append(f'<text x="0" y="{y + bar * len(series) / 2 + 4:.1f}">{escape(label)}</text>')
        for s, value in enumerate(values):
            by = y + s * bar
            if value is None:
                parts.append(
                    f'<text x="{label_width + 4}" y="{by + 10}" fill="#555">'
                    f"{escape(series[s])} n/a</text>"
                )
                continue
            length = bar_width * min(value, top) / top
            clipped = "›" if value > top else ""
            parts.append(
                f'<rect x="{label_width}" y="{by + 1}" width="{length:.1f}" height="{bar - 2}" '
                f'fill="{_fill(s, uid)}" stroke="{COLOURS[min(s, 1)]}">'
                f"<title>{escape(label)}, {escape(series[s])}: {_pct(value)}</title></rect>"
            )
            parts.append(
                f'<text x="{label_width + length + 4:.1f}" y="{by + 10}">'
                f"{_pct(value)}{clipped}</text>"
            )
    if goal is not None:
        x = label_width + bar_width * min(goal, top) / top
        bottom = first + row * len(groups)
        parts.append(
            f'<line x1="{x:.1f}" y1="{first - 4}" x2="{x:.1f}" y2="{bottom}" '
            f'stroke="{GOAL_COLOUR}" '
            'stroke-width="2" stroke-dasharray="5,3"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle">goal {_pct(goal)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    goal: float | None = None,
    uid: str = "lines",
) -> str:
    """Return shares over time (one point per label) as lines with markers and a goal line."""
    left, right, plot_height = 44, 20, 180
    plot_top = 40 + 16 * len(series)
    step = 56 if len(labels) > 1 else 0
    width = max(360, left + right + step * max(len(labels) - 1, 0) + 40)
    height = plot_top + plot_height + 40
    top = _scale_top([v for _, values in series for v in values], goal)

    def y_of(value: float) -> float:
        """Return the y coordinate of a share."""
        return plot_top + plot_height * (1 - min(value, top) / top)

    def x_of(index: int) -> float:
        """Return the x coordinate of the i-th point."""
        return left + 20 + index * step

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="{FONT}" aria-labelledby="{uid}-t">',
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>',
    ]
    for s, (name, _) in enumerate(series):
        key_y = 28 + 16 * s
        dash = "" if s == 0 else ' stroke-dasharray="6,3"'
        parts.append(
            f'<line x1="{left}" y1="{key_y}" x2="{left + 22}" y2="{key_y}" '
            f'stroke="{COLOURS[s % 2]}" stroke-width="2"{dash}/>'
            f'<text x="{left + 28}" y="{key_y + 4}">{escape(name)}</text>'
        )
    ticks = [i * 0.25 for i in range(int(top / 0.25) + 1)]
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e6ea"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{_pct(tick)}</text>'
        )
    if goal is not None:
        y = y_of(goal)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GOAL_COLOUR}" stroke-width="1.5" stroke-dasharray="5,3"/>'
            f'<text x="{width - right}" y="{y - 4:.1f}" text-anchor="end">goal {_pct(goal)}</text>'
        )
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{x_of(i):.1f}" y="{plot_top + plot_height + 18}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for s, (name, values) in enumerate(series):
        colour = COLOURS[s % 2]
        points = [(x_of(i), y_of(v), v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            dash = "" if s == 0 else ' stroke-dasharray="6,3"'
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
            )
        for x, y, v in points:
            tip = f"<title>{escape(name)}: {_pct(v)}</title>"
            if s == 0:
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">{tip}</circle>'
                )
            else:
                parts.append(
                    f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" '
                    f'fill="{colour}">{tip}</rect>'
                )
            offset = -8 if s == 0 else 16
            parts.append(
                f'<text x="{x:.1f}" y="{y + offset:.1f}" text-anchor="middle" '
                f'fill="{colour}">{_pct(v)}{"›" if v > top else ""}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
