"""Whole-document files (YAML, JSON) read with the line and size of each record.

YAML is read as text: every scalar is the string written (``on``, ``272``, ``1:30``,
``0x10``, ``2022-13-45`` and ``.nan`` stay as typed) and the record readers convert
fields by the same rules as for CSV cells; only a plain ``~``, ``null`` or nothing is
null. YAML 1.1's implicit types turned ``1:30`` into 90 and ``on`` into true. Anchors
and aliases are refused: a few hundred bytes of them expand to gigabytes ("billion
laughs"), and a dataset never needs them. Tags are refused for the same reason and
because a tag asks for a type the text does not have.

Both formats refuse a key given twice in one mapping; the parsers keep the last
silently, which would drop what the first said.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from casetrail.domain.errors import BadInput

_NULLS = ("", "~", "null", "Null", "NULL")  # YAML 1.2's core nulls, when written plain
_TEXT_TAGS = (None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")


@dataclass(frozen=True)
class Place:
    line: int  # where the record starts, from 1
    size: int  # its length in the file, in characters


class Records(list):
    """A list of records that knows where each one is in the file."""

    def __init__(self, items: list[Any], places: list[Place]) -> None:
        super().__init__(items)
        self.places = places


class Unreadable(BadInput):
    """The file cannot be read as records, at this line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class Duplicate(ValueError):
    """A key given twice in one JSON object (raised inside the parser, which knows no lines)."""


# -- YAML --------------------------------------------------------------------------------------------------

def load_yaml(content: bytes) -> Any:
    """The document, with its record lists (top level, or a top-level mapping's values) as ``Records``."""
    import yaml  # only imports read YAML

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)(content)
    try:
        return _YamlBuilder(yaml, loader).document()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise Unreadable(mark.line + 1, f"not valid YAML: {error.problem or error.context} (column "
                                        f"{mark.column + 1})") from None
    except yaml.YAMLError as error:  # the reader's: bytes that are not text
        at = getattr(error, "position", 0)
        raise Unreadable(content.count(b"\n", 0, at) + 1, f"not valid YAML: {getattr(error, 'reason', error)}; "
                                                          "save the file as UTF-8 text") from None
    finally:
        loader.dispose()


class _YamlBuilder:
    """Builds plain data from the parser's events: the composer and constructors of PyYAML
    are what expand aliases and resolve implicit types, so they are left out."""

    def __init__(self, yaml: Any, loader: Any) -> None:
        self.yaml = yaml
        self.loader = loader
        self.end = 0

    def document(self) -> Any:
        yaml, loader = self.yaml, self.loader
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return None
        loader.get_event()  # document start
        value = self.node(depth=0)
        loader.get_event()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            raise Unreadable(_line(loader.peek_event()), "a second YAML document (after '---'): put every "
                                                         "record in one document")
        return value

    def node(self, depth: int) -> Any:
        event = self.loader.get_event()
        self._check(event)
        if isinstance(event, self.yaml.ScalarEvent):
            self.end = event.end_mark.index
            return None if event.implicit[0] and event.value in _NULLS else event.value
        if isinstance(event, self.yaml.SequenceStartEvent):
            return self.sequence(depth)
        return self.mapping(depth)

    def sequence(self, depth: int) -> list[Any]:
        items, places = [], []
        while not self.loader.check_event(self.yaml.SequenceEndEvent):
            start = self.loader.peek_event().start_mark
            items.append(self.node(depth + 1))
            places.append(Place(start.line + 1, self.end - start.index))
        self.end = self.loader.get_event().end_mark.index
        return Records(items, places) if depth <= 1 else items

    def mapping(self, depth: int) -> dict[str, Any]:
        data: dict[str, Any] = {}
        lines: dict[str, int] = {}
        while not self.loader.check_event(self.yaml.MappingEndEvent):
            key = self.loader.get_event()
            self._check(key)
            if not isinstance(key, self.yaml.ScalarEvent):
                raise Unreadable(_line(key), "a key must be a word such as 'name', not a list or mapping")
            if key.value in data:
                raise Unreadable(_line(key), f"key '{key.value[:40]}' is given twice in one mapping (first on "
                                             f"line {lines[key.value]}); keep one")
            lines[key.value] = _line(key)
            data[key.value] = self.node(depth + 1)
        self.end = self.loader.get_event().end_mark.index
        return data

    def _check(self, event: Any) -> None:
        if isinstance(event, self.yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise Unreadable(_line(event), "YAML anchors and aliases ('&' and '*') are not read (a few lines of "
                                           "them can expand to gigabytes): write each value out in full")
        if getattr(event, "tag", None) not in _TEXT_TAGS:
            raise Unreadable(_line(event), f"the tag '{event.tag[:60]}' is not read: remove it (every value is "
                                           "read as the text written)")


def _line(event: Any) -> int:
    return event.start_mark.line + 1


# -- JSON --------------------------------------------------------------------------------------------------

def load_json(content: bytes) -> Any:
    """The document, with its record lists (top level, or a top-level object's values) as ``Records``."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable(content.count(b"\n", 0, error.start) + 1, f"not UTF-8 text (byte "
                                                                   f"0x{content[error.start]:02X}); save the file "
                                                                   "as UTF-8") from None
    reader = _JsonReader(text)
    try:
        return reader.document()
    except json.JSONDecodeError as error:
        raise Unreadable(error.lineno, f"not valid JSON: {error.msg} (column {error.colno})") from None
    except Duplicate as error:
        raise Unreadable(reader.line(reader.at), str(error)) from None


class _JsonReader:
    """The two outer levels parsed here, each record by the standard parser: so each record's line is known."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.decoder = json.JSONDecoder(object_pairs_hook=unique_pairs)
        self.at = 0  # where the value being read starts
        self.counted = (0, 1)  # lines counted up to an offset, so counting stays linear

    def document(self) -> Any:
        value, at = self.value(self.space(0), depth=0)
        if self.space(at) != len(self.text):
            raise json.JSONDecodeError("Extra data", self.text, self.space(at))
        return value

    def value(self, at: int, depth: int) -> tuple[Any, int]:
        opening = self.text[at:at + 1]
        if depth <= 1 and opening == "[":
            return self.array(at, depth)
        if depth == 0 and opening == "{":
            return self.sections(at)
        self.at = at
        return self.decoder.raw_decode(self.text, at)

    def array(self, at: int, depth: int) -> tuple[Records, int]:
        items, places = [], []
        at = self.space(at + 1)
        more = self.text[at:at + 1] != "]"
        while more:
            item, end = self.value(at, depth + 1)
            items.append(item)
            places.append(Place(self.line(at), end - at))
            at, more = self.after_item(end, "]")
        return Records(items, places), at + 1

    def sections(self, at: int) -> tuple[dict[str, Any], int]:
        data: dict[str, Any] = {}
        at = self.space(at + 1)
        more = self.text[at:at + 1] != "}"
        while more:
            if self.text[at:at + 1] != '"':
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", self.text, at)
            self.at = at
            key, end = self.decoder.raw_decode(self.text, at)
            if key in data:
                raise Duplicate(f"key '{key[:40]}' is given twice in one object; keep one")
            end = self.space(end)
            if self.text[end:end + 1] != ":":
                raise json.JSONDecodeError("Expecting ':' delimiter", self.text, end)
            data[key], end = self.value(self.space(end + 1), depth=1)
            at, more = self.after_item(end, "}")
        return data, at + 1

    def after_item(self, at: int, closing: str) -> tuple[int, bool]:
        """Past the comma and the space after it (another item follows), or at the closing bracket."""
        at = self.space(at)
        if self.text[at:at + 1] == ",":
            return self.space(at + 1), True
        if self.text[at:at + 1] != closing:
            raise json.JSONDecodeError(f"Expecting ',' delimiter or '{closing}'", self.text, at)
        return at, False

    def space(self, at: int) -> int:
        while self.text[at:at + 1] in (" ", "\t", "\n", "\r"):
            at += 1
        return at

    def line(self, at: int) -> int:
        offset, line = self.counted if at >= self.counted[0] else (0, 1)
        line += self.text.count("\n", offset, at)
        self.counted = (at, line)
        return line


def unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object_pairs_hook for json: a key given twice is refused, not silently the last."""
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise Duplicate(f"key '{twice[:40]}' is given twice in one object; keep one")
    return data
