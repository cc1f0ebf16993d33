"""Export, then import into an empty store of the same kind: every answer the same.

Random stories of two people: facts recorded (some impossible, refused as a user would
see), retracted, recorded again after a retraction, and attempts to retract a
retraction (the model refuses them: a retracted fact is restored by recording it
again). The copy must answer show, lists and audit as the original does at many valid
dates V and record times K, the record times taken from the export itself.
"""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path
from typing import Iterator

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetrail.store.application import Casetrail
from casetrail.domain.errors import CasetrailError
from tests.cli.conftest import Cli, stamped
from tests.conftest import PG_URL, _pg_connect

SETTINGS = settings(max_examples=8, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
PEOPLE = ("a-a", "b-b")
FACTS = [("detained", {}), ("released", {}), ("noted", {"text": "seen in court"}),
         ("designated", {"designation": "terrorist"}), ("designated", {"designation": "accidental_victim"}),
         ("died", {}), ("sentenced", {"kind": "prison", "term_months": 24})]
DATES = st.sampled_from(["2022-01-06", "2022-01-09", "2022-01", "2022-02~", "2022-03-01", "2022-05?", "2022"])
ACTIONS = st.one_of(
    st.tuples(st.just("record"), st.sampled_from(PEOPLE), st.integers(0, len(FACTS) - 1), DATES),
    st.tuples(st.just("retract"), st.sampled_from(PEOPLE), st.integers(0, 20)),
    st.tuples(st.just("again"), st.sampled_from(PEOPLE), st.integers(0, 20)),
    st.tuples(st.just("unretract"), st.sampled_from(PEOPLE), st.integers(0, 20)),
)


@contextlib.contextmanager
def empty_store(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield str(folder / f"{uuid.uuid4().hex[:8]}.db")
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        yield f"{PG_URL}?schema={schema}"
    finally:
        with _pg_connect() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def tell(app: Casetrail, actions: list[tuple]) -> None:
    """The story, each step as a user would try it; a refused step changes nothing."""
    app.add_source("src", url="https://example.org/report")
    for key in PEOPLE:
        app.add_person(key, key.upper())
    for action, key, *rest in actions:
        history = app.person(key).history
        facts = [e for e in history if e.type != "retracted"]
        retractions = [e for e in history if e.type == "retracted"]
        gone = [f for f in facts if f.id in {r.event_id for r in retractions}]
        try:
            if action == "record":
                type_name, fields = FACTS[rest[0]]
                app.record(key, type_name, on=rest[1], source="src", **fields)
            elif action == "retract" and facts:
                app.retract(key, str(facts[rest[0] % len(facts)].id), "wrong")
            elif action == "again" and gone:
                fact = gone[rest[0] % len(gone)]
                app.record(key, fact.type, on=fact.on.text, source=fact.source, **fact.fields())
            elif action == "unretract" and retractions:
                app.retract(key, str(retractions[rest[0] % len(retractions)].id), "retract the retraction")
        except CasetrailError:
            continue


def questions(original: Cli, exported: list[dict]) -> Iterator[str]:
    stamps = sorted({r["recorded_at"] for r in exported if r["record"] == "event"})
    known = [None, *stamps[:: max(1, len(stamps) // 4)], stamps[-1] if stamps else None]
    for k in dict.fromkeys(known):
        at = f" --known-at {k}" if k else ""
        for v in ("2022-01-08", "2022-03-15", "2023-01-01"):
            yield f"lists --as-of {v}{at}"
            for key in PEOPLE:
                yield f"show {key} --as-of {v}{at}"
        for key in PEOPLE:
            yield f"audit {key}{at}"


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@SETTINGS
@given(actions=st.lists(ACTIONS, min_size=3, max_size=14))
def test_a_store_exported_and_imported_into_an_empty_one_answers_every_question_the_same(kind, tmp_path, actions):
    with empty_store(kind, tmp_path) as first, empty_store(kind, tmp_path) as second:
        app = Casetrail(first, recorded_by="tests")
        try:
            tell(app, actions)
        finally:
            app.close()
        original, copy = Cli(first), Cli(second)
        text = original("export").stdout
        exported = [orjson.loads(line) for line in text.splitlines()]

        batch = orjson.loads(copy("import - --format jsonl --json", input=text).stdout)["batch"]

        again = [orjson.loads(line) for line in copy("export").stdout.splitlines()]
        assert again == stamped(text, batch)
        for line in questions(original, exported):
            assert copy.json(line) == original.json(line), (line, actions)
