"""Redaction for publication: stable pseudonyms for people and sources, names scrubbed from text.

A person's pseudonym is their place in registration order ("Person 17", key
``person-17``), a source's and a case's likewise (``source-4``, ``case-2``): the store is
append-only, so the number never changes, and unlike a hash of the name it cannot be
reversed by guessing names. Notes, aliases and birth years are dropped; so are a source's
URL and title (an article's address or headline often names the person) and, unless
``keep_sources``, its outlet and publication day. Every other text field (a case's title,
places, courts, charges, reasons) is scrubbed of registered names as ``names.NameIndex`` finds them: a full name
or alias becomes the person's pseudonym, one word of a name a neutral "[name]". Counts
and dates stay.

What it cannot know: a relative's name, a street address or a nickname that was never
registered. ``report()`` lists the capitalised words left in text, for a person to
review before publishing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from types import SimpleNamespace
from typing import Any, Iterable

from casetrail.domain.events import PersonEvent, Registered, SourceRegistered
from casetrail.domain.names import NameIndex, plain, words

DROPPED = ("note", "aliases", "born", "url", "title", "recorded_by")  # who recorded: documenters need cover too
SOURCE_KEPT = ("outlet", "published")  # with keep_sources only
NEUTRAL = "[name]"
_KEYS = {"case": "case_key", "of": "key"}  # fields that hold a key (a relative's "of" names a person)
TEXT_MAX, LONG_TEXT_MAX = 500, 10_000  # the longest text a field takes (events.Text, events.LongText)
_KEPT_AS_IS = {"record", "type", "on", "id", "event_id", "disputes", "distinct", "recorded_at", "published", "amount", "claimed", "previous",
               "currency", "term_months", "kind", "outcome", "recipient", "designation", "role", "fact_id", "status"}
# Capitalised words common in courts' and places' names: not worth a reviewer's look.
_COMMON = {"the", "and", "of", "for", "court", "city", "district", "regional", "region", "police", "department",
           "prison", "colony", "hospital", "national", "security", "committee", "ministry", "interior", "affairs",
           "prosecutor", "office", "general", "supreme", "criminal", "civil", "appeals", "appeal", "board",
           "centre", "center", "detention", "temporary", "isolation", "facility", "station", "street", "square",
           "kazakhstan", "republic", "article", "code", "january", "february", "march", "april", "may", "june",
           "july", "august", "september", "october", "november", "december", "person", "unknown"}


@dataclass
class Report:
    """What a redaction did: pseudonyms given, names replaced in text, and words left to review."""

    people: int = 0
    sources: int = 0
    cases: int = 0
    by_pseudonym: int = 0  # a full name in text, replaced by its person's pseudonym
    by_neutral: int = 0  # one word of a name, or a name two people share, replaced by [name]
    left: Counter = field(default_factory=Counter)  # capitalised words left in text

    def to_review(self) -> list[str]:
        return sorted(self.left, key=lambda word: (-self.left[word], word.casefold()))


class Redactor:
    def __init__(self, registrations: Iterable[Registered], sources: Iterable[SourceRegistered] = (),
                 keep_sources: bool = False, cases: Iterable[Any] = ()) -> None:
        self.keys: dict[str, str] = {}
        self.names: dict[str, str] = {}
        people = []
        for number, registered in enumerate(registrations, 1):
            self.keys[registered.key] = f"person-{number}"
            self.names[registered.key] = f"Person {number}"
            people.append((number, (registered.name, *registered.aliases, registered.key)))
        self.sources = {source.key: f"source-{number}" for number, source in enumerate(sources, 1)}
        # A case's key is the team's label and often names someone ("omarov-trial").
        self.cases = {case.key: f"case-{number}" for number, case in enumerate(cases, 1)}
        self.keep_sources = keep_sources
        self._index = NameIndex(people)
        self._report = Report(people=len(self.keys), sources=len(self.sources), cases=len(self.cases))

    def key(self, person: str) -> str:
        return self.keys.get(person, "person-unknown")

    def name(self, person: str) -> str:
        return self.names.get(person, "Person ?")

    def source_key(self, source: str) -> str:
        return self.sources.get(source, "source-unknown")

    def case_key(self, case: str) -> str:
        return self.cases.get(case, "case-unknown")

    def report(self) -> Report:
        return self._report

    def slug(self, value: str) -> str:
        """A group id with names in it ("trial-omarov" -> "trial-name"), still a valid id."""
        return re.sub(r"[^a-z0-9]+", "-", self._scrubbed(value, review=False).lower()).strip("-") or "group"

    def text(self, value: str) -> str:
        return self._scrubbed(value, review=True)

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        """An export record (source, person or event) fit for publication."""
        kind = record.get("record")
        if kind == "source":
            return self._source_record(record)
        out: dict[str, Any] = {}
        for name, value in record.items():
            if name in DROPPED and not (kind == "case" and name == "title"):  # a case needs a title: scrubbed
                continue
            if kind == "person" and name == "key" or name == "person":
                out[name] = self.key(value)
            elif kind == "case" and name == "key":
                out[name] = self.case_key(value)
            elif kind == "person" and name == "name":
                out[name] = self.name(record["key"])
            else:
                out[name] = self._field(name, value)
        return out

    def event(self, event: PersonEvent) -> PersonEvent:
        """A stored event fit for publication, for pictures drawn from domain events."""
        update: dict[str, Any] = {"note": None} if "note" in type(event).model_fields else {}
        update["recorded_by"] = None
        for name, value in event:
            if isinstance(value, Enum) or not isinstance(value, (str, list, tuple)) or name in update:
                continue  # a fixed vocabulary (AppealBy, Outcome...) holds no names
            update[name] = self._field(name, value)
        return event.model_copy(update=update)

    def source(self, source: Any) -> SimpleNamespace:
        """A source as a picture shows it: its pseudonym, and its outlet and day if kept."""
        kept = {name: getattr(source, name) if self.keep_sources else None for name in SOURCE_KEPT}
        if kept["outlet"]:
            kept["outlet"] = self.text(kept["outlet"])
        return SimpleNamespace(key=self.source_key(source.key), url=None, title=None, **kept)

    def _source_record(self, record: dict[str, Any]) -> dict[str, Any]:
        out = {"record": "source", "key": self.source_key(record["key"])}
        if self.keep_sources:
            out.update({name: self._field(name, record[name]) for name in SOURCE_KEPT if name in record})
        return out

    def _field(self, name: str, value: Any) -> Any:
        if name in _KEYS and value:
            return getattr(self, _KEYS[name])(value)
        if name == "by" and value in self.keys:  # an appeal by a relative names them by key
            return self.key(value)
        if name == "source":
            return self.source_key(value) if value else value
        if name == "sources":
            return [self.source_key(item) for item in value]
        if name == "group":
            return self.slug(value) if value else value
        if isinstance(value, str) and name not in _KEPT_AS_IS:
            return self.text(value)
        if isinstance(value, (list, tuple)):
            return type(value)(self.text(item) if isinstance(item, str) else item for item in value)
        return value

    def _scrubbed(self, value: str, review: bool) -> str:
        """The text with each name found replaced; the capitalised words it keeps noted for review."""
        text = plain(value)
        parts, done = [], 0
        for found in self._index.find(text):
            parts += [self._kept(text[done:found.start], review), self._replacement(found.person)]
            done = found.end
        parts.append(self._kept(text[done:], review))
        scrubbed = _within(parts, TEXT_MAX if len(value) <= TEXT_MAX else LONG_TEXT_MAX)
        return scrubbed if scrubbed.strip() else value  # only invisible characters: nothing to hide

    def _replacement(self, person: int | None) -> str:
        if person is None:
            self._report.by_neutral += 1
            return NEUTRAL
        self._report.by_pseudonym += 1
        return f"Person {person}"

    def _kept(self, text: str, review: bool) -> str:
        if review:
            for word in words(text):
                shown = word.group()
                if len(shown) >= 3 and shown[0].isupper() and shown.casefold() not in _COMMON:
                    self._report.left[shown] += 1
        return text


def _within(parts: list[str], limit: int) -> str:
    """The parts (kept text and replacements, in turn) joined, cut to fit a field that takes ``limit``
    characters, so the export still imports. A replacement is kept whole or left out: cutting
    "Person 12" to "Person 1" would name someone else."""
    if sum(map(len, parts)) <= limit:
        return "".join(parts)
    out, room = [], limit - 1
    for index, part in enumerate(parts):
        if len(part) > room:
            out.append(part[:room] if index % 2 == 0 else "")
            break
        out.append(part)
        room -= len(part)
    return "".join(out) + "…"
