"""Many streams' earlier events read at once, from either store.

eventsourcing reads one stream per query (``select_events``), each in a transaction of
its own; a catch-up that meets thousands of people whose earlier events it no longer
holds in memory (their first reports came long before, in another part of the log) asks
for all of them. One query per 500 streams reads the same stored events.
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder
from psycopg.sql import SQL, Identifier

CHUNK = 500  # streams per query


def earlier_events(recorder: object, before: dict[UUID, int]) -> dict[UUID, list[StoredEvent]]:
    """The stored events of each stream in ``before`` whose version is lower than the one given,
    in version order (a stream with none is left out)."""
    found: dict[UUID, list[StoredEvent]] = defaultdict(list)
    ids = list(before)
    for at in range(0, len(ids), CHUNK):
        for stored in _select(recorder, ids[at:at + CHUNK]):
            if stored.originator_version < before[stored.originator_id]:
                found[stored.originator_id].append(stored)
    return found


def _select(recorder: object, ids: list[UUID]) -> list[StoredEvent]:
    if isinstance(recorder, SQLiteAggregateRecorder):
        statement = (f"SELECT originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
                     f"WHERE originator_id IN ({','.join('?' * len(ids))}) ORDER BY originator_id, originator_version")
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, [i.hex for i in ids])
            return [StoredEvent(recorder.convert_originator_id(row["originator_id"]), row["originator_version"],
                                row["topic"], row["state"]) for row in cursor.fetchall()]
    if not isinstance(recorder, PostgresAggregateRecorder):
        raise TypeError(f"no query for the events of many streams on {type(recorder).__name__}")
    statement = SQL("SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
                    "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version").format(
        schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name))
    with recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
        cursor.execute(statement, [ids])
        return [StoredEvent(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))
                for row in cursor.fetchall()]
