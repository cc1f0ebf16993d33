"""``verify --views``: the read models' rows against rows made again from the events.

The views are made again, from the same events and rules, in a scratch SQLite file; then
every table's rows are compared as sets (sealed text opened first: on an encrypted store
each sealing has its own nonce). A row only the store has was changed or added behind
casetrail's back; a row only the fresh views have was changed or removed. A catch-up
applies each save of a person in record order, as a rebuild does, so untouched views give
exactly the same rows.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from casetrail.domain.rules import Rules
from casetrail.projections.engines import engines
from casetrail.projections.tables import VIEW_TABLES, people
from casetrail.projections.views import Views
from casetrail.store.application import Casetrail
from casetrail.store.storage import StoreURL

SHOWN = 5  # differing rows named per table and side; the rest are counted


@dataclass(frozen=True)
class RowDifference:
    table: str
    person: str | None  # the person's key, when the row is about one
    problem: str


def view_differences(app: Casetrail, rules: Rules) -> list[RowDifference]:
    """Every row of the store's views that rows made again from its events do not have, and back."""
    live = Views(app, rules)
    folder = tempfile.mkdtemp(prefix="casetrail-views-")
    try:
        live.catch_up(helpers=0)
        fresh = Views(app, rules, on=engines(StoreURL.parse(str(Path(folder) / "views.db"))))
        try:
            fresh.rebuild(helpers=0)
            return _compare(live, fresh, app.mapper.cipher)
        finally:
            fresh.close()
    finally:
        live.close()
        shutil.rmtree(folder, ignore_errors=True)


def _compare(live: Views, fresh: Views, cipher: Any) -> list[RowDifference]:
    keys = {row.person: row.key for row in _rows(fresh, people, None, raw=True)}
    found: list[RowDifference] = []
    for table in VIEW_TABLES:
        stored, made = Counter(_rows(live, table, cipher)), Counter(_rows(fresh, table, cipher))
        for rows, problem in ((stored - made, "a row the events do not make: changed or added behind casetrail's "
                                              "back"),
                              (made - stored, "a row the events make is not there: changed or removed")):
            for row in sorted(rows, key=repr)[:SHOWN]:
                person = keys.get(row[0]) if "person" in table.c else None
                found.append(RowDifference(table.name, person, f"{problem}: {_shown(table, row)}"))
            if len(rows) > SHOWN:
                found.append(RowDifference(table.name, None, f"and {len(rows) - SHOWN} more such rows"))
    return found


def _rows(views: Views, table: Any, cipher: Any, raw: bool = False) -> list[Any]:
    with views.engine.connect() as conn:
        rows = conn.execute(select(table)).all()
    if raw:
        return rows
    return [tuple(_opened(value, cipher) for value in row) for row in rows]


def _opened(value: Any, cipher: Any) -> Any:
    """Sealed text opened (each sealing has its own nonce); anything else as it is."""
    if cipher is None or not isinstance(value, str) or len(value) < 40:
        return value
    try:
        return cipher.decrypt(base64.b64decode(value, validate=True)).decode()
    except Exception:
        return value


def _shown(table: Any, row: tuple) -> str:
    return ", ".join(f"{column.name}={value}" for column, value in zip(table.c, row)
                     if value is not None and column.name not in ("search",))[:240]
