"""Redaction for publication: stable pseudonyms for people, their names scrubbed from text.

A person's pseudonym is their place in registration order ("Person 17", key
``person-17``): the store is append-only, so the number never changes, and unlike a
hash of the name it cannot be reversed by guessing names. Notes, aliases and birth
years are dropped. Every text field (places, courts, source titles and URLs, other
people's fields) is scrubbed of each person's name, aliases, key and the words of
their names. Counts and dates stay.

What it cannot know: a relative's name, a street address or a nickname written in a
note-like field is not a registered name. Review an export before publishing it.
"""

from __future__ import annotations

import re
from enum import Enum
from types import SimpleNamespace
from typing import Any, Iterable

from casetrail.domain.events import PersonEvent, Registered

DROPPED = ("note", "aliases", "born")
_KEPT_AS_IS = {"record", "type", "on", "id", "event_id", "recorded_at", "published", "amount", "claimed",
               "currency", "term_months", "kind", "outcome", "recipient", "designation"}
_KEYS = {"key", "source", "group"}  # in source and event records; a person's key becomes its pseudonym
_MIN_WORD = 3


class Redactor:
    def __init__(self, registrations: Iterable[Registered]) -> None:
        self.keys: dict[str, str] = {}
        self.names: dict[str, str] = {}
        replacements: dict[str, str] = {}
        words: dict[str, set[str]] = {}
        for number, registered in enumerate(registrations, 1):
            self.keys[registered.key] = f"person-{number}"
            self.names[registered.key] = f"Person {number}"
            for phrase in (registered.name, *registered.aliases):
                replacements[phrase.lower()] = f"Person {number}"
            replacements[registered.key] = f"person-{number}"
            for word in re.findall(r"\w+", " ".join((registered.name, *registered.aliases, registered.key))):
                if len(word) >= _MIN_WORD:
                    words.setdefault(word.lower(), set()).add(number)
        for word, who in words.items():
            # A word two people share (a family name) cannot say which of them is meant.
            replacements.setdefault(word, f"Person {who.pop()}" if len(who) == 1 else "[name]")
        ordered = sorted(replacements, key=len, reverse=True)  # whole names before their words
        self._pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, ordered)) + r")(?!\w)",
                                   re.IGNORECASE) if ordered else None
        self._replacements = replacements

    def key(self, person: str) -> str:
        return self.keys.get(person, "person-unknown")

    def name(self, person: str) -> str:
        return self.names.get(person, "Person ?")

    def slug(self, value: str) -> str:
        """A key or group id with names in it ("rferl-omarov" -> "rferl-person-1"), still a valid key."""
        return re.sub(r"[^a-z0-9]+", "-", self.text(value).lower()).strip("-")

    def text(self, value: str) -> str:
        if self._pattern is None:
            return value
        return self._pattern.sub(lambda match: self._replacements[match.group(0).lower()], value)

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        """An export record (source, person or event) fit for publication."""
        out: dict[str, Any] = {}
        for name, value in record.items():
            if name in DROPPED:
                continue
            if record.get("record") == "person" and name == "key" or name == "person":
                out[name] = self.key(value)
            elif name in _KEYS:
                out[name] = self.slug(value)
            elif record.get("record") == "person" and name == "name":
                out[name] = self.name(record["key"])
            elif isinstance(value, str) and name not in _KEPT_AS_IS:
                out[name] = self.text(value)
            elif isinstance(value, list):
                out[name] = [self.text(item) if isinstance(item, str) else item for item in value]
            else:
                out[name] = value
        return out

    def event(self, event: PersonEvent) -> PersonEvent:
        """A stored event fit for publication, for pictures drawn from domain events."""
        update: dict[str, Any] = {"note": None} if "note" in type(event).model_fields else {}
        for name, value in event:
            if isinstance(value, Enum) or not isinstance(value, str):
                continue  # a fixed vocabulary (AppealBy, Outcome...) holds no names
            if name in _KEYS:
                update[name] = self.slug(value)
            elif name not in _KEPT_AS_IS and name != "note":
                update[name] = self.text(value)
        return event.model_copy(update=update)

    def source(self, source: Any) -> SimpleNamespace:
        """A source's fields as a picture shows them: its key, title and URL scrubbed."""
        return SimpleNamespace(key=self.slug(source.key), url=source.url and self.text(source.url),
                               outlet=source.outlet, title=source.title and self.text(source.title),
                               published=source.published)
