"""``people --name`` finds a person in any script, on both stores, with and without encryption:
a name typed in Cyrillic finds the record written in Latin letters and back, Kazakh letters
included, in any case and with accents or none. On an encrypted store the transliterated names
are sealed like the names themselves (none is stored in plaintext)."""

from __future__ import annotations

import pytest

from tests.integration.test_encryption import keyed, new_key, tables

PEOPLE = [("person-a", "Person A Omarov", []), ("person-b", "Персона Б Қасымова", []),
          ("person-c", "Person C Shyngys", ["Ömer Tokayev"])]
SEARCHES = [("Омаров", {"person-a"}), ("OMAROV", {"person-a"}), ("Kasymova", {"person-b"}),
            ("qasymova персона", {"person-b"}), ("Шыңғыс", {"person-c"}), ("Тоқаев", {"person-c"}),
            ("omer", {"person-c"}), ("person", {"person-a", "person-b", "person-c"}), ("Персона", {"person-b"}),
            ("Nobody", set())]


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "with-key"])
def test_a_name_typed_in_either_script_finds_the_person_now_and_at_a_date(store_url, encrypted):
    cli = keyed(store_url, new_key() if encrypted else None)
    cli("source add src-a --url https://example.org/a")
    for key, name, aliases in PEOPLE:
        cli(["person", "add", key, "--name", name, *[a for alias in aliases for a in ("--alias", alias)]])
        cli(f"record {key} detained --on 2022-01-09 --source src-a")

    for text, expected in SEARCHES:
        now = cli.json(f"people --name '{text}'")["people"]
        then = cli.json(f"people --name '{text}' --as-of 2022-02-01 --custody detained")["people"]

        assert {p["person"] for p in now} == expected, text
        assert {p["person"] for p in then} == expected, text
    if encrypted:
        stored = " ".join(tables(store_url)["casetrail_people"]).casefold()
        assert "omarov" not in stored and "kasimova" not in stored and "tokaev" not in stored
