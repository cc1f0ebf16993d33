"""What --help promises, and how tables look in an 80-column terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from casetrail.cli.main import app
from casetrail.cli.render import WORD_MOST

DATASET = Path(__file__).parents[2] / "examples" / "january2022.yaml"


def command_paths(command=None, path=()) -> list[tuple[str, ...]]:
    """The argument lists that reach each group and command's help ('record' needs a person's key)."""
    command = command or typer.main.get_command(app)
    paths = [path]
    if hasattr(command, "list_commands"):
        ctx = typer.Context(command)
        before = ("omarov-aslanbek",) if any(p.param_type_name == "argument" for p in command.params) else ()
        for name in command.list_commands(ctx):
            paths += command_paths(command.get_command(ctx, name), (*path, *before, name))
    return paths


def help_of(path: tuple[str, ...]) -> str:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, [*path, "--help"])
    assert result.exit_code == 0, (path, result.output)
    return result.stdout


def test_every_group_and_command_shows_an_example_in_its_help():
    paths = command_paths()

    missing = [" ".join(path) or "casetrail" for path in paths if "Example: " not in help_of(path)]

    assert len(paths) > 30 and missing == []


@pytest.mark.parametrize("path", [("person", "list"), ("export",), ("import",), ()], ids=" ".join)
def test_a_flag_shows_no_value_in_help_since_it_takes_none(path):
    shown = help_of(path)

    assert "<bool>" not in shown
    assert "--help" in shown


def test_a_flag_given_a_value_gets_one_line_saying_so(omarov):
    error = omarov.error("person list --json true")

    assert error.startswith("Error: Got unexpected extra argument") and "(true)" in error


@pytest.fixture
def imported(cli):
    cli(f"import {DATASET}")
    return cli


def words(out: str) -> set[str]:
    return set(re.sub("[\u2500-\u257f]", " ", out).split())  # without the box-drawing borders


def at_width(cli, command: str, columns: int) -> str:
    return CliRunner(env={"COLUMNS": str(columns)}).invoke(app, ["--db", cli.url, *command.split()]).stdout


@pytest.mark.parametrize("command", ["people", "lists", "person list", "source list", "show omarov-aslanbek",
                                     "replay omarov-aslanbek", "audit nurgeldin-faizulla", "list fatalities",
                                     "audit --list fatalities"])
def test_at_80_columns_tables_fit_and_split_no_word(imported, command):
    wide = at_width(imported, command, 1000)  # nothing is folded

    narrow = at_width(imported, command, 80)

    long_lines = [line for line in narrow.splitlines() if len(line.rstrip()) > 80]
    assert all(line in wide.splitlines() for line in long_lines), long_lines  # titles: never wrapped, by design
    # A split word leaves pieces that are not words; only those longer than WORD_MOST (URLs) may be split.
    pieces = words(narrow) - words(wide)
    long_words = [word for word in words(wide) if len(word) > WORD_MOST]
    assert [piece for piece in pieces if not any(piece in word for word in long_words)] == [], narrow


def test_at_80_columns_a_table_that_fits_stays_a_table(imported):
    out = at_width(imported, "lists", 80)

    # Issue 13's default lists have longer names (posthumously_prosecuted): the list column is as wide as they are.
    assert "┃ list " in out
    assert re.search(r"│ accidental_victims +│ Accidental victims \(alive\) +│ 0 +│", out), out


@pytest.mark.parametrize("columns", [80, 120, 160])
def test_a_table_of_long_running_text_is_never_cut_at_the_terminal_s_edge(omarov, columns):
    # The table of retracted facts, with what each changed while believed, grew past the
    # terminal and was cut off mid-word ("cus", "det") at 120 columns.
    source = "--source rferl-omarov"
    omarov(f"record omarov-aslanbek detained --on 2022-01-09 {source}")
    sentence = omarov.json(f"record omarov-aslanbek sentenced --on 2022-06-01 --kind prison {source}")
    omarov(f"record omarov-aslanbek released --on 2023-01-01 {source}")
    omarov(f"retract omarov-aslanbek {sentence['id']} --reason 'a namesake was convicted'")

    out = at_width(omarov, "audit omarov-aslanbek", columns)

    assert max(len(line) for line in out.splitlines()) <= columns
    assert {"imprisoned;", "convicted;", "namesake"} <= words(out)
