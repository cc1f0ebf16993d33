"""Sources preserved as evidence: a copy kept (encrypted when the store is), given back, listed,
checked by verify, carried by export as hashes (and files with --with-files), on both stores."""

from __future__ import annotations

import hashlib

import orjson
import pytest
from typer.testing import CliRunner

from tests.cli.conftest import Cli
from tests.integration.test_encryption import new_key
from tests.integration.test_integrity import Raw

# RFE/RL's report on Aslanbek Omarov's compensation (the dataset's source), as a saved page would begin.
PAGE = ("<html><head><title>Kazakh Court Awards Compensation To Man Wrongly Detained During Unrest In "
        "January 2022</title></head><body>Aslanbek Omarov ...</body></html>").encode()
URL = "https://www.rferl.org/a/kazakhstan-compensation-aqtobe-man-jaunuary-/32573146.html"


@pytest.fixture
def kept(store_url, tmp_path):
    page = tmp_path / "rferl-omarov.html"
    page.write_bytes(PAGE)
    cli = Cli(store_url)
    cli(f'source add rferl-omarov --url {URL} --outlet "RFE/RL" --file {page} --captured 2024-09-01T10:00:00Z')
    return cli, tmp_path


def files_table(raw: Raw) -> str:
    return f'"{raw.schema}".casetrail_files' if raw.postgres else "casetrail_files"


def test_a_kept_copy_comes_back_byte_for_byte_and_is_listed(kept):
    cli, folder = kept

    cli(f"source get rferl-omarov -o {folder / 'back.html'}")
    listed = cli.json("source list")[0]

    assert (folder / "back.html").read_bytes() == PAGE
    assert listed["copies"][0]["sha256"] == hashlib.sha256(PAGE).hexdigest()
    assert (listed["copies"][0]["media_type"], listed["copies"][0]["size"]) == ("text/html", len(PAGE))
    assert listed["copies"][0]["captured_at"].startswith("2024-09-01T10:00:00")
    assert hashlib.sha256(PAGE).hexdigest()[:12] in cli.text("source list")
    assert cli.json("verify")["sound"]


def test_verify_names_a_changed_and_a_deleted_copy(kept):
    cli, _ = kept
    raw = Raw(cli.url)
    table = files_table(raw)
    raw.run(f"DROP TRIGGER casetrail_files_no_update" if not raw.postgres else
            f"DROP TRIGGER casetrail_files_append_only ON {table}")

    raw.run(f"UPDATE {table} SET content = ?", PAGE.replace(b"Omarov", b"Someone"))
    changed = orjson.loads(cli("verify --json", ok=False).stdout)["breaks"]

    assert [(b["stream"], b["version"]) for b in changed] == [("rferl-omarov", 2)]
    assert "was changed after it was stored" in changed[0]["problem"]
    assert "was changed after it was stored" in cli.error("source get rferl-omarov -o -")

    if not raw.postgres:  # on PostgreSQL the one statement trigger refused both, and is gone
        raw.run("DROP TRIGGER casetrail_files_no_delete")
    raw.run(f"DELETE FROM {table}")
    deleted = orjson.loads(cli("verify --json", ok=False).stdout)["breaks"]

    assert [(b["stream"], b["version"]) for b in deleted] == [("rferl-omarov", 2)]
    assert "is missing from the store (deleted)" in deleted[0]["problem"]


def test_a_copy_is_encrypted_with_the_store(store_url, tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(PAGE)
    cli = Cli(store_url)
    cli.runner = CliRunner(env={"CASETRAIL_KEY": new_key()})
    cli(f'source add rferl-omarov --url {URL} --file {page}')
    raw = Raw(store_url)

    (stored,) = raw.run(f"SELECT content FROM {files_table(raw)}")[0]

    assert b"Omarov" not in bytes(stored)
    assert cli("source get rferl-omarov -o -").stdout_bytes == PAGE
    assert cli.json("verify")["sound"]


def test_export_carries_the_hashes_and_with_files_the_copies_but_redacted_neither(kept):
    cli, folder = kept
    (folder / "evidence").mkdir()

    cli(f"export -o {folder / 'all.jsonl'} --with-files {folder / 'evidence'}")
    source = orjson.loads((folder / "all.jsonl").read_text().splitlines()[0])
    redacted = cli("export --redact").stdout

    assert [c["sha256"] for c in source["copies"]] == [hashlib.sha256(PAGE).hexdigest()]
    assert (folder / "evidence" / hashlib.sha256(PAGE).hexdigest()).read_bytes() == PAGE
    assert "copies" not in redacted and hashlib.sha256(PAGE).hexdigest() not in redacted
    assert "no --redact" in cli.error(f"export --redact --with-files {folder / 'evidence'}")


def test_importing_an_export_says_which_copies_it_did_not_bring(kept, second_url):
    cli, folder = kept
    cli(f"export -o {folder / 'all.jsonl'}")

    summary = Cli(second_url).json(f"import {folder / 'all.jsonl'}")

    assert (summary["sources_added"], summary["copies_not_imported"]) == (1, 1)


def test_a_file_over_the_size_limit_or_missing_is_refused_and_nothing_is_written(kept, monkeypatch):
    cli, folder = kept
    big = folder / "video.mp4"
    big.write_bytes(b"\0" * (1024 * 1024 + 1))
    cli.runner = CliRunner(env={"CASETRAIL_MAX_FILE_MB": "1"})

    too_big = cli.error(f"source attach rferl-omarov {big}")
    missing = cli.error(f"source attach rferl-omarov {folder / 'nowhere.pdf'}")

    assert "more than the 1 MB a store takes; set CASETRAIL_MAX_FILE_MB" in too_big
    assert "is not a file" in missing
    assert len(cli.json("source list")[0]["copies"]) == 1
