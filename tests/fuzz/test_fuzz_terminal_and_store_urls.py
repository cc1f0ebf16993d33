"""Fuzzing what reaches the terminal and what picks the store.

- Any text, printed through casetrail's console (as a plain string, a table cell or an assembled
  text) or as its JSON, leaves no control character for the terminal to obey, and the JSON still
  decodes to the very same text.
- Any ``?schema=`` of a PostgreSQL store URL is either a plain name that reaches the store as
  given, or refused with BadInput before any connection is made.
"""

from __future__ import annotations

import io
import re

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.table import Table
from rich.text import Text

from casetrail.cli import render
from casetrail.domain.errors import BadInput
from casetrail.store.storage import StoreURL

SETTINGS = settings(max_examples=500, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# What a terminal would obey: C0 but tab and newline, DEL, C1, bidi controls.
OBEYED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
STEERING = st.sampled_from(["\x1b]0;title\x07", "\x1b[2J", "\x1b[31m", "\x9b", "\x9d", "\u202e", "\u2066", "\x00",
                            "\r", "\x08", "\x7f", "\u2028", "\x1bP", "\x1b\\"])
TEXT = st.lists(st.one_of(st.text(max_size=20), STEERING), max_size=8).map("".join)


def printed(*renderables) -> str:
    out = io.StringIO()
    console = render._Console(file=out, width=100, highlight=False, markup=False, color_system=None)
    for renderable in renderables:
        console.print(renderable)
    return out.getvalue()


@SETTINGS
@given(TEXT)
def test_no_text_gets_a_control_character_to_the_terminal(text):
    table = Table(title=text)
    table.add_column(text)
    table.add_row(text)

    out = printed(text, table, Text.assemble((text, "bold"), text), render.word_table(["a", "b"], [[text, text]]))

    assert not OBEYED.search(out), repr(out)


@SETTINGS
@given(TEXT)
def test_json_output_escapes_every_control_character_and_keeps_the_text(text):
    out = render.json_text({"text": text})

    assert not OBEYED.search(out)
    assert orjson.loads(out) == {"text": text}


@SETTINGS
@given(st.one_of(st.text(max_size=70), st.from_regex(r"[a-z_][a-z0-9_]{0,62}", fullmatch=True)))
def test_a_schema_in_a_store_url_is_a_plain_name_or_refused_before_connecting(schema):
    from urllib.parse import quote

    try:
        store = StoreURL.parse(f"postgresql://127.0.0.1:5432/test?schema={quote(schema)}")
    except BadInput as error:
        assert "is not a plain name" in str(error)
        return
    given_schema = store.env.get("POSTGRES_SCHEMA")
    assert given_schema is None or re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", given_schema)
    assert given_schema in (None, schema, schema.strip())
