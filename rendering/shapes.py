"""The one JSON shape of an event and of a status, for every output that shows them.

``show``, ``replay``, ``record`` and ``retract`` print them with ``--json``; ``export`` writes
an event as the same shape with its ``record`` kind and ``person`` before it, which
``import`` reads back. Keys are the names DESIGN.md §4 gives; values are JSON-ready (a
date as its text, a record time as ``dates.time_text`` spells it).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from casetrail.domain.case import Case, CaseFact, CaseFolded, PartyAdded
from casetrail.domain.claims import Cited, Claims, Dispute, details
from casetrail.domain.dates import time_text
from casetrail.domain.events import IDENTITY_EVENTS, Corroborated, Fact, PersonEvent, Preferred, Retracted
from casetrail.domain.facets import FACET
from casetrail.domain.fold import Folded, State
from casetrail.domain.money import amount_text
from casetrail.domain.rules import Rules

STATUS_KEYS = ("custody", "legal", "appeal_pending", "vital", "designation", "headline", "days_in_custody",
               "sentence", "release_reported", "died_in_custody", "posthumous", "allegation")


def event_shape(event: PersonEvent, claims: Claims | None = None) -> dict[str, Any]:
    """A fact, or an event about one (retraction, corroboration, preference): its type and id,
    what it says, and when it was recorded. With ``claims`` (a reader's view, not a record to
    import), a fact's ``sources`` and ``claimants`` are all of them, corroborations included, and
    ``contested`` is there when it is one account of a disputed happening; without, they are
    the fact's own (an export writes corroborations as records of their own)."""
    data: dict[str, Any] = {"type": event.type, "id": str(event.id)}
    if isinstance(event, IDENTITY_EVENTS):  # who the person is: what the event says, as stored
        data.update(event.model_dump(mode="json", exclude=_IDENTITY_UNSAID, exclude_none=True))
    elif isinstance(event, (Retracted, Corroborated, Preferred)):
        data["event_id"] = str(event.event_id)
        for name in ("reason", "source", "claimant", "note"):
            if getattr(event, name, None) is not None:
                data[name] = getattr(event, name)
    else:
        data.update(on=event.on.text, source=event.source)
        data.update(event.fields())
        for name in ("note", "group", "claimant"):
            if getattr(event, name) is not None:
                data[name] = getattr(event, name)
        if event.disputes is not None:
            data["disputes"] = str(event.disputes)
        if event.distinct:
            data["distinct"] = True
        data.update(cited_shape(event, claims))
        if claims is not None and event.id in claims.disputed:
            data["contested"] = True
    data["recorded_at"] = time_text(event.timestamp)
    data["recorded_by"] = event.author
    return data


def cited_shape(fact: Fact, claims: Claims | None) -> dict[str, list[str]]:
    """Where a fact is read (``source`` stays the first, for older consumers) and who asserts it
    (``claimants``, when any source says)."""
    cited = claims.sources(fact) if claims is not None else (Cited(fact.source, fact.claimant, fact.id),)
    shape = {"sources": [c.source for c in cited]}
    claimants = list(dict.fromkeys(c.claimant for c in cited if c.claimant))
    if claimants:
        shape["claimants"] = claimants
    return shape


def dispute_shape(dispute: Dispute, claims: Claims) -> dict[str, Any]:
    """Competing accounts of one happening, each with its sources, and the one that counts."""
    preference = dispute.preference
    return {"event_ids": [str(a.id) for a in dispute.accounts], "facet": dispute.facet,
            "accounts": [{"event_id": str(a.id), "value": details(a), "claimants": [], **cited_shape(a, claims)}
                         for a in dispute.accounts],
            "preferred": str(dispute.preferred.id),
            "preferred_by": ({"reason": preference.reason, "source": preference.source,
                              "recorded_at": time_text(preference.timestamp)} if preference else None)}


# Not written of an identity event: the envelope, and the stream ids a key gives again.
_IDENTITY_UNSAID = {"originator_id", "originator_version", "timestamp", "previous", "recorded_by", "id", "batch",
                    "other_id", "into_id"}


def event_record(person: str, event: PersonEvent) -> dict[str, Any]:
    """An event as export writes it and import reads it: its shape, whose it is, and the import that
    added it (``batch``, when one did)."""
    record = {"record": "event", "person": person, **event_shape(event)}
    if event.batch is not None:
        record["batch"] = event.batch
    return record


def status_shape(state: State, days: int) -> dict[str, Any]:
    """A status: the facets, days in custody, and whether the release that made custody free was
    reported (false: a term ran out with no release reported; null: not free)."""
    return {"custody": state.custody, "legal": state.legal, "appeal_pending": state.appeal_pending,
            "vital": state.vital, "designation": state.designation, "headline": state.headline,
            "days_in_custody": days, "sentence": state.sentence, "release_reported": state.release_reported,
            "died_in_custody": state.died_in_custody, "posthumous": state.posthumous,
            "allegation": FACET["allegation"].read(state)}


def compensation_shape(state: State) -> list[dict[str, str]]:
    return [{"currency": c, "awarded": amount_text(m.awarded, grouped=False),
             "claimed": amount_text(m.claimed, grouped=False)} for c, m in state.compensation]


def case_shape(key: str, name: str, aliases: list[str], folded: Folded,
               last_reported: Fact | None = None) -> dict[str, Any]:
    """A case at (V, K): ``show --json`` and the web app's ``GET /api/people/{key}``. ``last_reported``:
    the latest fact that set a facet by V (timeline.last_reported)."""
    return {"person": key, "name": name, "aliases": list(aliases),
            "as_of": folded.as_of.isoformat(), "known_at": _stamp(folded.known_at),
            "uncertain": folded.uncertain, "contested": folded.contested,
            "last_reported": last_reported.on.text if last_reported else None,
            "status": status_shape(folded.state, folded.days_in_custody),
            "compensation": compensation_shape(folded.state),
            "disputes": [dispute_shape(d, folded.claims) for d in folded.disputes],
            "cases": roles_shape(folded.state),
            "events": [_marked(event_shape(e, folded.claims), e, folded.state) for e in folded.events]}


def _marked(shape: dict[str, Any], fact: Fact, state: State) -> dict[str, Any]:
    """A fact as a reader's view shows it: after the death (posthumous), or derived by the fold (a
    term that ran out: never recorded, its release not reported)."""
    if state.died is not None and fact.on.earliest > state.died.on.latest:
        shape["posthumous"] = True
    if fact.derived:
        shape["derived"] = True
    return shape


def roles_shape(state: State) -> list[dict[str, Any]]:
    """The cases a person is party to at (V, K), each with their role (and, for a relative, whose)."""
    return [{"case": case, "role": role, "of": of} for case, role, of in state.case_roles]


def case_event_shape(event: CaseFact | PartyAdded) -> dict[str, Any]:
    """A case's fact or party as ``case show --json`` lists it."""
    data: dict[str, Any] = {"type": event.type, "id": str(event.id), "on": event.on.text, "source": event.source}
    if isinstance(event, CaseFact):
        data.update(event.fields())
    for name in ("note", "claimant"):
        if getattr(event, name) is not None:
            data[name] = getattr(event, name)
    data["recorded_at"] = time_text(event.timestamp)
    data["recorded_by"] = event.author
    return data


def outcome_shape(verdict: Fact | None) -> dict[str, Any] | None:
    """An accused's verdict in the case, from their own stream (None: none counts at (V, K))."""
    if verdict is None:
        return None
    fields = {k: v for k, v in verdict.fields().items() if k != "case"}
    return {"type": verdict.type, "id": str(verdict.id), "on": verdict.on.text, **fields}


def party_shape(party: PartyAdded, verdict: Fact | None, records: dict[str, str] | None = None) -> dict[str, Any]:
    """A party as added; ``records``: the record that now holds each named person (a merge's), whose
    key is given, with ``added_as`` the key the party was added under."""
    records = records or {}
    person = records.get(party.person, party.person) if party.person else None
    shape = {"person": person, "role": party.role.value, "of": records.get(party.of, party.of) if party.of else None,
             "outcome": outcome_shape(verdict) if party.role.value == "accused" else None,
             "id": str(party.id), "on": party.on.text, "source": party.source}
    if person != party.person:
        shape["added_as"] = party.person
    if party.unnamed is not None:
        shape["unnamed"] = party.unnamed
    return shape


def proceeding_shape(case: Case, folded: CaseFolded, verdicts: dict[str, Fact | None],
                     records: dict[str, str] | None = None) -> dict[str, Any]:
    """A case at (V, K): ``case show --json`` and the web app's ``/cases/{case}``. ``verdicts``: each
    named accused's verdict in it, read from their own stream; ``records``: see ``party_shape``."""
    return {"case": case.key, "title": case.title, "court": case.court, "articles": list(case.articles),
            "source": case.source, "as_of": folded.as_of.isoformat(), "known_at": _stamp(folded.known_at),
            "uncertain": folded.uncertain, "status": folded.status,
            "parties": [party_shape(p, verdicts.get(p.person or ""), records) for p in folded.parties],
            "events": [case_event_shape(e) for e in folded.facts]}


def cases_shape(cases: list[Any]) -> dict[str, Any]:
    """Every case registered: ``case list --json`` and ``/cases``."""
    return {"cases": [{"case": c.key, "title": c.title, "court": c.court, "recorded_at": time_text(c.timestamp)}
                      for c in cases]}


def lists_shape(rules: Rules, counts: dict[str, int], as_of: date, known_at: datetime | None,
                possible: dict[str, int] | None = None) -> dict[str, Any]:
    """Every list with its count: ``lists --json`` and ``GET /api/lists``. ``members`` counts those
    on it (an uncertain entry among them); ``possibly`` those who may still be on it, after an
    exit that may not have happened yet (``list`` shows both)."""
    possible = possible or {}
    return {"as_of": as_of.isoformat(), "known_at": _stamp(known_at),
            "lists": [{"list": rule.name, "title": rule.title, "members": counts[rule.name],
                       "possibly": possible.get(rule.name, 0)} for rule in rules.lists]}


MEMBER_KEYS = ("person", "name", "since", "uncertain", "possibly", "contested", "last_reported", "source")


def list_shape(name: str, title: str, members: list[dict[str, Any]], as_of: date,
               known_at: datetime | None) -> dict[str, Any]:
    """A list's members: ``list --json`` and ``GET /api/lists/{name}``."""
    return {"list": name, "title": title, "as_of": as_of.isoformat(), "known_at": _stamp(known_at),
            "members": [{k: m[k] for k in MEMBER_KEYS} for m in members]}


def audit_shape(key: str, name: str, known_at: datetime | None, changes: list[dict[str, Any]],
                retracted: list[dict[str, Any]], claims: Claims, state: State | None = None,
                history: list[PersonEvent] = ()) -> dict[str, Any]:
    """A person's audit: ``audit KEY --json`` and ``GET /api/people/{key}/audit``; ``state``: their whole
    story's, for the cases they are party to; ``history`` gives the amendments and merges (``identity``)."""
    return {"person": key, "name": name, "known_at": _stamp(known_at), "changes": changes, "retracted": retracted,
            "disputes": [dispute_shape(d, claims) for d in claims.disputes],
            "cases": roles_shape(state) if state is not None else [], "identity": identity_shape(history, known_at)}


def identity_shape(history: list[PersonEvent], known_at: datetime | None = None) -> list[dict[str, Any]]:
    """Each amendment, merge and merge pointer of a stream recorded by ``known_at``, with what it said and
    whether it was retracted: the old values stay visible."""
    gone = {e.event_id for e in history if isinstance(e, Retracted) and (known_at is None or e.timestamp <= known_at)}
    return [{"event_id": str(e.id), "type": e.type, "recorded_at": time_text(e.timestamp), "recorded_by": e.author,
             "retracted": e.id in gone,
             **e.model_dump(mode="json", exclude=_IDENTITY_UNSAID, exclude_none=True)}
            for e in history if isinstance(e, IDENTITY_EVENTS) and (known_at is None or e.timestamp <= known_at)]


_NOT_SHOWN = {"originator_id", "originator_version", "originator_topic", "timestamp", "previous", "recorded_by", "id"}


def recorded_shape(kind: str, key: str, event: Any) -> dict[str, Any]:
    """One event of ``changes``: whose stream it is (``stream``: person, case or source; ``key``), whether it takes something back, what it says
    (as stored), and when and by whom it was recorded."""
    name = getattr(event, "type", None) or _SOURCE_EVENTS[type(event).__name__]
    return {"recorded_at": time_text(event.timestamp), "recorded_by": event.author, "stream": kind, "key": key,
            "change": "retracted" if name in ("retracted", "case_retracted") else "recorded", "type": name,
            "id": str(event.id) if hasattr(event, "id") else None,
            **event.model_dump(mode="json", exclude=_NOT_SHOWN, exclude_none=True)}


_SOURCE_EVENTS = {"SourceRegistered": "source_registered", "FileAttached": "file_attached"}  # they have no type


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else time_text(moment)
