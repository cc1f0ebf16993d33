"""The store-wide log and its signed checkpoints, tampered with as an intruder holding the database
would (triggers dropped, raw SQL), on both stores: each change is caught and named."""

from __future__ import annotations

import os
import subprocess
import sys

import orjson
import pytest

from casetrail.store.notes import Signer
from tests.cli.conftest import Cli, record_script
from tests.integration.test_integrity import Raw

SIGNER = Signer.new("aqtobe-desk")
INTRUDER = Signer.new("aqtobe-desk")  # same name, another key: what someone forging a checkpoint would make


@pytest.fixture
def sealed(store_url, monkeypatch, tmp_path):
    """The three Aqtobe cases, sealed by one checkpoint kept elsewhere too (a file)."""
    monkeypatch.setenv("CASETRAIL_SIGNING_KEY", SIGNER.text)
    cli = record_script(Cli(store_url))
    note = cli("checkpoint").stdout
    kept = tmp_path / "checkpoint.txt"
    kept.write_text(note)
    raw = Raw(store_url)
    raw.drop_triggers()
    yield cli, raw, kept
    monkeypatch.delenv("CASETRAIL_SIGNING_KEY")


def report(cli: Cli, extra: str = "") -> dict:
    result = cli(f"verify --trust {SIGNER.verifier.text} {extra} --json", ok=False)
    return orjson.loads(result.stdout)


def breaks(cli: Cli, extra: str = "") -> list[tuple[str, int, str]]:
    found = report(cli, extra)
    assert found["sound"] is False, found
    return [(b["stream"], b["version"], b["problem"]) for b in found["breaks"]]


def test_a_sealed_store_verifies_sound_with_its_signer_trusted(sealed):
    cli, raw, kept = sealed

    found = report(cli, f"--against {kept}")

    assert found["sound"] and found["unchecked"] == []
    assert (found["checkpoints"], found["sealed"], found["not_yet_sealed"]) == (1, 20, 0)


def test_events_after_the_latest_checkpoint_are_named_not_yet_sealed(sealed):
    cli, _, _ = sealed

    cli("record omarov-aslanbek noted --on 2024-09 --text 'interviewed' --source rferl-omarov")
    found = report(cli)

    assert found["sound"] and (found["sealed"], found["not_yet_sealed"]) == (20, 1)
    assert "not yet sealed: 1" in cli(f"verify --trust {SIGNER.verifier.text}").stdout


def test_a_changed_newest_event_of_a_stream_is_named_without_any_stamp(sealed):
    cli, raw, _ = sealed
    stream, version, _, state = raw.stream_of("nurgeldin-faizulla")[-1]

    raw.set_state(stream, version, {**orjson.loads(state), "cause": "natural causes"})

    assert [(s, v) for s, v, _ in breaks(cli)] == [("nurgeldin-faizulla", version)]
    assert "not what checkpoint sealed" in breaks(cli)[0][2]


def test_a_changed_middle_event_is_named_by_its_leaf_and_its_stream(sealed):
    cli, raw, _ = sealed
    stream, version, _, state = raw.stream_of("omarov-aslanbek")[2]

    raw.set_state(stream, version, {**orjson.loads(state), "place": "somewhere else"})

    assert {(s, v) for s, v, _ in breaks(cli)} == {("omarov-aslanbek", version), ("omarov-aslanbek", version + 1)}


def test_a_deleted_stream_is_named_position_by_position(sealed):
    cli, raw, _ = sealed
    rows = raw.stream_of("zhubanazarov-ruslanbek")

    raw.run(f"DELETE FROM {raw.table} WHERE originator_id = ?", rows[0][0])
    found = breaks(cli)

    assert len(found) == len(rows) and all("no longer in the store (deleted)" in p for _, _, p in found)
    assert all(s.startswith("position ") for s, _, _ in found)


def test_the_newest_events_of_the_store_deleted_are_caught(sealed):
    cli, raw, _ = sealed
    order = "notification_id" if raw.postgres else "rowid"

    newest = raw.run(f"SELECT {order} FROM {raw.table} ORDER BY {order} DESC LIMIT 3")
    for (position,) in newest:
        raw.run(f"DELETE FROM {raw.table} WHERE {order} = ?", position)

    assert sorted(s for s, _, _ in breaks(cli)) == sorted(f"position {p}" for (p,) in newest)


def test_two_events_swapped_in_order_are_both_named(sealed):
    cli, raw, _ = sealed
    first, second = raw.stream_of("omarov-aslanbek")[1:3]
    temporary = -1

    raw.run(f"UPDATE {raw.table} SET originator_version = ? WHERE originator_id = ? AND originator_version = ?",
            temporary, first[0], first[1])
    raw.run(f"UPDATE {raw.table} SET originator_version = ? WHERE originator_id = ? AND originator_version = ?",
            first[1], second[0], second[1])
    raw.run(f"UPDATE {raw.table} SET originator_version = ? WHERE originator_id = ? AND originator_version = ?",
            second[1], first[0], temporary)
    sealed_breaks = [(s, v) for s, v, p in breaks(cli) if "not what checkpoint sealed" in p]

    assert sealed_breaks == [("omarov-aslanbek", first[1]), ("omarov-aslanbek", second[1])] or \
        sorted(sealed_breaks) == sorted([("omarov-aslanbek", first[1]), ("omarov-aslanbek", second[1])])


def test_a_rolled_back_store_is_caught_by_the_checkpoint_kept_elsewhere(sealed, tmp_path):
    cli, raw, _ = sealed
    cli("record omarov-aslanbek noted --on 2024-09 --text 'interviewed' --source rferl-omarov")
    newer = tmp_path / "newer.txt"
    newer.write_text(cli("checkpoint").stdout)  # kept elsewhere, then the store is rolled back
    order = "notification_id" if raw.postgres else "rowid"
    (newest,) = raw.run(f"SELECT max({order}) FROM {raw.table}")[0]
    raw.drop_triggers()  # opening the store again put them back

    raw.run(f"DELETE FROM {raw.table} WHERE {order} = ?", newest)
    found = breaks(cli, f"--against {newer}")

    assert any("fewer than the 21 the checkpoint given with --against sealed" in p for _, _, p in found)
    assert (f"position {newest}", 0) in [(s, v) for s, v, _ in found]


def test_a_checkpoint_signed_by_another_key_is_not_trusted(sealed, tmp_path):
    cli, raw, kept = sealed
    note = kept.read_text()
    forged = INTRUDER.sign(note[: note.rindex("\n\n") + 1])
    path = tmp_path / "forged.txt"
    path.write_text(forged)

    found = breaks(cli, f"--against {path}")

    assert [p for _, _, p in found] == ["the checkpoint of size 20 (" + found[0][2].split("(", 1)[1]]
    assert "is not signed by a trusted key" in found[0][2]


def test_a_proof_is_checked_by_a_process_with_no_store(sealed, tmp_path):
    cli, _, _ = sealed
    event = cli.json("show nurgeldin-faizulla")["events"][-1]["id"]
    proof = tmp_path / "proof.json"
    proof.write_text(cli(f"prove {event} --json").stdout)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASETRAIL")}
    command = [sys.executable, "-m", "casetrail.cli.main", "--db", str(tmp_path / "none.db"), "verify",
               "--proof", str(proof), "--trust", SIGNER.verifier.text]

    good = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    data = orjson.loads(proof.read_text())
    changed = data["event"]["state"][:-1] + ',"note":"added later"}'
    proof.write_text(orjson.dumps({**data, "event": {**data["event"], "state": changed}}).decode())
    bad = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)

    assert good.returncode == 0 and "proof holds" in good.stdout, good.stderr
    assert bad.returncode == 1 and "the event as given (its JSON, its place) is not leaf" in bad.stderr
    assert not (tmp_path / "none.db").exists()


def test_the_database_refuses_to_change_sealed_leaves_and_checkpoints(sealed):
    cli, raw, _ = sealed
    prefix = f'"{raw.schema}".' if raw.postgres else ""

    for table in ("casetrail_log_leaves", "casetrail_checkpoints"):
        with pytest.raises(Exception, match="append-only"):
            raw.run(f"DELETE FROM {prefix}{table}")


def test_a_forged_event_with_a_correct_plain_link_on_an_encrypted_store_is_caught(store_url, monkeypatch):
    """An intruder without CASETRAIL_KEY appends a retraction of Omarov's detention, carrying the
    link a plaintext store would accept: it cannot be sealed like the store's own events."""
    from casetrail.domain.chain import link

    from casetrail.store.application import Casetrail
    from tests.integration.test_encryption import new_key

    monkeypatch.setenv("CASETRAIL_KEY", new_key())
    monkeypatch.setenv("CASETRAIL_SIGNING_KEY", SIGNER.text)
    cli = record_script(Cli(store_url))
    cli("checkpoint")
    app = Casetrail(store_url, recorded_by=None)
    person = app.person("omarov-aslanbek")
    head = person.last_event
    detention = next(e for e in person.history if e.type == "detained")
    state = {"id": "6f1c2a4e-0000-4000-8000-000000000001", "event_id": str(detention.id), "reason": "never held",
             "previous": link(head.originator_id.hex, head.originator_version,
                              "casetrail.domain.events:Retracted", orjson.loads(app.mapper.decode_state(
                                  app.recorder.select_events(head.originator_id, gt=head.originator_version - 1)[0]
                                  .state))),
             "timestamp": "2025-01-01T00:00:00+00:00"}
    app.close()
    raw = Raw(store_url)
    columns = "(originator_id, originator_version, topic, state)"
    raw.run(f"INSERT INTO {raw.table} {columns} VALUES (?, ?, ?, ?)", head.originator_id.hex if not raw.postgres
            else head.originator_id, head.originator_version + 1, "casetrail.domain.events:Retracted",
            orjson.dumps(state))

    found = breaks(cli)

    assert [(s, v) for s, v, _ in found] == [("omarov-aslanbek", head.originator_version + 1)]
    assert "cannot be read" in found[0][2]


@pytest.mark.parametrize("line, expected", [
    ("checkpoint", "set CASETRAIL_SIGNING_KEY to a signing key"),
    ("prove 0000", "has no checkpoint yet"),
    ("verify --trust aqtobe-desk", "is not a public key"),
    ("verify --proof nowhere.json", "--proof nowhere.json: cannot read it"),
])
def test_bad_sealing_commands_get_one_line(store_url, monkeypatch, line, expected):
    monkeypatch.delenv("CASETRAIL_SIGNING_KEY", raising=False)
    cli = record_script(Cli(store_url))

    assert expected in cli.error(line)


def test_an_unsealed_event_or_an_unknown_id_cannot_be_proved(sealed):
    cli, _, _ = sealed
    later = cli.json("record omarov-aslanbek noted --on 2024-09 --text 'interviewed' --source rferl-omarov")["id"]

    assert "is not sealed yet: run 'casetrail checkpoint'" in cli.error(f"prove {later}")
    assert "no event 0bad" in cli.error("prove 0bad")


def test_reading_commands_refuse_views_ahead_of_a_truncated_log_until_rebuilt(sealed):
    cli, raw, _ = sealed
    assert cli.json("lists --as-of 2024-12-31")["lists"]  # the views, caught up with all 20 events
    order = "notification_id" if raw.postgres else "rowid"
    newest = raw.run(f"SELECT {order} FROM {raw.table} ORDER BY {order} DESC LIMIT 3")
    raw.drop_triggers()

    for (position,) in newest:
        raw.run(f"DELETE FROM {raw.table} WHERE {order} = ?", position)
    refusals = [cli.error(line) for line in ("lists", "list fatalities", "people --vital deceased")]
    cli("projections rebuild")

    assert all("the read models were made from 20 events but the log now ends at 17" in r for r in refusals)
    assert cli.json("lists --as-of 2024-12-31")["lists"]


def test_verify_views_names_a_removed_fatality_and_a_changed_name(store_url):
    cli = record_script(Cli(store_url))
    assert cli.json("verify --views")["sound"]  # the views, made as casetrail makes them, match
    raw = Raw(store_url)
    prefix = f'"{raw.schema}".' if raw.postgres else ""
    nurgeldin = raw.run(f"SELECT person FROM {prefix}casetrail_people WHERE key = ?", "nurgeldin-faizulla")[0][0]

    raw.run(f"DELETE FROM {prefix}casetrail_list_periods WHERE list = 'fatalities' AND person = ?", nurgeldin)
    raw.run(f"UPDATE {prefix}casetrail_people SET name = 'Someone Else' WHERE key = 'omarov-aslanbek'")
    found = [(b["stream"], b["problem"]) for b in orjson.loads(cli("verify --views --json", ok=False).stdout)["breaks"]]

    assert ("view casetrail_list_periods", "(nurgeldin-faizulla) a row the events make is not there") in \
        [(s, p.split(":")[0]) for s, p in found]
    assert any(s == "view casetrail_people" and "(omarov-aslanbek) a row the events do not make" in p
               and "name=Someone Else" in p for s, p in found)
