"""User text never reaches SQL unparameterised: names, aliases, places, notes, source titles
and search text that look like SQL (or like LIKE patterns, or hold quotes and control
characters that are allowed) are recorded through the CLI on both stores and come back unchanged from
``show``, ``person list``, ``source list``, ``people --name``, ``list``, ``audit``, ``retract``
and an export imported into a new store; and the events table is still there, whole.

A search for ``%``, ``_`` or ``\\`` finds only the names that hold that character: a LIKE
pattern built from the text without escaping would find everyone.
"""

from __future__ import annotations

import orjson
import pytest

from tests.cli.conftest import Cli, stamped
from tests.conftest import _pg_connect
from tests.integration.test_integrity import Raw

DROP = "Robert'); DROP TABLE stored_events;--"
# key, name, aliases
PEOPLE = [
    ("robert-tables", DROP, ["' OR '1'='1"]),
    ("percent-person", "100% Ali_Khan", ["a\\b", "50%_off\\%"]),
    ("quote-person", "O'Brien “Ruslan” ‘Rus’ «Руслан» „R“ ״ ＇", ['`back` "double" \'single\'']),
    # Control characters, DEL and bidi overrides are refused at input (tests/cli/test_safe_text.py); the
    # invisible characters that remain allowed must still come back as they are.
    ("control-person", "Caret^G Esc[0m Bom\ufeff Nbsp\u00a0Sep", ["Zero\u200bwidth Right\u200fmark"]),
    ("plain-person", "Plain Person", []),
]
TEXTS = [
    DROP,
    "'; DELETE FROM stored_events WHERE '1'='1",
    '"; DROP TABLE casetrail_people; --',
    "%", "_", "\\", "\\%\\_", "' OR '1'='1",
    "$1 :name ? %s %(x)s {0} ${x}",
    "semi; colon -- comment /* block */ */",
    "line one\u2028line two\u2029line three",
    "“double” ‘single’ «angle» „low“ ‚low‘",
    "bell^G backspace^H escape^[[31m vertical\u200btab form\u2060feed",
]
SOURCE_TITLE = "'; DELETE FROM stored_events WHERE '1'='1"
SOURCE_OUTLET = "%_\\ O'Reilly"
SOURCE_URL = "https://example.org/a?q='%20OR%20'1'='1&x=%25_;--"
CITED_URL = "https://example.org/it's;DROP%20TABLE%20stored_events;--"


@pytest.fixture
def recorded(store_url):
    """Everything above recorded through the CLI; returns the CLI and the ids it printed."""
    cli = Cli(store_url)
    cli(["source", "add", "src-sql", "--url", SOURCE_URL, "--outlet", SOURCE_OUTLET, "--title", SOURCE_TITLE,
         "--published", "2024-09-01"])
    ids: dict[str, list[str]] = {}
    for n, (key, name, aliases) in enumerate(PEOPLE):
        text = TEXTS[n % len(TEXTS)]
        cli(["person", "add", key, "--name", name, *[a for alias in aliases for a in ("--alias", alias)],
             "--place", text, "--note", TEXTS[(n + 1) % len(TEXTS)]])
        ids[key] = [cli(line).stdout.strip() for line in (
            ["record", key, "detained", "--on", "2022-01-09", "--place", text, "--by", TEXTS[(n + 2) % len(TEXTS)],
             "--facility", TEXTS[(n + 3) % len(TEXTS)], "--source", "src-sql", "--note", TEXTS[(n + 4) % len(TEXTS)]],
            ["record", key, "noted", "--on", "2022-02", "--text", TEXTS[(n + 5) % len(TEXTS)], "--source", CITED_URL],
            ["record", key, "designated", "--on", "2022-03", "--designation", "accidental_victim",
             "--by", TEXTS[(n + 6) % len(TEXTS)], "--source", "src-sql", "--group", TEXTS[(n + 7) % len(TEXTS)][:40]],
            ["record", key, "compensated", "--on", "2024-08-31", "--amount", "3500000", "--currency", "KZT",
             "--payer", TEXTS[(n + 8) % len(TEXTS)], "--source", "src-sql"],
        )]
    return cli, ids


def json_of(cli: Cli, args: list[str]):
    """A command's JSON output, its arguments passed as they are (no shell quoting in between)."""
    return orjson.loads(cli([*args, "--json"]).stdout)


def texts_of(n: int) -> dict[str, str]:
    def t(k: int) -> str:
        return TEXTS[(n + k) % len(TEXTS)].strip()  # text fields are stored stripped

    return {"place": t(0), "note": t(1), "by": t(2), "facility": t(3), "fact_note": t(4), "text": t(5),
            "designated_by": t(6), "group": TEXTS[(n + 7) % len(TEXTS)][:40].strip(), "payer": t(8)}


def test_sql_like_text_comes_back_unchanged_from_every_reading_command(recorded, store_url):
    cli, ids = recorded

    for n, (key, name, aliases) in enumerate(PEOPLE):
        t = texts_of(n)
        shown = cli.json(f"show {key}")
        assert (shown["name"], shown["aliases"]) == (name, aliases)
        detained, noted, designated, compensated = shown["events"]
        assert [detained["id"], noted["id"], designated["id"], compensated["id"]] == ids[key]
        assert (detained["place"], detained["by"], detained["facility"], detained["note"]) == (
            t["place"], t["by"], t["facility"], t["fact_note"])
        assert noted["text"] == t["text"] and noted["source"].startswith("example-org-")
        assert (designated["by"], designated["group"], compensated["payer"]) == (t["designated_by"], t["group"],
                                                                                 t["payer"])
        audit = cli.json(f"audit {key}")
        assert {change["by"] for change in audit["changes"] if change["event_type"] == "detained"} == {t["by"]}
        assert {change["by"] for change in audit["changes"] if change["event_type"] == "designated"} == {
            t["designated_by"]}

    listed = {row["person"]: row for row in cli.json("person list")}
    assert {key: (row["name"], row["aliases"], row["place"]) for key, row in listed.items()} == {
        key: (name, aliases, texts_of(n)["place"]) for n, (key, name, aliases) in enumerate(PEOPLE)}
    sources = {row["source"]: row for row in cli.json("source list")}
    assert (sources["src-sql"]["title"], sources["src-sql"]["outlet"], sources["src-sql"]["url"]) == (
        SOURCE_TITLE, SOURCE_OUTLET, SOURCE_URL)
    assert [row["url"] for key, row in sources.items() if key != "src-sql"] == [CITED_URL]
    members = cli.json("list accidental_victims")["members"]
    assert {m["person"]: m["name"] for m in members} == {key: name for key, name, _ in PEOPLE}


SEARCHES = [
    ("%", {"percent-person"}),
    ("_", {"percent-person", "robert-tables"}),  # Ali_Khan, stored_events
    ("\\", {"percent-person"}),
    ("\\%", {"percent-person"}),
    ("%_off", {"percent-person"}),
    ("' OR '1'='1", {"robert-tables"}),
    ("drop table stored_events", {"robert-tables"}),
    ("'); drop", {"robert-tables"}),
    ("o'brien “ruslan”", {"quote-person"}),
    ("«руслан»", {"quote-person"}),
    ("\u00a0", {"control-person"}),
    ("esc[0m", {"control-person"}),
    ("zero\u200bwidth", {"control-person"}),
    ("person", {"plain-person"}),
    ("'", {"robert-tables", "quote-person"}),
    ("nobody has this", set()),
]


def test_a_search_by_name_treats_its_text_as_text(recorded):
    cli, _ = recorded

    for text, expected in SEARCHES:
        now = json_of(cli, ["people", "--name", text])
        then = json_of(cli, ["people", "--name", text, "--as-of", "2024-01-01", "--known-at", "2099-01-01"])

        assert expected == {key for key, name, aliases in PEOPLE
                            if text.casefold() in " | ".join([name, *aliases]).casefold()}, text
        assert {p["person"] for p in now["people"]} == expected, text
        assert {p["person"] for p in then["people"]} == expected, text
        assert now["filters"]["name"] == text


def test_a_retraction_reason_and_an_export_imported_elsewhere_keep_the_text(recorded, store_url, tmp_path):
    cli, ids = recorded
    retraction = json_of(cli, ["retract", "plain-person", ids["plain-person"][1], "--reason", DROP,
                                "--source", "src-sql"])
    assert retraction["reason"] == DROP
    exported = tmp_path / "cases.jsonl"
    cli(f"export -o {exported}")
    records = [orjson.loads(line) for line in exported.read_bytes().splitlines()]
    assert DROP in {r.get("reason") for r in records} and SOURCE_TITLE in {r.get("title") for r in records}

    copy_url = f"{store_url}_copy" if store_url.startswith("postgresql") else str(tmp_path / "copy.db")
    try:
        copy = Cli(copy_url)
        summary = copy.json(f"import {exported}")
        again = tmp_path / "again.jsonl"
        copy(f"export -o {again}")

        assert summary["problems"] == [] and summary["events_added"] == sum(map(len, ids.values())) + 1
        # The same records, each event stamped with the import's batch; sources come out in the
        # order the import registered them (by key).
        def ordered(records: list[dict]) -> list[bytes]:
            return sorted(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in records)
        assert ordered(map(orjson.loads, again.read_bytes().splitlines())) == ordered(
            stamped(exported.read_text(encoding="utf-8"), summary["batch"]))
        for key, _, _ in PEOPLE:
            assert copy.json(f"show {key}") == cli.json(f"show {key}")
        assert copy.json("person list") == cli.json("person list")
        assert sources_without_time(copy) == sources_without_time(cli)
    finally:
        if store_url.startswith("postgresql"):
            with _pg_connect() as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{copy_url.split("schema=")[1]}" CASCADE')


def sources_without_time(cli: Cli) -> list[tuple]:
    """The sources, without when they were registered (an import registers them anew)."""
    return sorted((r["source"], r["url"], r["title"], r["outlet"]) for r in cli.json("source list"))


def test_the_events_table_is_still_there_and_whole(recorded, store_url):
    cli, ids = recorded
    json_of(cli, ["people", "--name", DROP])

    rows = Raw(store_url).rows()
    report = cli.json("verify")

    registrations = len(PEOPLE) + 2  # and the two sources
    assert len(rows) == registrations + sum(map(len, ids.values()))
    assert report["sound"] is True and report["events"] == len(rows)
    assert [p["person"] for p in cli.json("person list")] == [key for key, _, _ in PEOPLE]
