"""The read models as SQLAlchemy Core tables, in the same database as the events.

Valid dates are day numbers and record times microseconds, with far sentinels for
"not ended" (see ``times.py``), so a row holds at (V, K) when

    valid_from <= V < valid_to  and  recorded_from <= K < recorded_to

A person is a number in the rows (``person``): the notification id of their
registration, so any process works it out the same from the log, and the rows and
their keys stay narrow. ``casetrail_people`` maps it to the person's id and key.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, PrimaryKeyConstraint, String, Table, Text

SCHEMA_VERSION = 17  # bump when rows or columns change: the views are then rebuilt

metadata = MetaData()


def _bytewise(length: int | None) -> String:
    """Text compared byte by byte on PostgreSQL (COLLATE "C"), as SQLite always does: the
    ISO times and list names the "holds at (V, K)" ranges test sort the same either way,
    and the database's locale collation made those range scans several times slower."""
    kind = String if length else Text
    return kind(length).with_variant(kind(length, collation="C"), "postgresql")

# A person's number: on SQLite an INTEGER PRIMARY KEY, so the rowid itself.
_NUMBER = BigInteger().with_variant(Integer, "sqlite")

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
    Column("person", _NUMBER, primary_key=True, autoincrement=False),
    Column("person_id", String(36), nullable=False, unique=True),
    Column("key", String(80), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("aliases", Text, nullable=False),  # JSON list
    Column("born", Integer),
    Column("place", Text),
    Column("search", Text, nullable=False),  # name and aliases, case-folded, for --name
    Column("merged_into", String(80)),  # the key of the record this one is merged into (None: not merged)
    Column("spelt", Text, nullable=False),  # the same transliterated, for --name in any script (names.search_text)
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



# The columns of each kind of row in the order the projector makes them (projector.py): a
# batch's rows are tuples, handed to the driver as they are.
FACET_COLUMNS = ("person", "ident", "facet", "value", "valid_from", "valid_to", "since", "cause_event",
                 "cause_type", "cause_latest", "source", "contested", "recorded_from", "recorded_to")
LIST_COLUMNS = ("person", "ident", "list", "valid_from", "valid_to", "since", "cause_event", "cause_type",
                "cause_latest", "source", "contested", "possible", "recorded_from", "recorded_to")
CHANGE_COLUMNS = ("person", "ident", "kind", "name", "before", "after", "valid_from", "valid_on", "seq",
                  "cause_event", "cause_type", "by", "source", "recorded_from", "recorded_to")


def _period_columns(name_column: str) -> list:
    return [
        Column("person", BigInteger, nullable=False),
        Column("ident", String(16), nullable=False),  # what the period is, to close it when superseded
        Column(name_column, _bytewise(80), nullable=False),
        Column("valid_from", Integer, nullable=False),
        Column("valid_to", Integer, nullable=False),
        Column("since", String(16)),  # the opening fact's date as written ("2022-01~")
        Column("cause_event", String(36)),
        Column("cause_type", String(40)),
        Column("cause_latest", String(10)),  # its latest possible day: uncertain before it
        Column("source", String(80)),
        Column("contested", Boolean, nullable=False),  # its cause is one of disputed accounts
        Column("recorded_from", BigInteger, nullable=False),
        Column("recorded_to", BigInteger, nullable=False),
    ]


facet_periods = Table(
    "casetrail_facet_periods", metadata,
    *_period_columns("facet"),
    Column("value", _bytewise(None), nullable=False),
    # The key is what a row is (its ident) from when it was recorded: it is also the index of
    # a person's rows (closing them, audit). (Stored in its key, WITHOUT ROWID, SQLite wrote
    # these wide rows more slowly, so it keeps its rowid.)
    PrimaryKeyConstraint("person", "ident", "recorded_from", name="pk_facet_periods"),
    Index("ix_facet_periods_at", "facet", "value", "valid_from", "valid_to", "recorded_from", "recorded_to",
          "person"),
)

list_periods = Table(
    "casetrail_list_periods", metadata,
    *_period_columns("list"),
    # Possibly still on the list: after an exit whose fact may not have happened yet (its cause).
    Column("possible", Boolean, nullable=False),
    PrimaryKeyConstraint("person", "ident", "recorded_from", name="pk_list_periods"),
    # Covering the counts, which leave out possible members: without it each row is read from the table.
    Index("ix_list_periods_at", "list", "valid_from", "valid_to", "recorded_from", "recorded_to", "person",
          "possible"),
)

changes = Table(
    "casetrail_changes", metadata,
    Column("person", BigInteger, nullable=False),
    Column("ident", String(16), nullable=False),
    Column("kind", String(8), nullable=False),  # "facet" or "list"
    Column("name", String(80), nullable=False),
    Column("before", Text, nullable=False),
    Column("after", Text, nullable=False),
    Column("valid_from", Integer, nullable=False),
    Column("valid_on", String(16), nullable=False),  # the cause's date as written
    Column("seq", String(60), nullable=False),  # story order among changes on one day
    Column("cause_event", String(36), nullable=False),
    Column("cause_type", String(40), nullable=False),
    Column("by", Text),
    Column("source", String(80)),
    Column("recorded_from", BigInteger, nullable=False),
    Column("recorded_to", BigInteger, nullable=False),
    PrimaryKeyConstraint("person", "ident", "recorded_from", name="pk_changes"),
    Index("ix_changes_name", "kind", "name", "recorded_from"),
)

ROW_TABLES = {"facet": (facet_periods, FACET_COLUMNS), "list": (list_periods, LIST_COLUMNS),
              "change": (changes, CHANGE_COLUMNS)}

VIEW_TABLES = (people, sources, facet_periods, list_periods, changes)

