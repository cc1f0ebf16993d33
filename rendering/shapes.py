"""The one JSON shape of an event and of a status, for every output that shows them.

``show``, ``replay``, ``record`` and ``retract`` print them with ``--json``; ``export`` writes
an event as the same shape with its ``record`` kind and ``person`` before it, which
``import`` reads back. Keys are the names DESIGN.md §4 gives; values are JSON-ready (a
date as its text, a record time as ``dates.time_text`` spells it).
"""

from __future__ import annotations

from typing import Any

from casetrail.domain.dates import time_text
from casetrail.domain.events import PersonEvent, Retracted
from casetrail.domain.fold import State
from casetrail.domain.money import amount_text

STATUS_KEYS = ("custody", "legal", "appeal_pending", "vital", "designation", "headline", "days_in_custody")


def event_shape(event: PersonEvent) -> dict[str, Any]:
    """A fact or a retraction: its type and id, what it says, and when it was recorded."""
    data: dict[str, Any] = {"type": event.type, "id": str(event.id)}
    if isinstance(event, Retracted):
        data.update(event_id=str(event.event_id), reason=event.reason)
        if event.source:
            data["source"] = event.source
    else:
        data.update(on=event.on.text, source=event.source)
        data.update(event.fields())
        for name in ("note", "group"):
            if getattr(event, name) is not None:
                data[name] = getattr(event, name)
    data["recorded_at"] = time_text(event.timestamp)
    data["recorded_by"] = event.author
    return data


def event_record(person: str, event: PersonEvent) -> dict[str, Any]:
    """An event as export writes it and import reads it: its shape, whose it is."""
    return {"record": "event", "person": person, **event_shape(event)}


def status_shape(state: State, days: int) -> dict[str, Any]:
    return {"custody": state.custody, "legal": state.legal, "appeal_pending": state.appeal_pending,
            "vital": state.vital, "designation": state.designation, "headline": state.headline,
            "days_in_custody": days}


def compensation_shape(state: State) -> list[dict[str, str]]:
    return [{"currency": c, "awarded": amount_text(m.awarded, grouped=False),
             "claimed": amount_text(m.claimed, grouped=False)} for c, m in state.compensation]
