"""List rules: named tests over a person's facets, kept as TOML.

The default set (``lists.toml`` beside this module) reproduces the official
lists of 2022; an organisation points ``--lists`` or ``CASETRAIL_LISTS`` at its
own file. A bad file is refused with one line naming the file, the list and the key.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from casetrail.domain.errors import BadInput
from casetrail.domain.events import CLAIMANTS
from casetrail.domain.facets import FACET, FACETS, parts

DEFAULT_FILE = Path(__file__).with_name("lists.toml")
ENV_LISTS = "CASETRAIL_LISTS"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_INDEX = {facet: n for n, facet in enumerate(FACETS)}


@dataclass(frozen=True)
class Test:
    facet: str
    op: str  # "is", "in" or "not"
    values: tuple[str, ...]
    # Who must assert the fact that set the facet's value (issue 12): one of these kinds ("other"
    # for any other:TEXT) among the claimants of its sources. Empty: anyone, or no one said.
    claimants: tuple[str, ...] = ()

    def passes(self, facets: tuple[str, ...], claimed: tuple[frozenset, ...] | None = None) -> bool:
        index = _INDEX[self.facet]
        return self.allows(facets[index]) and self.claimed_by(claimed[index] if claimed else frozenset())

    def allows(self, value: str) -> bool:
        """Whether the facet having this value passes the test. A many-valued facet's value
        ("accused+victim") is in a test's values when one of its parts is."""
        held = parts(value) if FACET[self.facet].many else (value,)
        found = any(part in self.values for part in held)
        return not found if self.op == "not" else found

    def claimed_by(self, kinds: frozenset) -> bool:
        """Whether the claimants' kinds (``claimant_kinds``) of the fact that set the value satisfy the test."""
        return not self.claimants or not kinds.isdisjoint(self.claimants)

    def text(self) -> str:
        shown = self.values[0] if len(self.values) == 1 else "(" + ", ".join(self.values) + ")"
        word = {"is": "is", "in": "in", "not": "is not" if len(self.values) == 1 else "not in"}[self.op]
        said = f", as {' or '.join(self.claimants)} says" if self.claimants else ""
        return f"{self.facet} {word} {shown}{said}"


@dataclass(frozen=True)
class ListRule:
    name: str
    title: str
    mode: str  # "all" or "any"
    tests: tuple[Test, ...]

    def matches(self, facets: tuple[str, ...], claimed: tuple[frozenset, ...] | None = None) -> bool:
        results = (test.passes(facets, claimed) for test in self.tests)
        return all(results) if self.mode == "all" else any(results)


@dataclass(frozen=True)
class Rules:
    lists: tuple[ListRule, ...]
    origin: str  # the file they came from, for messages
    fingerprint: str  # changes whenever the rules do: the views are rebuilt then
    # Memberships by facet values: a store holds few distinct combinations, and every
    # step of every timeline asks.
    _seen: dict = field(default_factory=dict, compare=False, repr=False)

    def members(self, facets: tuple[str, ...], claimed: tuple[frozenset, ...] | None = None) -> tuple[bool, ...]:
        """Whether each list's rule matches these facet values, in list order; ``claimed``, for rules
        that test who says so, holds the claimant kinds of the fact that set each facet."""
        key = facets if claimed is None else (facets, claimed)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = tuple(rule.matches(facets, claimed) for rule in self.lists)
        return found

    @cached_property
    def claimant_facets(self) -> tuple[int, ...]:
        """The facets (by index) some test asks who asserts: none in the usual rules."""
        return tuple(sorted({_INDEX[t.facet] for rule in self.lists for t in rule.tests if t.claimants}))

    def get(self, name: str) -> ListRule:
        for rule in self.lists:
            if rule.name == name:
                return rule
        names = ", ".join(rule.name for rule in self.lists)
        raise BadInput(f"no list '{name}'; the lists are: {names} (see 'casetrail lists')")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(rule.name for rule in self.lists)


def load_rules(path: str | os.PathLike | None = None) -> Rules:
    """The rules in ``path``, else in $CASETRAIL_LISTS, else the default set."""
    chosen = Path(path or os.environ.get(ENV_LISTS) or DEFAULT_FILE).expanduser()
    try:
        text = chosen.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"lists file {chosen} does not exist; give --lists a TOML file of list rules") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"cannot read lists file {chosen}: {error.__class__.__name__}; give a UTF-8 TOML file") from None
    return parse_rules(text, str(chosen))


def parse_rules(text: str, origin: str = "<rules>") -> Rules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BadInput(f"lists file {origin} is not valid TOML: {error}") from None
    unknown = set(data) - {"lists"}
    if unknown or not isinstance(data.get("lists"), dict) or not data["lists"]:
        raise BadInput(f"lists file {origin}: put each list under [lists.NAME]; found no lists"
                       + (f" and unknown key '{sorted(unknown)[0]}'" if unknown else ""))
    rules = tuple(_rule(name, body, origin) for name, body in data["lists"].items())
    canonical = repr([(r.name, r.title, r.mode, r.tests) for r in rules])
    return Rules(rules, origin, hashlib.sha256(canonical.encode()).hexdigest()[:16])


def _rule(name: str, body: Any, origin: str) -> ListRule:
    where = f"lists file {origin}: list '{name}'"
    if not _NAME.match(name) or len(name) > 60:
        raise BadInput(f"{where}: a list name is lowercase letters, digits and underscores, e.g. fatalities")
    if not isinstance(body, dict):
        raise BadInput(f"{where}: write it as a table, [lists.{name}], with a title and all = [...] or any = [...]")
    unknown = set(body) - {"title", "all", "any"}
    if unknown:
        raise BadInput(f"{where}: unknown key '{sorted(unknown)[0]}'; a list has title and one of all or any")
    modes = [mode for mode in ("all", "any") if mode in body]
    if len(modes) != 1:
        raise BadInput(f"{where}: give exactly one of all = [...] or any = [...]")
    mode = modes[0]
    title = body.get("title", name)
    if not isinstance(title, str):
        raise BadInput(f"{where}: key 'title' must be a string")
    tests = body[mode]
    if not isinstance(tests, list) or not tests:
        raise BadInput(f"{where}: key '{mode}' must be a non-empty list of tests such as "
                       '{ facet = "vital", is = "deceased" }')
    return ListRule(name, title, mode, tuple(_test(test, f"{where}: key '{mode}[{n}]'") for n, test in enumerate(tests)))


def _test(test: Any, where: str) -> Test:
    if not isinstance(test, dict):
        raise BadInput(f'{where} must be a table such as {{ facet = "vital", is = "deceased" }}')
    unknown = set(test) - {"facet", "is", "in", "not", "claimant"}
    if unknown:
        raise BadInput(f"{where}: unknown key '{sorted(unknown)[0]}'; a test has facet, one of is, in or not, "
                       "and may have claimant")
    facet = test.get("facet")
    if facet not in FACETS:
        raise BadInput(f"{where}: unknown facet '{facet}'; the facets are: {', '.join(FACETS)}")
    ops = [op for op in ("is", "in", "not") if op in test]
    if len(ops) != 1:
        raise BadInput(f"{where}: give exactly one of is, in or not")
    op = ops[0]
    raw = test[op]
    values = (raw,) if isinstance(raw, str) else tuple(raw) if isinstance(raw, list) else None
    if op == "is" and not isinstance(raw, str):
        raise BadInput(f"{where}: 'is' takes one value, e.g. is = \"deceased\"; use 'in' for several")
    if not values or not all(isinstance(v, str) and v for v in values):
        raise BadInput(f"{where}: '{op}' takes a value or a list of values, e.g. {op} = [\"detained\", \"imprisoned\"]")
    for value in values:
        if not FACET[facet].allows(value):
            raise BadInput(f"{where}: facet {facet} is never '{value}'; its values are: {FACET[facet].choices}")
    return Test(facet, op, values, _claimants(test.get("claimant"), where))


def _claimants(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    kinds = (raw,) if isinstance(raw, str) else tuple(raw) if isinstance(raw, list) else ()
    allowed = (*CLAIMANTS, "other")
    if not kinds or any(kind not in allowed for kind in kinds):
        raise BadInput(f"{where}: 'claimant' takes one or more of {', '.join(allowed)}, "
                       'e.g. claimant = ["official", "court"]')
    return tuple(kinds)
