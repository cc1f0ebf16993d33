"""A fact is checked in one place (domain/facts.py), whether it is typed on the command line or read
from a file: the same value is refused with the same words, the field named as the user gave it."""

from __future__ import annotations

import orjson
import pytest

CASES = [
    # type, command-line options, the record's fields, the command line's message, the import's message
    ("compensated", "--on 2024 --amount 0 --currency KZT --source rferl-omarov",
     {"on": "2024", "amount": "0", "currency": "KZT", "source": "rferl-omarov"},
     "compensated: amount '0' must be greater than zero",
     "field 'amount': amount '0' must be greater than zero"),
    ("detained", "--source rferl-omarov", {"source": "rferl-omarov"},
     "detained: --on is required (when it happened, e.g. 2022-01-09 or 2022-01~)",
     "field 'on' is required (when it happened, e.g. 2022-01-09 or 2022-01~)"),
    ("detained", "--on 2022", {"on": "2022"},
     "detained: --source is required (a source key or URL); every fact cites a source",
     "field 'source' is required (a source key or URL); every fact cites a source"),
    ("allegation", "--on 2022 --kind 'beaten up!' --source rferl-omarov",
     {"on": "2022", "kind": "beaten up!", "source": "rferl-omarov"},
     "allegation: 'beaten_up!' must be a short snake_case word such as accidental_victim",
     "field 'kind': 'beaten_up!' must be a short snake_case word such as accidental_victim"),
    ("sentenced", "--on 2023-02 --kind jail --source rferl-omarov",
     {"on": "2023-02", "kind": "jail", "source": "rferl-omarov"},
     # Issue 13's eight kinds of sentence.
     "sentenced: --kind must be 'prison', 'colony', 'restricted_freedom', 'probation', 'suspended', 'fine', 'ban' or "
     "'no_punishment' (got 'jail')",
     "field 'kind': must be 'prison', 'colony', 'restricted_freedom', 'probation', 'suspended', 'fine', 'ban' or "
     "'no_punishment' (got 'jail')"),
]


@pytest.mark.parametrize("type_name, options, fields, typed, imported", CASES)
def test_a_bad_fact_is_refused_in_the_same_words_by_record_and_by_import(omarov, tmp_path, type_name, options,
                                                                          fields, typed, imported):
    path = tmp_path / "facts.jsonl"
    path.write_bytes(orjson.dumps({"record": "event", "person": "omarov-aslanbek", "type": type_name, **fields}))

    on_the_command_line = omarov.error(f"record omarov-aslanbek {type_name} {options}")
    from_a_file = omarov.error(f"import {path}")

    assert on_the_command_line == f"Error: {typed}"
    assert from_a_file == (f"Error: {path} line 1: {type_name} of omarov-aslanbek: {imported}; "
                           "nothing was imported")
    assert omarov.json("show omarov-aslanbek")["events"] == []
