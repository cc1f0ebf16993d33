"""Counts in messages, in agreement with their number: "1 problem", "2 problems"."""

from __future__ import annotations

_PLURALS = {"person": "people", "entry": "entries", "party": "parties", "is": "are", "was": "were"}


def counted(number: int, word: str) -> str:
    """``counted(1, "record")`` is "1 record"; ``counted(3, "person")`` is "3 people"."""
    if number == 1:
        return f"{number} {word}"
    return f"{number} {_PLURALS.get(word, word + 's')}"


def listed(words: list[str]) -> str:
    """``listed(["a", "b", "c"])`` is "a, b and c", as a sentence names several things."""
    return " and ".join(filter(None, [", ".join(words[:-1]), words[-1]])) if words else ""
