"""Encryption at rest, on both stores: with CASETRAIL_KEY set, no name, alias, place or note of the
January 2022 dataset is anywhere in the store in plaintext (events and read models alike), every
question is answered as from a plaintext store, and a key that does not fit is one line that
changes nothing."""

from __future__ import annotations

import base64
import glob
import sqlite3
import uuid
from pathlib import Path

import orjson
import pytest
import yaml
from eventsourcing.cryptography import AESCipher
from typer.testing import CliRunner

from casetrail.cli.main import app as casetrail_app
from casetrail.store.application import Casetrail
from casetrail.domain.person import person_id
from casetrail.store.storage import StoreURL
from casetrail.domain.rules import load_rules
from tests.cli.conftest import Cli
from tests.conftest import _pg_connect
from tests.integration.test_integrity import Raw

DATASET = Path(__file__).parents[2] / "examples" / "january2022.yaml"
RECORDS = yaml.safe_load(DATASET.read_text())
PEOPLE = [p["key"] for p in RECORDS["persons"]]
KEYS = sorted(PEOPLE + [s["key"] for s in RECORDS["sources"]], key=len, reverse=True)
LISTS = load_rules().names
FREE_TEXT = ("place", "note", "by", "court", "charge", "against", "cause", "text", "payer", "grounds", "article")


def _needles() -> set[str]:
    """Every name and alias, each word of them of 4 letters or more, every place and note, and
    the other free text of the dataset (a fact's court, charge, cause...; a source's URL and title)."""
    found: set[str] = set()
    for person in RECORDS["persons"]:
        for name in [person["name"], *person.get("aliases", [])]:
            found.add(name)
            found.update(word for word in name.split() if len(word) >= 4)
        found.update(person[f] for f in ("place", "note") if person.get(f))
    for event in RECORDS["events"]:
        found.update(event[f] for f in FREE_TEXT if isinstance(event.get(f), str) and len(event[f]) >= 8)
        found.update(event[f] for f in ("place", "note") if isinstance(event.get(f), str))
    for source in RECORDS["sources"]:
        found.update(source[f] for f in ("url", "outlet", "title", "note") if source.get(f))
    return found


NEEDLES = _needles()
NAMES = {p["name"] for p in RECORDS["persons"]}

# Every command that reads, so that every read-model table is filled before the scan.
QUERIES = [
    "lists", "lists --as-of 2022-02-01", *(f"list {name}" for name in LISTS),
    *(f"list {name} --as-of 2022-02-01" for name in LISTS), "people", "people --name mamai",
    "people --name OMAROV --as-of 2022-02-01", "people --name Омаров", "people --headline deceased --limit 2",
    "people --name a --limit 2", "people --name an --as-of 2023-01-01 --limit 3",
    *(f"audit {key}" for key in PEOPLE), "audit --list fatalities",
    "audit --list accidental_victims --since 2020-01-01",
    "why nurgeldin-faizulla accidental_victims --as-of 2022-04-01", "why omarov-aslanbek compensated",
    "person list", "source list", *(f"show {key}" for key in PEOPLE),
]


def keyed(url: str, key: str | None) -> Cli:
    """The command line on one store with CASETRAIL_KEY set to ``key`` (None: unset)."""
    cli = Cli(url)
    cli.runner = CliRunner(env={"CASETRAIL_KEY": key})
    return cli


def new_key() -> str:
    return AESCipher.create_key(32)


def _schema(url: str) -> str:
    return url.split("schema=")[1]


def tables(url: str) -> dict[str, list[str]]:
    """Every row of every table of the store, as text."""
    if url.startswith("postgresql"):
        schema = _schema(url)
        with _pg_connect() as conn:
            names = [r[0] for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])]
            return {name: sorted(r[0] for r in conn.execute(f'SELECT t::text FROM "{schema}"."{name}" t'))
                    for name in names}
    with sqlite3.connect(url) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: sorted(map(repr, conn.execute(f'SELECT * FROM "{name}"'))) for name in names}


def stored_bytes(url: str) -> list[bytes]:
    """What an intruder reads: each SQLite file of the store (database, WAL, shared memory, journal)
    byte for byte; on PostgreSQL every row of every table of the store's schema as text, and every
    bytea value decoded."""
    if not url.startswith("postgresql"):
        files = [f for f in glob.glob(url + "*") if f == url or f[len(url):] in ("-wal", "-shm", "-journal")]
        assert url in files
        return [Path(f).read_bytes() for f in files]
    found = [text.encode() for rows in tables(url).values() for text in rows]
    schema = _schema(url)
    with _pg_connect() as conn:
        columns = conn.execute("SELECT table_name, column_name FROM information_schema.columns "
                               "WHERE table_schema = %s AND data_type = 'bytea'", [schema]).fetchall()
        for table, column in columns:
            found += [bytes(r[0]) for r in conn.execute(f'SELECT "{column}" FROM "{schema}"."{table}"')
                      if r[0] is not None]
    return found


def leaks(url: str) -> set[str]:
    """The dataset's names, places and notes found in the store's bytes, as written or case-folded.
    Keys are blanked out first: they are readable slugs by design (and say so in the docs)."""
    data = _blanked(b"\n".join(stored_bytes(url)))
    return {n for n in NEEDLES if _blanked(n.encode()) in data or _blanked(n.casefold().encode()) in data}


def _blanked(data: bytes) -> bytes:
    for key in KEYS:
        data = data.replace(key.encode(), b" ")
    return data


def record_and_ask(cli: Cli) -> set[str]:
    cli(["import", str(DATASET)])
    holder = sqlite3.connect(cli.url) if not cli.url.startswith("postgresql") else None
    try:
        if holder:  # an open connection keeps the WAL file, with the pages the queries write, for the scan
            holder.execute("SELECT count(*) FROM stored_events").fetchall()
        for line in [*QUERIES, "verify", "export", "export --format csv", "timeline --list fatalities --html -",
                     "timeline nurgeldin-faizulla --html -"]:
            cli(line)
        if holder:
            assert Path(cli.url + "-wal").stat().st_size > 0
        found = leaks(cli.url)
    finally:
        if holder:
            holder.close()
    return found


@pytest.mark.parametrize("encrypted", [True, False], ids=["with-key", "without-key"])
def test_no_name_place_or_note_is_stored_in_plaintext_with_a_key(store_url, encrypted):
    cli = keyed(store_url, new_key() if encrypted else None)

    found = record_and_ask(cli)

    if encrypted:
        assert found == set()
    else:  # the scan is not blind: without a key, every one of them is there to be read
        assert found == NEEDLES and NAMES <= found


def test_answers_with_the_key_are_those_of_the_same_dataset_in_a_plaintext_store(store_url, second_url):
    encrypted = keyed(store_url, new_key())
    encrypted(["import", str(DATASET)])
    plain = keyed(second_url, None)  # the same history: export keeps ids and record times
    plain(["import", "-", "--format", "jsonl"], input=encrypted("export").stdout)

    for line in QUERIES:
        got, expected = encrypted.json(line), plain.json(line)
        if line == "source list":  # the one record time export does not carry: a source's registration
            got, expected = ([{**s, "registered_at": None} for s in rows] for rows in (got, expected))
        assert got == expected, line
    assert {m["name"] for m in encrypted.json("list fatalities")["members"]} == {
        "Faizulla Nurgeldin", "Andrey Opushiyev", "Ruslanbek Zhubanazarov"}
    assert [p["person"] for p in encrypted.json("people --name Омаров")["people"]] == ["omarov-aslanbek"]
    assert [p["name"] for p in encrypted.json("people --name a --limit 2")["people"]] == [
        "Zhanbolat Mamay", "Faizulla Nurgeldin"]
    mamay = next(p for p in encrypted.json("person list") if p["person"] == "mamay-zhanbolat")
    assert (mamay["aliases"], mamay["born"]) == (["Zhanbolat Mamai"], 1988)
    assert "security forces" in {c["by"] for c in encrypted.json("audit omarov-aslanbek")["changes"]}


WRITES = ["person add new-person --name 'New Person' --place Almaty",
          "record omarov-aslanbek noted --on 2024-09 --text 'a secret' --source rferl-omarov",
          f"import {DATASET}", "projections rebuild"]
READS = ["lists", "list fatalities", "show omarov-aslanbek", "person list", "source list", "verify", "export",
         "audit omarov-aslanbek", "people --name omarov"]


def test_a_key_that_does_not_fit_the_store_is_one_line_and_changes_nothing(store_url, second_url):
    key = new_key()
    keyed(store_url, key)(["import", str(DATASET)])
    keyed(store_url, key)("lists")  # the read models too
    keyed(second_url, None)("person add omarov-aslanbek --name 'Aslanbek Omarov'")  # a plaintext store
    keyed(second_url, None)("lists")
    shown, other = StoreURL.parse(store_url).shown, StoreURL.parse(second_url).shown
    cases = [
        (store_url, new_key(), f"Error: cannot decrypt the store {shown}: CASETRAIL_KEY is not the key it was "
                               "written with"),
        (store_url, None, f"Error: store {shown} is encrypted: set CASETRAIL_KEY to its key"),
        (store_url, "", f"Error: store {shown} is encrypted: set CASETRAIL_KEY to its key"),
        (second_url, key, f"Error: store {other} was written without encryption, but CASETRAIL_KEY is set: "
                         "unset it (a store is encrypted from its first event or not at all)"),
    ]
    malformed = ("Error: CASETRAIL_KEY is not a key (base64 of 16, 24 or 32 bytes): make one with "
                 "'casetrail key new' and set it with export CASETRAIL_KEY=...")
    for bad in ("secret", base64.b64encode(b"ten bytes!").decode(), key[:-2], key + "A", "not base64 at all!!!"):
        cases += [(store_url, bad, malformed), (second_url, bad, malformed)]

    for url, given, message in cases:
        before = tables(url)
        for line in WRITES + READS:
            assert keyed(url, given).error(line) == message, (line, given)
        assert tables(url) == before
    # The right key still reads (the dataset's first records by key: Mamay's two spellings, merged).
    assert [p["name"] for p in keyed(store_url, key).json("person list")[:2]] == ["Zhanbolat Mamai", "Zhanbolat Mamay"]


def test_key_new_prints_a_fresh_key_that_works(tmp_path):
    runner = CliRunner(env={"CASETRAIL_KEY": None})
    first, second = (runner.invoke(casetrail_app, ["key", "new"]) for _ in range(2))
    url = str(tmp_path / "cases.db")

    assert first.exit_code == second.exit_code == 0
    key = first.stdout.strip()
    assert first.stdout == key + "\n" and len(base64.b64decode(key, validate=True)) == 32
    assert key != second.stdout.strip()
    advice = first.stderr.splitlines()
    assert len(advice) == 1 and "password manager" in advice[0] and "export CASETRAIL_KEY=" in advice[0]

    keyed(url, key)("person add mamay-zhanbolat --name 'Zhanbolat Mamay' --place Almaty")
    assert keyed(url, key).json("person list")[0]["name"] == "Zhanbolat Mamay"
    assert "is not the key it was written with" in keyed(url, second.stdout.strip()).error("person list")
    assert b"Zhanbolat" not in Path(url).read_bytes() and b"Almaty" not in Path(url).read_bytes()
    assert "Example: export CASETRAIL_KEY=$(casetrail key new)" in Cli(url).help("key new")


def test_verify_on_an_encrypted_store_catches_a_changed_row(store_url, monkeypatch):
    key = new_key()
    cli = keyed(store_url, key)
    cli(["import", str(DATASET)])
    assert cli.json("verify")["sound"] is True
    monkeypatch.setenv("CASETRAIL_KEY", key)
    app = Casetrail(store_url, recorded_by="tests")
    raw = Raw(store_url)
    raw.drop_triggers()
    stream = [row for row in raw.rows() if uuid.UUID(str(row[0])) == person_id("omarov-aslanbek")]
    (_, changed, _, state), (_, damaged, _, other) = stream[2], stream[4]

    # An intruder who has the key rewrites a fact, sealed as casetrail would seal it...
    fact = orjson.loads(app.mapper.decode_state(state))
    forged = app.mapper.cipher.encrypt(app.mapper.compressor.compress(orjson.dumps({**fact, "note": "changed"})))
    update = f"UPDATE {raw.table} SET state = ? WHERE originator_id = ? AND originator_version = ?"
    raw.run(update, forged, stream[0][0], changed)
    report = orjson.loads(cli("verify --json", ok=False).stdout)
    app.close()

    assert report["sound"] is False
    assert [(b["stream"], b["version"]) for b in report["breaks"]] == [("omarov-aslanbek", changed + 1)]
    assert f"version {changed} was changed" in report["breaks"][0]["problem"]

    # ...and one without it can only damage the ciphertext: that row, not the key, is reported.
    flipped = bytearray(bytes(other))
    flipped[-1] ^= 1
    raw.drop_triggers()  # each command puts them back on opening
    raw.run(update, bytes(flipped), stream[0][0], damaged)
    report = orjson.loads(cli("verify --json", ok=False).stdout)

    assert ("omarov-aslanbek", damaged) in [(b["stream"], b["version"]) for b in report["breaks"]]
    assert any(b["version"] == damaged and "cannot be read" in b["problem"] for b in report["breaks"])
    assert "cannot be read (changed or damaged after it was written); run 'casetrail verify'" in \
        cli.error("show omarov-aslanbek")
    assert cli.json("show nurgeldin-faizulla")["person"] == "nurgeldin-faizulla"  # the others still read


def test_views_made_without_encryption_are_rebuilt_sealed(store_url):
    Casetrail(store_url, recorded_by="tests").close()  # an empty store (reading commands no longer create one)
    keyed(store_url, None)("lists")  # plaintext read models, no events yet
    cli = keyed(store_url, new_key())
    cli(["import", str(DATASET)])

    first, second = cli("lists"), cli("lists")

    assert first.stderr == "Note: the views were made without encryption: rebuilding them\n"
    assert second.stderr == ""
    cli("person list")
    assert leaks(store_url) == set()
