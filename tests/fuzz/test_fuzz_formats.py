"""Fuzzing the files of records: keys given twice, YAML anchors and aliases, and any text
through a CSV export and back.

- A file in any format with a key given twice in one record (or a column twice in a CSV
  header) is refused whole, in one line that names the line and says the key is given
  twice; the store is unchanged.
- A YAML file with an anchor or alias anywhere is refused at once, in one line naming its line.
- Any text (names, aliases, notes, texts; often starting with = + - @ tab CR or an
  apostrophe, often holding '|') recorded through the CLI comes back unchanged from
  ``export --format csv`` and ``import`` into an empty store, and no cell of the CSV starts
  with a character that makes a spreadsheet run it as a formula.

The rule for every failing input is that of test_fuzz_inputs.py (``check``).
"""

from __future__ import annotations

import csv
import io
import itertools
import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.store.formats import csv_columns
from tests.cli.conftest import Cli
from tests.fuzz.test_fuzz_inputs import FILE_TEXT, SETTINGS, check, store  # noqa: F401 (fixture)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NAMES = itertools.count(1)


# -- keys given twice --------------------------------------------------------------------------------------

PERSON = st.fixed_dictionaries({"record": st.just("person"), "key": st.sampled_from(["fuzz-a", "fuzz-b"]),
                                "name": FILE_TEXT}, optional={"place": FILE_TEXT, "born": st.just("1985")})


def with_key_twice(record: dict, key: str, value: str, fmt: str) -> bytes:
    """One record as a file in ``fmt``, with ``key`` written a second time (``value``) after the others."""
    if fmt == "csv":
        columns = [*record, key]
        out = io.StringIO()
        csv.writer(out).writerows([columns, [*map(str, record.values()), value]])
        return out.getvalue().encode()
    pairs = ", ".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in [*record.items(),
                                                                                        (key, value)])
    if fmt == "jsonl":
        return ("{" + pairs + "}\n").encode()
    if fmt == "json":
        return ("[\n{" + pairs + "}\n]").encode()
    body = {k: v for k, v in record.items() if k != "record"}
    lines = yaml.safe_dump([body], allow_unicode=True, width=10_000).splitlines()
    return ("persons:\n" + "\n".join("  " + line for line in lines) + f"\n    {key}: {json.dumps(value)}\n").encode()


@SETTINGS
@given(data=st.data())
def test_a_key_given_twice_in_any_format_is_refused_in_one_line(store, tmp_path, data):
    fmt = data.draw(st.sampled_from(["yaml", "json", "jsonl", "csv"]), label="format")
    record = data.draw(PERSON, label="record")
    key = data.draw(st.sampled_from([k for k in record if k != "record" or fmt == "csv"]), label="key twice")
    path = tmp_path / f"twice.{fmt}"
    path.write_bytes(with_key_twice(record, key, data.draw(FILE_TEXT, label="second value"), fmt))
    before = store.stamp()

    result = store.cli(["import", str(path)], ok=False)

    assert check(store, result, before, f"import {fmt} key twice") == 1
    assert result.stderr.startswith(f"Error: {path} line "), result.stderr
    assert "is given twice" in result.stderr, result.stderr


# -- YAML anchors and aliases ------------------------------------------------------------------------------

def yaml_nodes(text: str) -> list[tuple[int, int]]:
    """Where a value may be anchored: the (line, column) of each value in a block YAML document."""
    places = []
    for number, line in enumerate(text.splitlines()):
        stripped = line.lstrip(" -")
        if ": " in stripped:
            places.append((number, len(line) - len(stripped) + stripped.index(": ") + 2))
        elif line.lstrip().startswith("- "):
            places.append((number, line.index("- ") + 2))
    return places


@SETTINGS
@given(data=st.data())
def test_a_yaml_file_with_an_anchor_or_alias_anywhere_is_refused_in_one_line(store, tmp_path, data):
    records = data.draw(st.lists(PERSON, min_size=1, max_size=4), label="records")
    text = yaml.safe_dump({"persons": [{k: v for k, v in r.items() if k != "record"} for r in records]},
                          allow_unicode=True, width=10_000)
    lines = text.splitlines()
    line, column = data.draw(st.sampled_from(yaml_nodes(text)), label="where")
    mark = data.draw(st.sampled_from(["&x ", "&anchor ", "*x", "*x\n"]), label="anchor or alias")
    if mark.startswith("&"):
        lines[line] = lines[line][:column] + mark + lines[line][column:]
    else:  # the value becomes an alias (of an anchor that may not exist: refused all the same)
        lines[line] = lines[line][:column] + mark.strip()
    path = tmp_path / "anchors.yaml"
    path.write_text("\n".join(lines) + "\n")
    before = store.stamp()

    result = store.cli(["import", str(path)], ok=False)

    assert check(store, result, before, "import yaml anchor or alias") == 1
    assert "anchors and aliases" in result.stderr or "not valid YAML" in result.stderr, result.stderr
    assert result.stderr.startswith(f"Error: {path} line {line + 1}: "), (result.stderr, lines[line])


# -- any text through a CSV export and back ----------------------------------------------------------------

# Text the model accepts (no control, C1 or bidi characters: test_fuzz_text.py tries those).
# No stored value starts with a tab or CR (the model strips them): the unit tests of
# guard_cell cover cells that do.
STORABLE = st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="\u202a\u202b\u202c\u202d\u202e"
                                                                           "\u2066\u2067\u2068\u2069")
TEXT = st.builds(lambda head, tail: head + tail,
                 st.sampled_from(["", "", "=", "+", "-", "@", "'", "''", "'=", "'@", "a | ", "["]),
                 st.text(STORABLE, min_size=1, max_size=30)).filter(lambda text: text.strip() != "")


@pytest.fixture
def copy(tmp_path):
    return Cli(str(tmp_path / "copy.db"))


@settings(SETTINGS, max_examples=200)  # five commands an example
@given(data=st.data())
def test_any_text_comes_back_unchanged_from_a_csv_export_and_no_cell_is_a_formula(store, copy, tmp_path, data):
    key = f"fuzz-csv-{next(NAMES)}"
    name, note, text = (data.draw(TEXT, label=label) for label in ("name", "note", "text"))
    aliases = data.draw(st.lists(TEXT, max_size=3), label="aliases")
    store.cli(["person", "add", key, f"--name={name}", f"--note={note}", *[f"--alias={a}" for a in aliases]])
    store.cli(["record", key, "noted", "--on", "2022-01", "--source", "fuzz-src", f"--text={text}",
               f"--note={note}"])
    path = tmp_path / "one.csv"
    store.cli(["export", "--person", key, "--format", "csv", "-o", str(path)])
    cells = [cell for row in csv.reader(io.StringIO(path.read_text(), newline="")) for cell in row]

    result = copy(["import", str(path)], ok=False)

    assert result.exit_code == 0, result.stderr
    assert copy.json(f"show {key}") == store.cli.json(f"show {key}")
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)], cells
    assert len(cells) % len(csv_columns()) == 0
