"""The home page's chart: each list's count on days from the first entry to V, at record time K.

A chart asks for the counts on up to 36 days; the answers change only when the read models
move, so each is kept by (position of the views, V, K) and asked again only after a write.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from casetrail.projections.times import At
from casetrail.rendering.chart import counts_svg, sample_days

KEPT = 64  # charts kept: recent (V, K) pairs at the current position


class Charts:
    """One server's charts, kept by (position of the views, V, K)."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def chart(self, site: Any, at: At) -> dict[str, Any]:
        """The SVG and the table's rows (day, then each list's count)."""
        key = (site.views.position(), at.as_of, at.known_at)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        drawn = _drawn(site, at)
        with self._lock:
            self._kept[key] = drawn
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return drawn


def _drawn(site: Any, at: At) -> dict[str, Any]:
    first = site.views.first_list_day(at.known_at)
    if first is None or first >= at.as_of:
        return {"svg": "", "rows": [], "names": []}
    days = sample_days(first, at.as_of)
    counts = site.views.counts_on(days, at.known_at)
    names = site.rules.names
    return {"svg": counts_svg(days, counts, names, "list counts over time"), "names": names,
            "rows": [[day.isoformat(), *(c[n] for n in names)] for day, c in zip(days, counts)]}
