"""Free text as the events keep it: names, places, courts, notes.

Text is refused, not cleaned, when it holds a character that no one types on
purpose and that breaks or deceives a reader:

- C0 controls (U+0000-U+001F) but tab and line feed in long text (notes): a NUL
  cannot be stored in a PostgreSQL text column, so one stored NUL would make every
  list and ``projections rebuild`` fail for good;
- DEL (U+007F) and the C1 controls (U+0080-U+009F): invisible, and usually the
  trace of a file decoded with the wrong encoding;
- the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they
  make a name or a note show in another order than it is stored ("Trojan source").
  The plain marks (LRM U+200E, RLM U+200F, ALM U+061C) stay allowed: they only
  nudge neutral characters and are common in right-to-left text;
- lone surrogates (U+D800-U+DFFF), which JSON's ``\\ud800`` can produce: they are
  not characters and cannot be written as UTF-8.

Line breaks written CR LF or CR (a file from Windows) become LF in long text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Callable

from pydantic import AfterValidator, StringConstraints, ValidationInfo

# The validation context of an event read back from the store. The rules of this module
# (and the currency's minor units) are input rules: an event stored before a rule existed
# must still load exactly as written, or its stream stops loading and its links break.
STORED = {"stored": True}


def from_store(info: ValidationInfo) -> bool:
    """Whether a validator runs on an event read back from the store (see STORED)."""
    return bool(info.context and info.context.get("stored"))

_COMMON = "\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_REFUSED_LINE = re.compile(f"[\x00-\x1f{_COMMON}]")
_REFUSED_LONG = re.compile(f"[\x00-\x08\x0b-\x1f{_COMMON}]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def character_name(char: str) -> str:
    """'U+0000 (a control character)': how a message names a refused character."""
    code = f"U+{ord(char):04X}"
    if _BIDI.match(char):
        return f"{code} ({unicodedata.name(char).lower()}, a bidi control)"
    if "\ud800" <= char <= "\udfff":
        return f"{code} (a lone surrogate, not a character)"
    return f"{code} (a control character)"


def _refuse(pattern: re.Pattern, value: str, allowed: str) -> str:
    found = pattern.search(value)
    if found:
        raise ValueError(f"contains {character_name(found.group())} at character {found.start() + 1}; "
                         f"remove it: {allowed}")
    return value


def one_line(value: str) -> str:
    return _refuse(_REFUSED_LINE, value, "this field takes printable text on one line")


def long_text(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _refuse(_REFUSED_LONG, value, "notes take printable text, tabs and line breaks")


def shown(value: object, width: int = 60) -> str:
    """A value as an error message may echo it: cut short, any character the
    types above refuse written as an escape, so the message stays one clean line."""
    text = str(value)[:width]
    return _REFUSED_LINE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode(), text)


def _on_input(rule: Callable[[str], str]) -> Callable[[str, ValidationInfo], str]:
    """``rule`` as a validator that lets a stored value through as it was written."""
    return lambda value, info: value if info.context is STORED else rule(value)  # no call: a hot path


# A short field (a name, a place, a court) and a long one (a note, a fact's text).
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
                 AfterValidator(_on_input(one_line))]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000),
                     AfterValidator(_on_input(long_text))]
Reference = Annotated[str, AfterValidator(_on_input(one_line))]  # a source key or URL as cited, kept as written
