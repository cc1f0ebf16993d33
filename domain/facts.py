"""One way to make a fact from a type name and its fields, and one way to say what is wrong with them.

The command line, the Python API and an import all build a fact here, so a value is
accepted or refused the same way wherever it comes from. Only the names in the
messages differ, as the user wrote them (``style``): ``flag`` for the command line
and the API (``detained: --on is required``), ``field`` for a file of records
(``field 'on' is required``, after the importer's own "detained of omarov-aslanbek").
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Mapping

from pydantic import ValidationError

from casetrail.domain.dates import FuzzyDate
from casetrail.domain.errors import BadInput, NotFound
from casetrail.domain.events import FACT_TYPES, Fact
from casetrail.domain.text import shown

FLAG, FIELD = "flag", "field"
# Fields whose option is not their name: named for one value, repeated; or shorter (case facts' --from, --to).
_FLAGS = {"aliases": "--alias", "from_charge": "--from", "to_charge": "--to"}


def fact_class(type_name: str, registry: Mapping[str, type[Any]] = FACT_TYPES) -> type[Any]:
    try:
        return registry[type_name]
    except KeyError:
        known = ", ".join(registry)
        raise NotFound(f"unknown event type '{type_name}': use one of {known}") from None


@dataclass(frozen=True)
class FieldSpec:
    """A type's own field as a form or an option offers it (the CLI's options, the web app's forms)."""

    name: str
    help: str
    choices: list[str] | None  # the values of an enum field
    required: bool
    many: bool  # a list of values
    off: str | None = None  # a yes-or-no field: the word that says no (found --alive or --dead)


def own_fields(cls: type[Any], base: type[Any] = Fact) -> list[FieldSpec]:
    """The fields a type adds to every fact's (on, source, note, group), read off its model;
    ``base``: what every fact of its kind has (a person's Fact, a case's CaseFact)."""
    switches = getattr(cls, "switches", {})
    return [FieldSpec(name, cls.field_help.get(name, ""), _choices(field.annotation), field.is_required(),
                      _is_list(field.annotation), switches.get(name))
            for name, field in cls.model_fields.items() if name not in base.model_fields]


def _choices(annotation: Any) -> list[str] | None:
    for arg in typing.get_args(annotation) or (annotation,):
        if isinstance(arg, type) and issubclass(arg, Enum):
            return [member.value for member in arg]
    return None


def _is_list(annotation: Any) -> bool:
    args = typing.get_args(annotation)
    return typing.get_origin(annotation) is list or any(typing.get_origin(a) is list for a in args)


def named(name: str, style: str) -> str:
    """A field as the user gave it: ``--term-months`` on the command line, ``field 'term_months'`` in a file."""
    if style == FIELD:
        return f"field '{name}'"
    return _FLAGS.get(name) or "--" + name.replace("_", "-")


def given(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields given a value: None and empty lists leave a field to the model's default."""
    return {k: v for k, v in fields.items() if v is not None and v != [] and v != ()}


def make_fact(type_name: str, fields: Mapping[str, Any], today: date, envelope: Mapping[str, Any],
              style: str = FLAG, registry: Mapping[str, type[Any]] = FACT_TYPES) -> Any:
    """The fact, validated: a known type, a date that has happened by ``today``, a source, the
    model's own rules. ``envelope`` places it in a stream (version, record time, a given id).
    ``registry``: a person's fact types, or a case's (domain/case.py), made the same way."""
    cls = fact_class(type_name, registry)
    data = given(fields)
    lead = f"{cls.type}: " if style == FLAG else ""
    if "id" in data:
        raise BadInput(f"{cls.type}: an event's id is assigned by casetrail, not given")
    if "recorded_by" in data:
        raise BadInput(f"{cls.type}: who recorded a fact is the store's user (--as NAME or CASETRAIL_USER), "
                       "not a field of the fact")
    if data.get("on") in (None, ""):
        raise BadInput(f"{lead}{named('on', style)} is required (when it happened, e.g. 2022-01-09 or 2022-01~)")
    if not data.get("source"):
        raise BadInput(f"{lead}{named('source', style)} is required (a source key or URL); "
                       "every fact cites a source")
    try:
        data["on"] = FuzzyDate.parse(data["on"]).not_after(today)
    except BadInput as error:
        # On the command line the date's own message is enough: --on is the only date a fact takes.
        raise BadInput(f"{named('on', style)}: {error}" if style == FIELD else str(error)) from None
    return validated(cls, {**data, **envelope}, cls.type, style)


def validated(cls: type[Any], data: Mapping[str, Any], what: str, style: str = FLAG) -> Any:
    """``cls`` made from ``data`` by its pydantic model, or BadInput saying what is wrong."""
    try:
        return cls.model_validate(data)
    except ValidationError as error:
        raise BadInput(invalid(error, what, style)) from None


def invalid(error: ValidationError, what: str, style: str = FLAG) -> str:
    """One line from pydantic's report: the first field at fault and why, the field named as
    ``style`` names it. In the flag style the line starts with ``what`` (``sentenced``, ``person
    omarov-aslanbek``); in the field style the importer says what and whose before it."""
    first = error.errors()[0]
    # The field's own names only: an index, or the member of a union that failed, names nothing the user gave.
    name = ".".join(part for part in first["loc"] if isinstance(part, str) and part.isidentifier()) or "value"
    reason = first["msg"].removeprefix("Value error, ")
    lead = f"{what}: " if style == FLAG else ""
    if first["type"] == "missing":
        return f"{lead}{named(name, style)} is required"
    if first["type"] == "extra_forbidden":
        return f"{what if style == FLAG else 'a ' + what} has no field '{name}'"
    if not first["loc"]:  # a check of the whole record (an amount against its currency): its message says all
        return lead + reason
    label = f"{lead}{named(name, style)}{' ' if style == FLAG else ': '}"
    if reason.startswith((name, "'", "a ")):  # the message names the field or shows the value already
        return lead + reason if style == FLAG else label + reason
    reason = reason.replace("Input should be", "must be").replace("String should have", "must have")
    return f"{label}{reason[:1].lower()}{reason[1:]} (got '{shown(first.get('input', ''))}')"
