"""The read models as SQLAlchemy Core tables, in the same database as the events.

Times are fixed-width ISO text with far sentinels for "not ended" (see
``times.py``), so a row holds at (V, K) when

    valid_from <= V < valid_to  and  recorded_from <= K < recorded_to
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, PrimaryKeyConstraint, String, Table, Text

SCHEMA_VERSION = 3  # bump when rows or columns change: the views are then rebuilt

metadata = MetaData()


def _bytewise(length: int | None) -> String:
    """Text compared byte by byte on PostgreSQL (COLLATE "C"), as SQLite always does: the
    ISO times and list names the "holds at (V, K)" ranges test sort the same either way,
    and the database's locale collation made those range scans several times slower."""
    kind = String if length else Text
    return kind(length).with_variant(kind(length, collation="C"), "postgresql")

tracking = Table(
    "casetrail_tracking", metadata,
    Column("name", String(40), primary_key=True),
    Column("position", BigInteger, nullable=False),  # the last notification id applied
    Column("processed", BigInteger, nullable=False),  # events applied since the last rebuild
    Column("rules", String(32), nullable=False),  # fingerprint of the list rules the rows follow
    Column("schema_version", Integer, nullable=False),
    Column("updated_at", String(32)),
)

people = Table(
    "casetrail_people", metadata,
    Column("person_id", String(36), primary_key=True),
    Column("key", String(80), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("aliases", Text, nullable=False),  # JSON list
    Column("born", Integer),
    Column("place", Text),
    Column("search", Text, nullable=False),  # name and aliases, case-folded, for --name
    Column("registered_at", String(32), nullable=False),
)

sources = Table(
    "casetrail_sources", metadata,
    Column("key", String(80), primary_key=True),
    Column("url", Text),
    Column("outlet", Text),
    Column("title", Text),
    Column("published", String(10)),
    Column("note", Text),
    Column("registered_at", String(32), nullable=False),
)

status = Table(
    "casetrail_status", metadata,
    Column("person_id", String(36), primary_key=True),
    Column("headline", String(40), nullable=False),
    Column("custody", String(40), nullable=False),
    Column("legal", String(40), nullable=False),
    Column("appeal", String(40), nullable=False),
    Column("vital", String(40), nullable=False),
    Column("designation", String(80), nullable=False),
    Column("compensation", Text, nullable=False),
    Column("changed_at", String(32), nullable=False),
)


def _period_columns(name_column: str) -> list:
    return [
        Column("person_id", String(36), nullable=False),
        Column(name_column, _bytewise(80), nullable=False),
        Column("valid_from", _bytewise(10), nullable=False),
        Column("valid_to", _bytewise(10), nullable=False),
        Column("recorded_from", _bytewise(32), nullable=False),
        Column("recorded_to", _bytewise(32), nullable=False),
        Column("since", String(16)),  # the opening fact's date as written ("2022-01~")
        Column("cause_event", String(36)),
        Column("cause_type", String(40)),
        Column("cause_latest", String(10)),  # its latest possible day: uncertain before it
        Column("source", String(80)),
        Column("ident", String(16), nullable=False),  # what the period is, to close it when superseded
    ]


facet_periods = Table(
    "casetrail_facet_periods", metadata,
    *_period_columns("facet"),
    Column("value", _bytewise(None), nullable=False),
    # The key is what a row is (its ident) from when it was recorded: it is also the index of
    # a person's rows (closing them, audit). (Stored in its key, WITHOUT ROWID, SQLite wrote
    # these wide rows more slowly, so it keeps its rowid.)
    PrimaryKeyConstraint("person_id", "ident", "recorded_from", name="pk_facet_periods"),
    Index("ix_facet_periods_at", "facet", "value", "valid_from", "valid_to", "recorded_from", "recorded_to",
          "person_id"),
)

list_periods = Table(
    "casetrail_list_periods", metadata,
    *_period_columns("list"),
    PrimaryKeyConstraint("person_id", "ident", "recorded_from", name="pk_list_periods"),
    Index("ix_list_periods_at", "list", "valid_from", "valid_to", "recorded_from", "recorded_to", "person_id"),
)

changes = Table(
    "casetrail_changes", metadata,
    Column("person_id", String(36), nullable=False),
    Column("kind", String(8), nullable=False),  # "facet" or "list"
    Column("name", String(80), nullable=False),
    Column("before", Text, nullable=False),
    Column("after", Text, nullable=False),
    Column("valid_from", String(10), nullable=False),
    Column("valid_on", String(16), nullable=False),  # the cause's date as written
    Column("seq", String(60), nullable=False),  # story order among changes on one day
    Column("cause_event", String(36), nullable=False),
    Column("cause_type", String(40), nullable=False),
    Column("by", Text),
    Column("source", String(80)),
    Column("recorded_from", String(32), nullable=False),
    Column("recorded_to", String(32), nullable=False),
    Column("ident", String(16), nullable=False),
    PrimaryKeyConstraint("person_id", "ident", "recorded_from", name="pk_changes"),
    Index("ix_changes_name", "kind", "name", "recorded_from"),
)

VIEW_TABLES = (people, sources, status, facet_periods, list_periods, changes)

