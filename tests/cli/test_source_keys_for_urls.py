"""A source cited by its URL gets a key. On an encrypted store that key must not confirm a guessed URL
(the article's address often names the person): it is an HMAC under a secret derived from
CASETRAIL_KEY. A URL registered under the older key (host and SHA-256) is still found by it."""

from __future__ import annotations

import hashlib

from casetrail.store.application import key_for_url
from tests.integration.test_encryption import keyed, new_key, stored_bytes

URL = "https://www.rferl.org/a/kazakhstan-omarov-compensation/33000000.html"
IMPORTED = f"""
events:
  - person: omarov-aslanbek
    type: released
    on: 2022-02-01
    source: {URL}
"""


def registered(cli):
    cli('person add omarov-aslanbek --name "Aslanbek Omarov"')
    return cli


def cited(cli) -> list[str]:
    return [event["source"] for event in cli.json("show omarov-aslanbek")["events"]]


def test_a_url_cited_on_an_encrypted_store_gets_a_key_that_confirms_no_guessed_url(store_url):
    cli = registered(keyed(store_url, new_key()))
    guess = hashlib.sha256(URL.encode()).hexdigest()[:8]

    cli(f"record omarov-aslanbek detained --on 2022-01-09 --source {URL}")

    [source] = cli.json("source list")
    assert source["url"] == URL
    assert guess not in source["source"] and "rferl" not in source["source"]
    assert not any(guess.encode() in stored for stored in stored_bytes(store_url))


def test_the_same_url_cited_again_by_record_and_by_import_finds_the_same_source(store_url, tmp_path):
    cli = registered(keyed(store_url, new_key()))
    cli(f"record omarov-aslanbek detained --on 2022-01-09 --source {URL}")
    file = tmp_path / "more.yaml"
    file.write_text(IMPORTED)

    cli(f"record omarov-aslanbek charged --on 2022-01-10 --charge 'mass riots' --source {URL}")
    cli(f"import {file}")

    [source] = cli.json("source list")
    assert cited(cli) == [source["source"]] * 3


def test_the_key_of_a_url_differs_from_store_to_store_key(store_url, second_url):  # noqa: F811
    first, second = registered(keyed(store_url, new_key())), registered(keyed(second_url, new_key()))

    for cli in (first, second):
        cli(f"record omarov-aslanbek detained --on 2022-01-09 --source {URL}")

    assert first.json("source list")[0]["source"] != second.json("source list")[0]["source"]


def test_a_url_registered_under_its_older_key_is_still_found_by_record_and_import(store_url, tmp_path):
    cli = registered(keyed(store_url, new_key()))
    older = key_for_url(URL)  # the key casetrail gave a URL before: its host and a SHA-256 prefix
    cli(f"source add {older} --url {URL}")
    file = tmp_path / "more.yaml"
    file.write_text(IMPORTED)

    cli(f"record omarov-aslanbek detained --on 2022-01-09 --source {URL}")
    cli(f"import {file}")

    assert [source["source"] for source in cli.json("source list")] == [older]
    assert cited(cli) == [older, older]


def test_a_store_without_encryption_keeps_readable_keys(store_url):
    cli = registered(keyed(store_url, None))

    cli(f"record omarov-aslanbek detained --on 2022-01-09 --source {URL}")

    assert [source["source"] for source in cli.json("source list")] == [key_for_url(URL)]
    assert key_for_url(URL).startswith("rferl-org-")
