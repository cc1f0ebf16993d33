"""The home page's chart: each list's count on days from the first entry to V, at record time K."""

from __future__ import annotations

from typing import Any

from casetrail.projections.times import At
from casetrail.rendering.chart import counts_svg, sample_days


def counts_chart(site: Any, at: At) -> dict[str, Any]:
    """The SVG and the table's rows (day, then each list's count)."""
    first = site.views.first_list_day(at.known_at)
    if first is None or first >= at.as_of:
        return {"svg": "", "rows": [], "names": []}
    days = sample_days(first, at.as_of)
    counts = [site.views.counts(At(day, at.known_at)) for day in days]
    names = site.rules.names
    return {"svg": counts_svg(days, counts, names, "list counts over time"), "names": names,
            "rows": [[day.isoformat(), *(c[n] for n in names)] for day, c in zip(days, counts)]}
