"""The record format of import and export: plain mappings, one per source, person or event.

The field and type names are those of DESIGN.md §4, as the CLI and JSON output use
them. Reading a record validates it completely, a fact with the very function the
command line uses (``facts.make_fact``), so an import finds every bad record before it
writes anything. An event is written in the one shape every output uses
(``rendering.shapes.event_record``); sources and people are written here.
An event's *identity* (person, type, valid date, source and fields; never its id or
record time) is what makes importing the same file twice add nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import Any, Mapping
from uuid import UUID, uuid4

import orjson
from casetrail.domain.dates import parse_instant, time_text
from casetrail.domain.errors import BadInput
from casetrail.domain.events import (
    ABOUT_FACTS, CLAIM_FIELDS, FACT_TYPES, IDENTITY_EVENTS, Corroborated, Fact, Preferred, Registered, Retracted,
    SourceRegistered,
)
from casetrail.domain.case import CASE_FACT_TYPES, CaseEvent, CaseRegistered, CaseRetracted, PartyAdded
from casetrail.domain.facts import FIELD, given, make_fact, validated
from casetrail.domain.person import check_author, check_key, person_id

RECORDS = ("source", "person", "event", "case", "case_event")
CASE_FIELDS = ("key", "title", "court", "articles", "source", "note")
CASE_EVENT_TYPES = {**CASE_FACT_TYPES, PartyAdded.type: PartyAdded, CaseRetracted.type: CaseRetracted}
_CASE_ENVELOPE = {"originator_id", "originator_version", "timestamp", "previous", "recorded_by"}
SOURCE_FIELDS = ("key", "url", "outlet", "title", "published", "note")
PERSON_FIELDS = ("key", "name", "aliases", "born", "place", "note", "recorded_at", "recorded_by")
EVENT_ENVELOPE = ("record", "person", "persons", "type", "id", "recorded_at", "recorded_by", "batch")
_ZERO = UUID(int=0)
# Where a record's event stands until the importer appends it: the model needs a stream,
# a version and a record time to validate it, and each is replaced then.
_PLACEHOLDER = {"originator_id": _ZERO, "originator_version": 1, "timestamp": datetime(2000, 1, 1, tzinfo=timezone.utc)}
_CREATED = {**_PLACEHOLDER, "originator_topic": "x"}  # a registration's placeholder names its aggregate too


@dataclass(frozen=True)
class SourceRecord:
    key: str
    fields: dict[str, Any]
    recorded_by: str | None = None  # who registered it, as an export wrote it (None: whoever imports)
    copies: int = 0  # preserved copies the record names (an export carries their hashes, not the files)

    def same_as(self, stored: Any) -> bool:
        return all(getattr(stored, name) == value for name, value in self.fields.items())


@dataclass(frozen=True)
class PersonRecord:
    key: str
    fields: dict[str, Any]  # name, aliases, born, place, note
    recorded_at: datetime | None = None
    recorded_by: str | None = None

    def same_as(self, stored: Any) -> bool:
        """The registration the store holds (amendments are events of their own, compared as events)."""
        return all(stored.registration[name] == value for name, value in self.fields.items())


@dataclass(frozen=True)
class EventRecord:
    """One event for one person, validated; ``event`` is a template whose envelope
    (stream, version, record time) is filled in when it is appended."""

    person: str
    event: Fact | Retracted | Corroborated | Preferred
    target: str | None = None  # the event id a retraction, corroboration or preference names, as written
    given_id: bool = False
    recorded_at: datetime | None = None
    recorded_by: str | None = None
    batch: str | None = None  # the import that first added it, as an export wrote it (None: this import)


@dataclass(frozen=True)
class CaseRecord:
    """A case's registration, or one event of its stream (``event`` a template, as an EventRecord's)."""

    key: str
    fields: dict[str, Any]  # a registration's title, court, articles, source, note
    event: CaseEvent | None = None
    recorded_at: datetime | None = None
    recorded_by: str | None = None


def read_case(data: Mapping[str, Any]) -> CaseRecord:
    _only(data, CASE_FIELDS + ("record", "recorded_at", "recorded_by"), "case")
    key = check_key(_text(data, "key", "case"), "case")
    fields = given({name: _blank_to_none(data.get(name)) for name in CASE_FIELDS[1:]})
    if "articles" in fields:
        fields["articles"] = _list(fields["articles"], "articles")
    valid = validated(CaseRegistered, {**fields, "key": key, **_CREATED}, "case", FIELD)
    kept = {name: getattr(valid, name) for name in CASE_FIELDS[1:]}
    return CaseRecord(key, kept, None, _instant(data.get("recorded_at")), _author(data))


def read_case_event(data: Mapping[str, Any]) -> CaseRecord:
    """One event of a case's stream as export wrote it (its id and record time kept)."""
    key = check_key(_text(data, "case", "case_event"), "case")
    type_name = _text(data, "type", "case_event")
    cls = CASE_EVENT_TYPES.get(type_name)
    if cls is None:
        raise BadInput(f"field 'type' must be one of {', '.join(CASE_EVENT_TYPES)} (got '{type_name}')")
    fields = {k: v for k, v in data.items() if k not in ("record", "case", "type", "recorded_at", "recorded_by")
              and _blank_to_none(v) is not None}
    event = validated(cls, {**fields, **_PLACEHOLDER}, type_name, FIELD)
    return CaseRecord(key, {}, event, _instant(data.get("recorded_at")), _author(data))


def case_record(case: Any) -> dict[str, Any]:
    """A case aggregate's registration as a record."""
    data: dict[str, Any] = {"record": "case", "key": case.key, "title": case.title}
    data.update(given({"court": case.court, "articles": list(case.articles), "source": case.source, "note": case.note}))
    data["recorded_at"] = time_text(case.registered_at)
    if case.recorded_by is not None:
        data["recorded_by"] = case.recorded_by
    return data


def case_event_record(key: str, event: CaseEvent) -> dict[str, Any]:
    """One event of a case's stream as a record: what it says, its id and record time."""
    said = event.model_dump(mode="json", exclude=_CASE_ENVELOPE, exclude_none=True)
    data = {"record": "case_event", "case": key, "type": event.type, **said, "recorded_at": time_text(event.timestamp)}
    if event.recorded_by is not None:
        data["recorded_by"] = event.recorded_by
    return data


def read_source(data: Mapping[str, Any]) -> SourceRecord:
    _only(data, SOURCE_FIELDS + ("recorded_by", "copies"), "source")
    key = check_key(_text(data, "key", "source"), "source")
    fields = {name: _blank_to_none(data.get(name)) for name in SOURCE_FIELDS[1:]}
    if fields["published"] is not None:
        fields["published"] = _day(fields["published"], "published")
    fields = given(fields)
    validated(SourceRegistered, {**fields, "key": key, **_CREATED}, "source", FIELD)
    return SourceRecord(key, fields, _author(data), len(_copies(data.get("copies"))))


def read_person(data: Mapping[str, Any]) -> PersonRecord:
    _only(data, PERSON_FIELDS, "person")
    key = check_key(_text(data, "key", "person"))
    fields = {"name": data.get("name"), "aliases": _list(data.get("aliases"), "aliases"),
              "born": _blank_to_none(data.get("born")), "place": _blank_to_none(data.get("place")),
              "note": _blank_to_none(data.get("note"))}
    valid = validated(Registered, {**given(fields), "key": key, **_CREATED}, "person", FIELD)
    kept = {name: getattr(valid, name) for name in ("name", "aliases", "born", "place", "note")}
    return PersonRecord(key, kept, _instant(data.get("recorded_at")), _author(data))


def read_event(data: Mapping[str, Any], today: date) -> list[EventRecord]:
    """One record, or one per person of a group fact (``persons: [a, b]``), sharing a group id.

    The fact is checked as the command line checks it (``facts.make_fact``); its envelope is
    a placeholder until the importer appends it to its person's stream."""
    type_name = _text(data, "type", "event")
    people = _people(data)
    fields = {k: _blank_to_none(v) for k, v in data.items() if k not in EVENT_ENVELOPE}
    fields = {k: v for k, v in fields.items() if v is not None}  # as group ids were always made of them
    given_id = _blank_to_none(data.get("id"))
    recorded_at = _instant(data.get("recorded_at"))
    author = _author(data)
    batch = _blank_to_none(data.get("batch"))
    if type_name in _ABOUT or type_name in _IDENTITY:
        if len(people) > 1:
            raise BadInput(f"a {type_name} record names one person: use 'person', not 'persons'")
        if type_name in _IDENTITY:
            return [_identity_record(_IDENTITY[type_name], people[0], fields, given_id, recorded_at, author, batch)]
        return [replace(_about(_ABOUT[type_name], people[0], fields, given_id, recorded_at, author), batch=batch)]
    _known_type(type_name)
    if given_id is not None and len(people) > 1:
        raise BadInput("field 'id' names one event: leave it out of a group fact (each person's event gets its own)")
    more = _more_sources(fields)
    corroborates = fields.pop("corroborates", None)
    if len(people) > 1 and "group" not in fields:
        fields["group"] = "group-" + _digest({"persons": people, "type": type_name, **_jsonable(fields)})[:12]
    for name in ("aliases", "charges"):  # a list may be typed in one cell of a file
        if name in fields:
            fields[name] = _list(fields[name], name)
    template = make_fact(type_name, fields, today, _envelope(given_id), FIELD)
    if corroborates is not None:  # the same as a recorded fact: its source is added to that fact
        if len(people) > 1 or more:
            raise BadInput("field 'corroborates' names one fact of one person: give 'person' and one 'source'")
        cited = {"source": template.source, "claimant": template.claimant, "note": template.note}
        return [_about(Corroborated, people[0], {"event_id": corroborates, **given(cited)}, given_id, recorded_at,
                       author)]
    records = []
    for person, event in zip(people, [template] + [template.model_copy(update={"id": uuid4()}) for _ in people[1:]]):
        records.append(EventRecord(person, event, None, given_id is not None, recorded_at, author, batch))
        # Its other sources: corroborations of it, recorded with it.
        records += [_about(Corroborated, person, {"event_id": str(event.id), "source": source}, None, recorded_at,
                           author)
                    for source in more]
    return records


def identity(person: str, event: Fact | Retracted | Corroborated | Preferred) -> str:
    """What makes two events the same fact, whatever their ids and record times."""
    if isinstance(event, IDENTITY_EVENTS):
        parts = event.model_dump(mode="json", exclude={*_PLACEHOLDER, "id", "previous", "recorded_by", "batch"})
    elif isinstance(event, Retracted):
        parts = {"retracted": str(event.event_id), "reason": event.reason, "source": event.source}
    elif isinstance(event, ABOUT_FACTS):
        parts = {"about": str(event.event_id), **event.model_dump(mode="json", include=_ABOUT_FIELDS,
                                                                  exclude_none=True)}
    else:
        parts = {"on": event.on.text, "source": event.source, "note": event.note, "group": event.group,
                 **event.fields()}
        # What a claim adds, only when given: a fact without it keeps the identity it always had.
        parts.update(event.model_dump(mode="json", include=set(CLAIM_FIELDS)))
    return _digest({"person": person, "type": event.type, **parts})


# -- writing sources and people (export) ---------------------------------------------------------

def source_record(source: Any) -> dict[str, Any]:
    data = {"record": "source", "key": source.key}
    for name in SOURCE_FIELDS[1:]:
        value = getattr(source, name)
        if value is not None:
            data[name] = value.isoformat() if isinstance(value, date) else value
    if source.recorded_by is not None:
        data["recorded_by"] = source.recorded_by
    if source.files:
        data["copies"] = [{"sha256": f.sha256, "size": f.size, "media_type": f.media_type, "name": f.name,
                           "captured_at": time_text(f.captured_at)} for f in source.files]
    return data


def person_record(person: Any) -> dict[str, Any]:
    """A person aggregate's registration as a record: as registered (amendments are events of their own)."""
    registered = person.registration
    data: dict[str, Any] = {"record": "person", "key": person.key, "name": registered["name"]}
    if registered["aliases"]:
        data["aliases"] = list(registered["aliases"])
    for name in ("born", "place", "note"):
        if registered[name] is not None:
            data[name] = registered[name]
    data["recorded_at"] = time_text(person.registered_at)
    if person.recorded_by is not None:
        data["recorded_by"] = person.recorded_by
    return data


# -- helpers -------------------------------------------------------------------------------------

# The records that name a fact (a retraction, a corroboration, a preference): their fields, the one
# each requires and why.
_ABOUT = {cls.type: cls for cls in ABOUT_FACTS}
_ABOUT_FIELDS = {"reason", "source", "claimant", "note"}
_NEEDS = {"retracted": ("reason", "say why the event is taken back", ("reason", "source")),
          "corroborated": ("source", "where the fact is also reported", ("source", "claimant", "note")),
          "preferred": ("reason", "say why this account is preferred", ("reason", "source"))}


def _about(cls: type, person: str, fields: dict[str, Any], given_id: Any, recorded_at: datetime | None,
           author: str | None) -> EventRecord:
    required, why, allowed = _NEEDS[cls.type]
    fields = dict(fields)
    target = fields.pop("event_id", None)
    if target is None:
        raise BadInput(f"field 'event_id' is required: the id of the event a {cls.type} record names")
    unknown = set(fields) - set(allowed)
    if unknown:
        raise BadInput(f"a {cls.type} record has no field '{sorted(unknown)[0]}': give event_id, "
                       + ", ".join(allowed))
    if not fields.get(required):
        raise BadInput(f"field '{required}' is required: {why}")
    template = validated(cls, {"event_id": _ZERO, **fields, **_envelope(given_id)}, cls.type, FIELD)
    return EventRecord(person, template, str(target), given_id is not None, recorded_at, author)


# Records of who a person is (an amendment, a merge and its pointer), written by export as stored.
_IDENTITY = {cls.type: cls for cls in IDENTITY_EVENTS}
_STREAM_OF = {"other": "other_id", "into": "into_id"}  # a key a record names, and the stream id it gives


def _identity_record(cls: type, person: str, fields: dict[str, Any], given_id: Any, recorded_at: datetime | None,
                     author: str | None, batch: str | None) -> EventRecord:
    fields = dict(fields)
    if "aliases" in fields:
        fields["aliases"] = _list(fields["aliases"], "aliases")
    for key_field, id_field in _STREAM_OF.items():
        if key_field in fields:
            fields[id_field] = person_id(check_key(str(fields[key_field])))
    template = validated(cls, {**fields, **_envelope(given_id)}, cls.type, FIELD)
    return EventRecord(person, template, None, given_id is not None, recorded_at, author, batch)


def _more_sources(fields: dict[str, Any]) -> list[str]:
    """A fact record's ``sources`` beyond its ``source`` (which it starts with); ``claimants`` and
    ``contested``, which say what the record's sources and disputes already say, are dropped."""
    fields.pop("contested", None)
    claimants = fields.pop("claimants", None)
    sources = _list(fields.pop("sources", None), "sources")
    if claimants is not None and _list(claimants, "claimants") not in ([], [fields.get("claimant")]):
        raise BadInput("field 'claimants': give who asserts the fact as 'claimant', and each other source's as a "
                       "corroborated record of its own")
    if not sources:
        return []
    fields.setdefault("source", sources[0])
    if sources[0] != fields["source"]:
        raise BadInput(f"field 'sources' must start with the fact's source '{fields['source']}'")
    if len(set(sources)) != len(sources):
        raise BadInput("field 'sources' names a source twice")
    return sources[1:]


def _envelope(given_id: Any) -> dict[str, Any]:
    """The placeholder envelope of a record's event, with the id the record gives, if any."""
    return _PLACEHOLDER if given_id is None else {**_PLACEHOLDER, "id": _uuid(given_id)}


def _known_type(type_name: str) -> None:
    if type_name not in FACT_TYPES:
        known = ", ".join([*FACT_TYPES, "retracted", *_IDENTITY])
        raise BadInput(f"field 'type': unknown event type '{type_name}': use one of {known}")


def _people(data: Mapping[str, Any]) -> list[str]:
    one, many = _blank_to_none(data.get("person")), data.get("persons")
    if (one is None) == (many is None or many == "" or many == []):
        raise BadInput("give field 'person' (one key) or 'persons' (a list of keys for a group fact), not both")
    keys = [one] if one is not None else [key.strip() for key in _list(many, "persons")]
    for key in keys:
        check_key(str(key))
    if len(set(keys)) != len(keys):
        raise BadInput("field 'persons' names someone twice")
    return [str(key) for key in keys]


def _only(data: Mapping[str, Any], allowed: tuple[str, ...], what: str) -> None:
    extra = [k for k in data if k not in allowed and k != "record"]
    if extra:
        raise BadInput(f"a {what} has no field '{extra[0]}': use {', '.join(allowed)}")


def _text(data: Mapping[str, Any], name: str, what: str) -> str:
    value = _blank_to_none(data.get(name))
    if value is None:
        raise BadInput(f"field '{name}' is required for a {what}")
    return str(value).strip()


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _list(value: Any, name: str) -> list[str]:
    """A list, or the text of one typed in a cell: items separated by '|'."""
    if value is None:
        return []
    # Items are stripped by the event's own rules (pydantic's), not str.strip(), which also takes
    # control characters such as \x1f off the ends: an export would not read back the same.
    if isinstance(value, str):
        return [item for item in value.split("|") if item.strip()]
    if not isinstance(value, (list, tuple)):
        raise BadInput(f"field '{name}': expected a list, got '{str(value)[:40]}'")
    for number, item in enumerate(value, 1):
        # str() would store a null as the word "None" and a mapping as its Python text
        if item is None:
            raise BadInput(f"field '{name}': item {number} is empty (null): remove it or write its text")
        if isinstance(item, (bool, dict, list)):
            raise BadInput(f"field '{name}': item {number} must be text (got '{str(item)[:40]}')")
    return [str(item) for item in value]


def _day(value: Any, name: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadInput(f"field '{name}': '{value}' is not a day; give YYYY-MM-DD, e.g. 2024-09-01") from None


def _instant(value: Any) -> datetime | None:
    value = _blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    stamp = parse_instant(str(value), "field 'recorded_at'")
    if stamp > datetime.now(timezone.utc):
        raise BadInput(f"field 'recorded_at': {value} is in the future; leave it out for facts recorded now")
    return stamp


def _copies(value: Any) -> list[Any]:
    """The preserved copies a source record names (``copies``, as export writes it)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            value = None
    if not isinstance(value, list) or not all(isinstance(c, dict) and isinstance(c.get("sha256"), str) for c in value):
        raise BadInput("field 'copies': expected a list of the copies export wrote, each with its sha256")
    return value


def _author(data: Mapping[str, Any]) -> str | None:
    """Who recorded a record, as an export wrote it (None: the one importing)."""
    value = _blank_to_none(data.get("recorded_by"))
    if value is None:
        return None
    try:
        return check_author(str(value))
    except BadInput as error:
        raise BadInput(f"field 'recorded_by': {error}") from None


def _uuid(value: Any) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value).strip())
    except ValueError:
        raise BadInput(f"field 'id': '{str(value)[:40]}' is not an event id (a UUID such as "
                       "3f2a9c1b-...); leave it out and casetrail assigns one") from None


def _jsonable(fields: dict[str, Any]) -> dict[str, Any]:
    return orjson.loads(orjson.dumps(fields, default=str))


def _digest(parts: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(parts, default=str, option=orjson.OPT_SORT_KEYS)).hexdigest()
