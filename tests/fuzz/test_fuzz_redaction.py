"""Fuzzing redaction: names written every way a document writes them, mixed into arbitrary text.

Hypothesis writes the registered names of a few people (Latin, Cyrillic, a dotted capital I) in
random case, joined or split by a dash, dot, underscore or space, with Russian case endings, in
either order, percent-encoded as in an address, between arbitrary text. Whatever it writes:

- redaction never fails, and every text still fits its field (so the export still imports);
- no word of a registered name (of three letters or more) survives, in any spelling;
- text made of single words of names only never gets anyone's pseudonym ("[name]" instead);
- through the CLI, on a SQLite store, ``export --redact`` of such a fact imports into an empty store.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetrail.domain.names import spelling, words
from casetrail.domain.person import Person
from casetrail.store.redaction import LONG_TEXT_MAX, TEXT_MAX, Redactor
from tests.cli.conftest import Cli
from tests.fuzz.test_fuzz_formats import STORABLE

SETTINGS = settings(max_examples=300, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])
CLI_SETTINGS = settings(SETTINGS, max_examples=40)  # each example imports into a new store

PEOPLE = [("omarov-aslanbek", "Aslanbek Omarov", ["Асланбек Омаров"]),
          ("case-0002", "Faizulla Nurgeldin", []),
          ("case-0003", "İlyas Qasymov", ["Ильяс Касымов"])]
NAME_WORDS = {spelling(w.group()) for _, name, aliases in PEOPLE for text in (name, *aliases)
              for w in words(text) if len(spelling(w.group())) >= 3}
ENDINGS = ["", "а", "у", "ым", "е", "ой", "ом", "a", "u", "ym", "s"]
TEXT_CHARS = STORABLE


def registrations():
    return [Person.register(key, name, aliases).pending_events[0] for key, name, aliases in PEOPLE]


@st.composite
def word_of_a_name(draw) -> str:
    _, name, aliases = draw(st.sampled_from(PEOPLE))
    word = draw(st.sampled_from(draw(st.sampled_from([name, *aliases])).split()))
    return _cased(draw, word + draw(st.sampled_from(ENDINGS)))


@st.composite
def full_name(draw) -> str:
    _, name, aliases = draw(st.sampled_from(PEOPLE))
    parts = draw(st.sampled_from([name, *aliases])).split()
    parts = draw(st.permutations(parts))
    parts[-1] += draw(st.sampled_from(ENDINGS))
    joined = draw(st.sampled_from([" ", "-", "_", ".", "", " "])).join(parts)
    return _cased(draw, joined)


def _cased(draw, text: str) -> str:
    shown = draw(st.sampled_from([text, text.upper(), text.lower(), text.title()]))
    return quote(shown) if draw(st.integers(0, 5)) == 0 else shown


def text_with(*pieces: st.SearchStrategy) -> st.SearchStrategy:
    filler = st.text(TEXT_CHARS, max_size=30)
    return st.lists(st.one_of(*pieces, filler), min_size=1, max_size=12).map(" ".join)


def survivors(text: str) -> set[str]:
    return {spelling(w.group()) for w in words(text)} & NAME_WORDS


@SETTINGS
@given(text=text_with(full_name(), word_of_a_name(), st.text(TEXT_CHARS, max_size=600)))
def test_no_word_of_a_registered_name_survives_and_every_text_still_fits(text):
    redactor = Redactor(registrations())

    out = redactor.text(text)

    assert len(out) <= (TEXT_MAX if len(text) <= TEXT_MAX else LONG_TEXT_MAX)
    assert not survivors(out), (text, out)


@SETTINGS
@given(text=st.lists(word_of_a_name(), min_size=1, max_size=8).map(" / ".join))
def test_single_words_of_names_never_become_anyones_pseudonym(text):
    redactor = Redactor(registrations())

    out = redactor.text(text)

    assert "Person" not in out and out.count("[name]") == text.count(" / ") + 1, (text, out)


@pytest.fixture
def store(tmp_path):
    cli = Cli(str(tmp_path / "fuzz.db"))
    cli("source add fuzz-src --url https://example.org/fuzz")
    for key, name, aliases in PEOPLE:
        cli(["person", "add", key, "--name", name, *[a for alias in aliases for a in ("--alias", alias)]])
    return cli


@CLI_SETTINGS
@given(data=st.data())
def test_a_redacted_export_of_fuzzed_text_hides_the_names_and_imports(store, tmp_path_factory, data):
    text = data.draw(text_with(full_name(), word_of_a_name()), label="text").strip()[:10_000] or "x"
    key = data.draw(st.sampled_from([key for key, _, _ in PEOPLE]), label="person")
    # A note told again from the same source is one claim, refused as already recorded: each example's is new.
    store(["record", key, "noted", "--on", "2022-01-09", "--source", "fuzz-src", "--text", f"{text} {uuid.uuid4().hex}"])

    redacted = store(f"export --redact --person {key}").stdout

    texts = [orjson.loads(row).get("text", "") for row in redacted.splitlines()]
    assert not any(survivors(t) for t in texts), texts
    Cli(str(tmp_path_factory.mktemp("copy") / "copy.db"))("import - --format jsonl", input=redacted)
