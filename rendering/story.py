"""One person's story as the pictures and exports draw it: key, shown name, stored events.

The name is whatever the reader should see (the real name, or a pseudonym in a
redacted export); ``history`` is the stream as stored, in record order, so every
picture folds it with the same ``fold``/``timeline`` as the read models.
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import Any

from casetrail.domain.events import PersonEvent


@dataclass(frozen=True)
class Story:
    key: str
    name: str
    history: tuple[PersonEvent, ...]
    # The cases (domain/case.py Case aggregates) the person is party to, each drawn as a lane of its own
    # with its parties; a case the fold at (V, K) does not name is not drawn.
    cases: tuple[Any, ...] = ()
