"""A person's state as named facets with string values: what lists and searches test.

Each facet is read off the fold's ``State``; every value is a plain string so that
one SQL column holds them all and a TOML rule can name them.
"""

from __future__ import annotations

from casetrail.domain.fold import State
from casetrail.domain.money import amount_text

FACETS = ("custody", "legal", "appeal", "vital", "designation", "compensation", "headline")

# The values a rule may test. None: an open vocabulary (any slug; "none" when unset).
VALUES: dict[str, tuple[str, ...] | None] = {
    "custody": ("never_detained", "detained", "house_arrest", "imprisoned", "free"),
    "legal": ("none", "accused", "convicted", "acquitted", "cleared"),
    "appeal": ("none", "pending"),
    "vital": ("alive", "deceased"),
    "designation": None,
    "compensation": None,  # "none", or what was awarded: "7,000,000 KZT"
    "headline": ("at_large", "detained", "house_arrest", "imprisoned", "released", "deceased"),
}


def facet_values(state: State) -> tuple[str, ...]:
    """The state's facets, in the order of FACETS."""
    return (
        state.custody,
        state.legal,
        "pending" if state.appeal_pending else "none",
        state.vital,
        state.designation or "none",
        "; ".join(f"{amount_text(money.awarded)} {currency}" for currency, money in state.compensation if money.awarded)
        or "none",
        state.headline,
    )


INITIAL = facet_values(State())
