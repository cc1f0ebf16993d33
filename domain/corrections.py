"""What an audit adds to a person's changes: when each fact was recorded, and the corrections.

The views' change rows carry the record time from which each change, as worded, holds.
A retraction words later changes again (custody "imprisoned -> free" becomes "detained ->
free"), so those rows start at the retraction: the audit shows each change with its
cause's own record time (``recorded_at``) and keeps the row's as ``believed_since``.

A retracted fact no longer causes any change, so the rows alone would hide that a
conviction was believed for a year. ``corrections`` lists every retracted fact with its
own record time, the retraction's, the reason, and the changes it made while believed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence

from casetrail.domain.events import UNKNOWN_AUTHOR, Fact, PersonEvent, Retracted
from casetrail.domain.fold import known
from casetrail.domain.rules import Rules
from casetrail.domain.dates import time_text
from casetrail.domain.timeline import Change, timeline

_JUST_BEFORE = timedelta(microseconds=1)


@dataclass(frozen=True)
class Correction:
    fact: Fact
    retraction: Retracted
    believed: tuple[Change, ...]  # the changes the fact made until it was retracted

    def json(self) -> dict[str, Any]:
        fact, retraction = self.fact, self.retraction
        return {"event_id": str(fact.id), "event_type": fact.type, "valid_on": fact.on.text, "source": fact.source,
                "recorded_at": time_text(fact.timestamp), "recorded_by": fact.author,
                "retraction_id": str(retraction.id), "retracted_at": time_text(retraction.timestamp),
                "retracted_by": retraction.author, "reason": retraction.reason,
                "retraction_source": retraction.source,
                "believed": [{"facet": c.name if c.kind == "facet" else None, "list": c.name if c.kind == "list" else None,
                              "from": c.before, "to": c.after} for c in self.believed]}


def corrections(events: Sequence[PersonEvent], rules: Rules, known_at: datetime | None = None) -> list[Correction]:
    """Every retraction recorded by ``known_at`` (None: now), in record order."""
    seen = known(events, known_at)
    facts = {e.id: e for e in seen if isinstance(e, Fact)}
    found = []
    # A retracted corroboration or preference is no fact taken back: its effect shows in the disputes.
    for retraction in (e for e in seen if isinstance(e, Retracted) and e.event_id in facts):
        fact = facts[retraction.event_id]
        before = timeline(events, rules, retraction.timestamp - _JUST_BEFORE)  # all: a merge known later is told apart
        found.append(Correction(fact, retraction, tuple(c for c in before.changes if c.cause.id == fact.id)))
    return found


def with_fact_times(changes: list[dict[str, Any]], events: Sequence[PersonEvent]) -> list[dict[str, Any]]:
    """The change rows with their cause's own record time and who recorded it; the row's record
    time is kept as ``believed_since``."""
    facts = {str(e.id): e for e in events if isinstance(e, Fact)}
    return [{**c, "recorded_at": time_text(facts[c["event_id"]].timestamp) if c["event_id"] in facts else c["recorded_at"],
             "recorded_by": facts[c["event_id"]].author if c["event_id"] in facts else UNKNOWN_AUTHOR,
             "believed_since": c["recorded_at"]} for c in changes]
