"""Fuzzing free text with the characters that broke the store (issue 11, item 1).

Names, places, notes and source titles mixed from printable text and the characters
casetrail refuses (C0 controls, DEL, C1 controls, bidi controls; NUL and lone surrogates
too where a file carries them) go in through ``person add``, ``record``, ``source add`` and
``import`` of JSON. Every input must end as test_fuzz_inputs.py says (exit 0, or one
``Error:`` line and the store unchanged), nothing stored may hold a refused character, and
``lists`` must keep answering: on SQLite and on PostgreSQL, which cannot store a NUL.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.store.application import Casetrail
from tests.cli.conftest import Cli
from tests.fuzz.test_fuzz_inputs import SETTINGS, Store, check

REFUSED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
BAD = ["\x00", "\x01", "\x07", "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9f", "\u202e", "\u2066", "\u200f", "\ufeff"]
PLAIN = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
# Mostly plain text, with a refused (or nearly refused) character somewhere in it, often.
TEXT = st.lists(st.one_of(st.text(PLAIN, min_size=1, max_size=8), st.sampled_from(BAD)), min_size=1,
                max_size=5).map("".join)
KEY = st.from_regex(r"\A[a-z]{3,8}-[a-z]{3,8}\Z")  # a new person or source each time, mostly
ARGV = TEXT.map(lambda t: t.replace("\x00", ""))  # a real argv cannot carry NUL; the in-process runner could


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request):
    url = request.getfixturevalue(f"{request.param}_url")
    cli = Cli(url)
    cli("source add fuzz-src --url https://example.org/fuzz")
    cli("person add omarov-aslanbek --name 'Aslanbek Omarov'")
    app = Casetrail(url, recorded_by="tests")
    yield Store(url, cli, app, [])
    app.close()


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _nothing_refused_is_stored(store: Store) -> None:
    stored = [store.cli.json("person list"), store.cli.json("source list"),
              store.cli.json("show omarov-aslanbek")["events"]]
    for text in _strings(stored):
        found = REFUSED.search(text.replace("\t", "").replace("\n", ""))  # tabs and line breaks: notes keep them
        assert found is None, f"stored {text!r}"
    assert store.cli("lists").exit_code == 0


def _fewer(examples: int):
    return settings(SETTINGS, max_examples=examples)


@_fewer(30)
@given(data=st.data())
def test_free_text_through_the_commands_is_stored_clean_or_refused(store, data):
    name, note, place, title = (data.draw(ARGV) for _ in range(4))
    key = data.draw(KEY)
    commands = {
        "person add": ["person", "add", key, "--name", name, "--note", note],
        "record": ["record", "omarov-aslanbek", "noted", "--on", "2022-01-09", "--source", "fuzz-src",
                   "--text", note, "--note", place],
        "source add": ["source", "add", key, "--title", title, "--outlet", place],
    }
    for what, line in commands.items():
        before = store.stamp()
        check(store, store.cli(line, ok=False), before, f"text {what}")
    _nothing_refused_is_stored(store)


@_fewer(25)
@given(name=TEXT, place=TEXT, note=TEXT, key=KEY)
def test_free_text_in_a_json_import_is_stored_clean_or_refused_whole(store, tmp_path_factory, name, place, note, key):
    path = tmp_path_factory.mktemp("fuzz") / "cases.json"
    path.write_text(json.dumps([
        {"record": "person", "key": key, "name": name, "place": place},
        {"record": "event", "person": "omarov-aslanbek", "type": "noted", "on": "2022-01-09", "source": "fuzz-src",
         "text": "held", "note": note},
    ]))

    before = store.stamp()
    check(store, store.cli(["import", str(path)], ok=False), before, "text import")

    _nothing_refused_is_stored(store)
