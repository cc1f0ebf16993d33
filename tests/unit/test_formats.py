"""CSV cells: formula injection guarded, lists as JSON arrays; both read back exactly."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.store.formats import guard_cell, read_records, unguard_cell, write_csv

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Text that UTF-8 can encode, often starting with what a spreadsheet runs or with the guard itself.
TEXT = st.builds(lambda head, tail: head + tail,
                 st.sampled_from(["", "", "=", "+", "-", "@", "\t", "\r", "'", "''", "'=", "'-", "'a", "|", "["]),
                 st.text(st.characters(exclude_categories=["Cs"]), max_size=30))
VALUE = TEXT.filter(lambda text: text.strip() != "")  # a blank cell is no value
SETTINGS = settings(max_examples=500, deadline=None, database=None)


@SETTINGS
@given(text=TEXT)
def test_any_text_comes_back_unchanged_from_its_guarded_cell(text):
    cell = guard_cell(text)

    assert unguard_cell(cell) == text
    assert not cell.startswith(TRIGGERS)


def test_a_cell_that_only_looks_guarded_keeps_its_apostrophe():
    assert [guard_cell(text) for text in ("'abc", "'", "it's", "=1", "'=1")] == ["'abc", "'", "it's", "'=1", "''=1"]


@SETTINGS
@given(name=VALUE, note=VALUE, aliases=st.lists(VALUE, min_size=1, max_size=4))
def test_any_texts_and_lists_come_back_unchanged_through_a_csv_file(name, note, aliases):
    out = io.BytesIO()
    write_csv([{"record": "person", "key": "a-b", "name": name, "aliases": aliases, "note": note}], out)

    written = [cell for row in csv.reader(io.StringIO(out.getvalue().decode(), newline="")) for cell in row]
    (raw,) = read_records(io.BytesIO(out.getvalue()), "csv", "cases.csv")

    assert (raw.data["name"], raw.data["note"], raw.data["aliases"]) == (name, note, aliases)
    assert not [cell for cell in written if cell.startswith(TRIGGERS)]
