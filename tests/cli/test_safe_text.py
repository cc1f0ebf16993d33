"""Text that cannot be stored or shown safely is refused at input, on every path (issue 11, item 1).

A NUL in a name used to be stored; on PostgreSQL every list command and ``projections
rebuild`` then failed for good. Now a control character, DEL, a C1 control, a bidi
override or a lone surrogate in any text field is refused with one line naming the field,
and nothing is stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Cli

REFUSED = {
    "NUL": "\x00", "bell": "\x07", "escape": "\x1b", "DEL": "\x7f", "C1 next line": "\x85",
    "right-to-left override": "\u202e", "first strong isolate": "\u2068",
}


def _nothing_new_and_readable(cli: Cli) -> None:
    """Nothing stored beside the store's one person, and the views answer (on PostgreSQL a
    stored NUL made them fail)."""
    assert [p["person"] for p in cli.json("person list")] == ["omarov-aslanbek"]
    assert cli("lists").exit_code == 0
    assert cli("projections rebuild").exit_code == 0


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
def test_a_control_character_in_a_name_is_refused_and_nothing_is_stored(omarov, char):
    error = omarov.error(["person", "add", "nurgeldin-faizulla", "--name", f"Faizulla{char}Nurgeldin"])

    assert error.startswith("Error: person nurgeldin-faizulla: --name contains U+")
    assert "at character 9; remove it" in error
    assert char not in error  # echoed as an escape, never as the character itself
    _nothing_new_and_readable(omarov)


@pytest.mark.parametrize("flag", ["--alias", "--place", "--note"])
def test_a_nul_in_any_field_of_a_person_is_refused_naming_the_field(omarov, flag):
    error = omarov.error(["person", "add", "nurgeldin-faizulla", "--name", "Faizulla Nurgeldin", flag, "Almaty\x00"])

    assert error.startswith(f"Error: person nurgeldin-faizulla: {flag} contains U+0000 (a control character)")
    _nothing_new_and_readable(omarov)


def test_a_nul_in_a_fact_is_refused_and_the_lists_keep_working(omarov):
    facts_before = omarov.json("show omarov-aslanbek")["events"]

    by = omarov.error(["record", "omarov-aslanbek", "detained", "--on", "2022-01-09", "--source", "rferl-omarov",
                       "--by", "police\x00"])
    note = omarov.error(["record", "omarov-aslanbek", "noted", "--on", "2022-01-09", "--source", "rferl-omarov",
                         "--text", "held", "--note", "a\x00b"])

    assert by.startswith("Error: detained: --by contains U+0000 (a control character) at character 7")
    assert note.startswith("Error: noted: --note contains U+0000")
    assert omarov.json("show omarov-aslanbek")["events"] == facts_before
    assert omarov("list in_custody").exit_code == 0
    assert omarov("projections rebuild").exit_code == 0


def test_a_note_keeps_its_tabs_and_line_breaks_and_a_windows_line_break_becomes_one(omarov):
    omarov(["record", "omarov-aslanbek", "noted", "--on", "2022-01-09", "--source", "rferl-omarov",
            "--text", "held\tin Aqtobe", "--note", "first line\r\nsecond line"])

    fact = omarov.json("show omarov-aslanbek")["events"][-1]

    assert (fact["text"], fact["note"]) == ("held\tin Aqtobe", "first line\nsecond line")


def test_a_line_break_in_a_name_is_refused(cli):
    error = cli.error(["person", "add", "nurgeldin-faizulla", "--name", "Faizulla\nNurgeldin"])

    assert "--name contains U+000A (a control character) at character 9" in error


def test_a_nul_in_a_source_is_refused(omarov):
    error = omarov.error(["source", "add", "rferl-zhubanazarov", "--title", "Kazakh\x00Court"])

    assert error.startswith("Error: source rferl-zhubanazarov: --title contains U+0000 (a control character)")
    assert [s["source"] for s in omarov.json("source list")] == ["rferl-omarov"]


@pytest.mark.parametrize("record, field", [
    ({"record": "person", "key": "nurgeldin-faizulla", "name": "Faizulla\u0000Nurgeldin"}, "name"),
    ({"record": "source", "key": "rferl-x", "outlet": "RFE\u0000RL"}, "outlet"),
    ({"record": "event", "person": "omarov-aslanbek", "type": "detained", "on": "2022-01-09",
      "source": "rferl-omarov", "place": "Aqtobe\u0000"}, "place"),
    ({"record": "event", "person": "omarov-aslanbek", "type": "detained", "on": "2022-01-09",
      "source": "rferl\u0000omarov"}, "source"),
])
def test_a_json_import_with_a_nul_is_refused_whole_naming_the_field(omarov, tmp_path: Path, record, field):
    path = tmp_path / "cases.json"
    good = {"record": "person", "key": "mamay-zhanbolat", "name": "Zhanbolat Mamay"}
    path.write_text(json.dumps([good, record]))  # json writes the NUL as \u0000

    error = omarov.error(f"import {path}")

    assert "record #2" in error and f"field '{field}': contains U+0000 (a control character)" in error
    assert [p["person"] for p in omarov.json("person list")] == ["omarov-aslanbek"]
    assert omarov("lists").exit_code == 0
    assert omarov("projections rebuild").exit_code == 0
