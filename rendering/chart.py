"""A chart of list counts over time: one SVG line per list, drawn by casetrail (no script, no library).

Given the counts at each sampled day, it draws the lines, the axes and a legend, and
keeps the numbers in a table beside it (for screen readers and for print).
"""

from __future__ import annotations

from datetime import date
from typing import Mapping, Sequence

from casetrail.rendering.picture import LIST_COLOURS, esc

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 260, 44, 28, 12


def counts_svg(days: Sequence[date], counts: Sequence[Mapping[str, int]], names: Sequence[str], title: str) -> str:
    """Lines of each list's count on each of ``days`` (at least two, in order)."""
    if len(days) < 2:
        return ""
    most = max([1, *(c[name] for c in counts for name in names)])
    first, last = days[0].toordinal(), days[-1].toordinal()

    def x(day: date) -> float:
        return LEFT + (day.toordinal() - first) / max(1, last - first) * (WIDTH - LEFT - 8)

    def y(value: int) -> float:
        return TOP + (1 - value / most) * (HEIGHT - TOP - BOTTOM)

    parts = [f'<line class="axis" x1="{LEFT}" y1="{y(0):.1f}" x2="{WIDTH - 8}" y2="{y(0):.1f}"/>',
             f'<text x="{LEFT - 6}" y="{y(most) + 4:.1f}" text-anchor="end">{most}</text>',
             f'<text x="{LEFT - 6}" y="{y(0) + 4:.1f}" text-anchor="end">0</text>',
             f'<text x="{LEFT}" y="{HEIGHT - 6}">{days[0].isoformat()}</text>',
             f'<text x="{WIDTH - 8}" y="{HEIGHT - 6}" text-anchor="end">{days[-1].isoformat()}</text>']
    for index, name in enumerate(names):
        points = " ".join(f"{x(d):.1f},{y(c[name]):.1f}" for d, c in zip(days, counts))
        colour = LIST_COLOURS[index % len(LIST_COLOURS)]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}">'
                     f'<title>{esc(name)}</title></polyline>')
    legend = "".join(f'<li><svg width="18" height="10" aria-hidden="true"><rect width="18" height="10" '
                     f'fill="{LIST_COLOURS[i % len(LIST_COLOURS)]}"/></svg> {esc(name)}</li>'
                     for i, name in enumerate(names))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-label="{esc(title)}">{"".join(parts)}</svg><ul class="legend">{legend}</ul>')


def sample_days(first: date, last: date, most: int = 36) -> list[date]:
    """Up to ``most`` days from ``first`` to ``last``, evenly spread, both ends included."""
    span = last.toordinal() - first.toordinal()
    if span <= 0:
        return [last]
    step = max(1, -(-span // (most - 1)))
    days = [date.fromordinal(first.toordinal() + n) for n in range(0, span, step)]
    return [*days, last]
