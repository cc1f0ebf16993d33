"""Why a person is on a list, or not: the rule's tests, the facts that decide them, the history.

Built on the same timeline the views are written from, so ``why`` and ``list``
cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Sequence

from casetrail.domain.claims import EMPTY, Claims, Dispute
from casetrail.domain.events import Fact, PersonEvent
from casetrail.domain.rules import ListRule, Rules, Test
from casetrail.domain.timeline import Change, Period, timeline


@dataclass(frozen=True)
class Verdict:
    test: Test
    period: Period  # the facet's value at V and the fact that set it
    claimed: frozenset = frozenset()  # who asserts that fact (claimant kinds)

    @property
    def holds(self) -> bool:
        return self.test.allows(self.period.value) and self.test.claimed_by(self.claimed)


@dataclass(frozen=True)
class Explanation:
    rule: ListRule
    as_of: date
    member: bool  # on the list at V
    membership: Period | None  # the stay on the list that holds at V ("in", or "possibly")
    verdicts: tuple[Verdict, ...]
    history: tuple[Change, ...]  # every entry and exit, in story order
    claims: Claims = EMPTY  # the sources of each fact, and the disputes

    @property
    def possibly(self) -> Fact | None:
        """The fact that took them off the list, if it may not have happened by V (died "2022-03~"
        read on 15 March): they are then possibly still on it."""
        stay = self.membership
        return stay.cause if stay is not None and stay.value == "possibly" else None

    @property
    def disputes(self) -> tuple[Dispute, ...]:
        """The disputes whose account that counts decides a test or opened the stay on the list."""
        causes = {p.cause.id for p in (*(v.period for v in self.verdicts), self.membership) if p and p.cause}
        return tuple(d for d in self.claims.disputes if d.preferred.id in causes)


def explain(events: Sequence[PersonEvent], rules: Rules, name: str, as_of: date,
            known_at: datetime | None = None) -> Explanation:
    rule = rules.get(name)
    story = timeline(events, rules, known_at)
    periods = [story.period("facet", test.facet, as_of) for test in rule.tests]
    verdicts = tuple(Verdict(test, period, story.claims.claimant_kinds(period.cause))
                     for test, period in zip(rule.tests, periods))
    membership = story.period("list", name, as_of)
    history = tuple(change for change in story.changes if change.kind == "list" and change.name == name)
    member = membership is not None and membership.value == "in"
    return Explanation(rule, as_of, member, membership, verdicts, history, story.claims)
