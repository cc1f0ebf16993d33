"""Names and notes already in a store may hold terminal escape sequences (written before input
was checked, or by another program); the commands print them visibly and never obey them."""

from __future__ import annotations

import re

import orjson
import pytest
from typer.testing import CliRunner

from casetrail.store.application import Casetrail
from casetrail.domain.person import Person

# ESC ]0; retitles the window; ESC [2J clears the screen; CSI as one C1 byte; a bidi override.
NAME = "Evil \x1b]0;owned\x07 \x1b[2J \x9b31m \u202eeman"
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # all but the newline


def register_unchecked(url: str, key: str, name: str) -> None:
    """Store a registration as an older casetrail (or another program) could have: the event is
    changed after it was checked, so today's input checks do not stand in the way."""
    app = Casetrail(url, recorded_by="tests")
    try:
        person = Person.register(key, "placeholder", aliases=["alias"], place="Almaty", note="note")
        event = person._pending_events[0]
        person._pending_events[0] = event.model_copy(update={"name": name, "aliases": [f"alias {name}"],
                                                             "place": f"Almaty {name}", "note": f"note {name}"})
        app.save(person)
    finally:
        app.close()


@pytest.fixture
def evil(cli):
    register_unchecked(cli.url, "evil-person", NAME)
    cli.runner = CliRunner(env={"COLUMNS": "250"})  # wide: no escape is folded over two lines
    return cli


@pytest.mark.parametrize("command", ["person list", "show evil-person", "audit evil-person", "people",
                                     "replay evil-person"])
def test_a_stored_escape_sequence_is_printed_visibly_not_obeyed(evil, command):
    out = evil(command).stdout

    assert not RAW.search(out), repr(out)
    assert "\\x1b[2J" in out and "\\x9b31m" in out and "\\u202eeman" in out


def test_json_output_keeps_the_stored_name_exactly_and_escapes_its_controls(evil):
    out = evil("person list --json").stdout

    assert not RAW.search(out), repr(out)
    assert orjson.loads(out)[0]["name"] == NAME


def test_an_error_quoting_typed_text_shows_its_escape_sequences(evil):
    error = evil.error(["show", "\x1b[2J\u202e"])

    assert not RAW.search(error) and "\\x1b[2J\\u202e" in error
