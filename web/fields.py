"""The fields of the forms that say something about a recorded fact, read by the case page and its handlers."""

from __future__ import annotations

from casetrail.domain.events import CLAIMANTS
from casetrail.domain.facts import FieldSpec

CLAIMANT = FieldSpec("claimant", f"Who asserts it: {', '.join(CLAIMANTS)}, or other:TEXT.", None, False, False)

# What an editor says about a recorded fact: another source, the account that counts, a retraction
# (the options of casetrail corroborate, prefer and retract).
CLAIMS = {
    "corroborate": [FieldSpec("source", "Another source key or URL that says the same.", None, True, False), CLAIMANT,
                    FieldSpec("note", "A remark on what this source adds.", None, False, False)],
    "prefer": [FieldSpec("reason", "Why the team prefers this account.", None, True, False),
               FieldSpec("source", "A source key or URL the choice rests on.", None, False, False)],
    "retract": [FieldSpec("reason", "Why the fact no longer holds.", None, True, False),
                FieldSpec("source", "A source key or URL for the correction.", None, False, False)],
}
