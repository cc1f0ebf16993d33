"""A person's state as named facets with string values: what lists and searches test.

Each facet is declared once, here: how it is read off the fold's ``State``, the values
it may take, how long a value gets (the read model's column), and how a person's
status names it. List rules, the people search, the read-model tables and the status
renderer all read these declarations. Every value is a plain string so that one SQL
column holds them all and a TOML rule can name them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import attrgetter
from typing import Callable

from casetrail.domain.events import ALLEGATION_KINDS, SLUG, CaseRole, SentenceKind
from casetrail.domain.money import amount_text
from casetrail.domain.errors import BadInput
from casetrail.domain.state import IN_CUSTODY, RESTRICTING, State


@dataclass(frozen=True)
class Facet:
    name: str
    read: Callable[[State], str]  # its value, as rules, rows and searches hold it
    values: tuple[str, ...] | None = None  # the closed list; None: an open vocabulary
    like: str = ""  # an open vocabulary's values in words, for help and messages
    pattern: re.Pattern[str] | None = None  # what an open value must look like; None: any text
    width: int | None = 40  # the longest value the read model keeps; None: any length
    summary: bool = False  # sums the others up: listed before them (status row, search options)
    label: str | None = None  # what a person's status calls it; None: shown its own way (money)
    shown: Callable[[State], str] | None = None  # its value there, when not the one rules test
    # Several values at once, held as one string joined by "+" in the order of ``values`` ("accused+victim"):
    # a test or a search for one value passes when it is among them.
    many: bool = False

    def allows(self, value: str) -> bool:
        """Whether anyone could ever have this value: the one test list rules and the people search share."""
        if self.many:
            return value in self.values
        if self.values is not None:
            return value in self.values
        return self.pattern is None or bool(self.pattern.match(value))

    @property
    def choices(self) -> str:
        """Its values, as a message lists them."""
        return ", ".join(self.values) if self.values is not None else self.like


def _compensation(state: State) -> str:
    if not state.compensation:
        return "none"
    awarded = [f"{amount_text(money.awarded)} {currency}" for currency, money in state.compensation if money.awarded]
    return "; ".join(awarded) or "none"


CASE_ROLES = tuple(role.value for role in CaseRole)


def _case_roles(state: State) -> str:
    if not state.case_roles:
        return "none"
    held = {role for _, role, _ in state.case_roles}
    return "+".join(role for role in CASE_ROLES if role in held) or "none"


def parts(value: str) -> tuple[str, ...]:
    """The values a many-valued facet holds ("accused+victim": accused and victim)."""
    return tuple(value.split("+"))


def _custody_shown(state: State) -> str:
    """Free under a restricting sentence (restricted freedom, probation, ...) reads "free (restricted)"."""
    if state.custody == "free" and state.sentence in RESTRICTING:
        return "free (restricted)"
    return state.custody


def _allegation(state: State) -> str:
    """The gravest kind alleged (kinds stored before the list of kinds count as other)."""
    if not state.allegations:
        return "none"
    kinds = {a.kind if a.kind in ALLEGATION_KINDS else "other" for a in state.allegations}
    return next(kind for kind in ALLEGATION_KINDS if kind in kinds)


def _yes(name: str) -> Callable[[State], str]:
    read = attrgetter(name)
    return lambda state: "yes" if read(state) else "no"


SENTENCES = ("none", "unknown", *(kind.value for kind in SentenceKind))

DECLARED = (
    Facet("custody", attrgetter("custody"),
          ("never_detained", "detained", "house_arrest", "imprisoned", "free", "missing", "deceased"),
          label="custody", shown=_custody_shown),
    Facet("legal", attrgetter("legal"), ("none", "accused", "convicted", "acquitted", "cleared", "rehabilitated"),
          label="legal"),
    Facet("appeal", lambda s: "pending" if s.appeal_pending else "none", ("none", "pending"),
          label="appeal pending", shown=lambda s: "yes" if s.appeal_pending else "no"),
    Facet("vital", attrgetter("vital"), ("alive", "deceased"), label="vital"),
    Facet("designation", lambda s: s.designation or "none", like="a snake_case word such as accidental_victim, or none",
          pattern=SLUG, width=80, label="designation", shown=lambda s: s.designation or "-"),
    Facet("compensation", _compensation, like="what was awarded, such as 7,000,000 KZT, or none", width=None),
    Facet("case_role", _case_roles, ("none", *CASE_ROLES), width=80, label="case role", many=True),
    Facet("headline", attrgetter("headline"),
          ("at_large", "detained", "house_arrest", "imprisoned", "released", "missing", "deceased"), summary=True,
          label="headline"),
    # Issue 13: the standing sentence's kind, what went on after a death, and what was alleged.
    Facet("sentence", attrgetter("sentence"), SENTENCES, label="sentence"),
    Facet("ever_detained", _yes("ever_detained"), ("no", "yes"), label="ever detained"),
    Facet("died_in_custody", _yes("died_in_custody"), ("no", "yes"), label="died in custody"),
    Facet("posthumous", _yes("posthumous"), ("no", "yes"), label="posthumous proceedings"),
    Facet("allegation", _allegation, like=f"the gravest kind alleged ({', '.join(ALLEGATION_KINDS)}) or none",
          pattern=SLUG, label="allegation"),
)

FACET = {facet.name: facet for facet in DECLARED}
FACETS = tuple(FACET)  # the order of facet_values: rules index it, and changes on one day sort by it
LISTED = tuple(f for f in DECLARED if f.summary) + tuple(f for f in DECLARED if not f.summary)


# attrgetter and a list, not lambdas and a generator: every step of every timeline reads the facets.
_READERS = tuple(facet.read for facet in DECLARED)


def facet_values(state: State) -> tuple[str, ...]:
    """The state's facets, in the order of FACETS."""
    return tuple([read(state) for read in _READERS])


INITIAL = facet_values(State())


def search_filters(given: dict[str, str | None]) -> dict[str, str]:
    """The facet values a people search asks for, each checked as a list rule's is: the command
    line's options and the web app's search form alike. Custody is deceased from a death, so held
    means alive; died_in_custody finds those who died held."""
    wanted = {facet.name: given[facet.name] for facet in LISTED if given.get(facet.name)}
    for facet, value in wanted.items():
        declared = FACET[facet]
        if declared.allows(value):
            continue
        what = f"is not {'an' if facet[0] in 'aeiou' else 'a'} {facet.replace('_', ' ')}"
        flag = "--" + facet.replace("_", "-")
        if declared.values is None:
            raise BadInput(f"{flag} '{value}' {what}: give {declared.like}")
        raise BadInput(f"{flag} '{value}' {what}; choose one of: {declared.choices}")
    if wanted.get("custody") in IN_CUSTODY and "vital" not in wanted:
        wanted["vital"] = "alive"
    return wanted
