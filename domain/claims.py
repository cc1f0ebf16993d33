"""Claims before the fold: from what was recorded to the accounts that count.

Reporting gives claims, not settled facts. Before the fold steps anything, this pure
step takes the events recorded by a record time K and

- leaves out retracted facts;
- gathers each fact's sources: its own, and those of the ``corroborated`` events that
  name it (another outlet saying the same thing adds a source, never a second fact);
- resolves each dispute (facts joined by ``disputes``, another account of one
  happening) to one account: the one the latest ``preferred`` names, else the first
  recorded. The other accounts do not count, so money from two accounts of one award
  is never summed and a death told twice is one death.

Every reader folds through it (``fold.fold``), so ``show``, ``why``, the timeline page
and the read models see the same accounts and the same disputes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable
from uuid import UUID

from casetrail.domain.errors import LikelyDuplicate
from casetrail.domain.events import Corroborated, Fact, PersonEvent, Preferred, Retracted
from casetrail.domain.state import short


@dataclass(frozen=True)
class Cited:
    """One place a fact is read (a source key) and who asserts it there."""

    source: str
    claimant: str | None
    event_id: UUID  # the fact itself, or the corroboration that added the source


@dataclass(frozen=True)
class Dispute:
    """Competing accounts of one happening, in record order, and the one that counts."""

    accounts: tuple[Fact, ...]
    preferred: Fact
    preference: Preferred | None  # the team's choice; None: the first recorded account holds

    @property
    def facet(self) -> str:
        first = self.accounts[0]
        return first.facet or first.type

    def reaches(self, day: date) -> bool:
        """Some account has its earliest day by ``day``: an answer on that day depends on which one holds."""
        return any(account.on.earliest <= day for account in self.accounts)


@dataclass(frozen=True)
class Claims:
    """The accounts that count at one record time, each fact's sources, and the disputes."""

    facts: tuple[Fact, ...]  # in record order
    gone: frozenset  # ids of the retracted events
    cited: dict = field(default_factory=dict)  # fact id -> its Cited, own first (only facts with more than one)
    disputes: tuple[Dispute, ...] = ()

    def sources(self, fact: Fact) -> tuple[Cited, ...]:
        return self.cited.get(fact.id) or (Cited(fact.source, fact.claimant, fact.id),)

    def dispute_of(self, fact: Fact) -> Dispute | None:
        return next((d for d in self.disputes if fact in d.accounts), None)

    def claimant_kinds(self, fact: Fact | None) -> frozenset:
        """Who asserts the fact, as list rules test it: official, court, ..., other (for other:TEXT)."""
        if fact is None:
            return frozenset()
        return frozenset(c.claimant.partition(":")[0] for c in self.sources(fact) if c.claimant)

    @property
    def disputed(self) -> frozenset:
        """The ids of every account of a dispute (the one that counts among them)."""
        return frozenset(a.id for d in self.disputes for a in d.accounts)


EMPTY = Claims((), frozenset())


def resolve(seen: Iterable[PersonEvent]) -> Claims:
    """The claims of ``seen`` (the events recorded by K, in record order)."""
    facts: list[Fact] = []
    gone: set = set()
    extra: list[PersonEvent] = []  # corroborations and preferences: rare, so the usual stream costs one pass
    disputing = False
    for event in seen:
        if isinstance(event, Fact):
            facts.append(event)
            disputing = disputing or event.disputes is not None
        elif isinstance(event, Retracted):
            gone.add(event.event_id)
        elif isinstance(event, (Corroborated, Preferred)):
            extra.append(event)
    if gone:
        facts = [f for f in facts if f.id not in gone]
    if not extra and not disputing:
        return Claims(tuple(facts), frozenset(gone))
    cited = _cited(facts, [e for e in extra if isinstance(e, Corroborated) and e.id not in gone])
    disputes = _disputes(facts, [e for e in extra if isinstance(e, Preferred) and e.id not in gone]) if disputing else ()
    losing = {a.id for d in disputes for a in d.accounts if a is not d.preferred}
    counted = tuple(f for f in facts if f.id not in losing)
    return Claims(counted, frozenset(gone), cited, disputes)


def _cited(facts: list[Fact], corroborations: list[Corroborated]) -> dict:
    by_id = {f.id: f for f in facts}
    cited: dict = {}
    for event in corroborations:
        fact = by_id.get(event.event_id)
        if fact is None:
            continue  # it names a retracted fact: the source goes with it
        known = cited.setdefault(fact.id, [Cited(fact.source, fact.claimant, fact.id)])
        known.append(Cited(event.source, event.claimant, event.id))
    return {key: tuple(value) for key, value in cited.items()}


def _disputes(facts: list[Fact], preferences: list[Preferred]) -> tuple[Dispute, ...]:
    """Facts joined by ``disputes`` (through any retracted one too) grouped into disputes of two or more."""
    root: dict[UUID, UUID] = {}

    def find(node: UUID) -> UUID:
        while root.get(node, node) != node:
            node = root[node]
        return node

    for fact in facts:
        if fact.disputes is not None:
            root[find(fact.id)] = find(fact.disputes)
    groups: dict[UUID, list[Fact]] = {}
    for fact in facts:
        groups.setdefault(find(fact.id), []).append(fact)
    disputes = []
    for accounts in groups.values():
        if len(accounts) < 2:
            continue
        members = {a.id: a for a in accounts}
        chosen = [p for p in preferences if p.event_id in members]
        preference = chosen[-1] if chosen else None
        preferred = members[preference.event_id] if preference else accounts[0]
        disputes.append(Dispute(tuple(accounts), preferred, preference))
    return tuple(disputes)


def cites(events: list[PersonEvent], fact: Fact, source: str) -> bool:
    """Whether ``fact`` already cites ``source``, itself or through a corroboration."""
    return source in {c.source for c in resolve(events).sources(fact)}


def overlaps(a: Fact, b: Fact) -> bool:
    return a.on.earliest <= b.on.latest and b.on.earliest <= a.on.latest


def agrees(a: Fact, b: Fact) -> bool:
    """No detail both give differs: a report that leaves one out still tells the same thing."""
    mine, theirs = a.fields(), b.fields()
    return all(mine[name] == theirs[name] for name in mine.keys() & theirs.keys())


def _same_days(a: Fact, b: Fact) -> bool:
    # Overlap is not enough: a second detention after a release may lie inside the first one's "2022".
    return a.on.earliest == b.on.earliest and a.on.latest == b.on.latest


def details(fact: Fact) -> str:
    """A fact as one account of it reads: its date and what it says."""
    said = ", ".join(f"{name} {value}" for name, value in fact.fields().items())
    return f"{fact.on.text}{': ' + said if said else ''}"


def same_claim(fact: Fact, events: list[PersonEvent], key: str, in_file: bool = False) -> Fact | None:
    """The recorded fact that ``fact`` tells again (same type, the same days, no detail differing),
    for a corroboration; None for a new fact. A fact of a type that happens once
    at a time (not ``repeats``) that differs from one on overlapping dates is refused: it is
    another account of it, the same, or a different happening, and only the user knows which.
    ``in_file``: the choices are named as a record's fields, not as options."""
    if fact.disputes is not None or fact.distinct:
        return None
    gone = {e.event_id for e in events if isinstance(e, Retracted)}
    alike = [e for e in events if isinstance(e, Fact) and e.type == fact.type and e.id not in gone
             and overlaps(e, fact)]
    same = next((other for other in alike if _same_days(other, fact) and agrees(other, fact)), None)
    if same is not None or not alike or fact.repeats:
        return same
    other = alike[0]
    ref = str(other.id) if in_file else short(other.id)
    disputes, corroborates, distinct = (("disputes: ", "corroborates: ", "distinct: true") if in_file
                                        else ("--disputes ", "--corroborates ", "--distinct"))
    raise LikelyDuplicate(
        f"{key}: {fact.type} on {details(fact)} may be event {short(other.id)} ({other.type} on {details(other)}, "
        f"source {other.source}) told differently; record it with {disputes}{ref} (another account of it), "
        f"{corroborates}{ref} (the same, from another source) or {distinct} (a different happening)",
        str(other.id), other.on.text)
