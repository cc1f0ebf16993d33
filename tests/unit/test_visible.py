"""Terminal output shows control characters as escapes instead of obeying them."""

from __future__ import annotations

import io

import orjson
import pytest
from rich.console import Console
from rich.control import strip_control_codes
from rich.table import Table
from rich.text import Text

from casetrail.cli import render
from casetrail.cli.render import visible

STEERING = ["\x1b]0;owned\x07", "\x1b[2J", "\x9b31m", "\u202e", "\x7f", "\r", "\x00", "\u2066", "\u200f", "\x0b"]


@pytest.mark.parametrize("text, shown", [
    ("\x1b]0;owned\x07", "\\x1b]0;owned\\x07"),
    ("\x1b[2J", "\\x1b[2J"),
    ("\x9b31m", "\\x9b31m"),  # C1: a one-byte CSI
    ("abc\u202efdp.exe", "abc\\u202efdp.exe"),  # a bidi override that shows exe.pdf
    ("one\ntwo\rthree\x7f", "one\ntwo\\x0dthree\\x7f"),  # a newline is layout, and left alone
])
def test_a_control_character_is_shown_as_an_escape(text, shown):
    assert visible(text) == shown


def test_ordinary_text_in_any_script_is_left_as_it_is():
    text = "Асланбек Омаров,\tАлматы [citation needed] 100% \\ emoji \U0001f600, الماتى\n"

    assert visible(text) == text


def captured() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    console = render._Console(file=out, width=200, highlight=False, markup=False, color_system=None)
    return console, out


@pytest.mark.parametrize("steering", STEERING)
def test_the_console_escapes_control_characters_in_plain_strings_tables_and_assembled_texts(steering):
    console, out = captured()
    table = Table(title=f"title{steering}")
    table.add_column(f"head{steering}")
    table.add_row(f"cell{steering}")

    console.print(f"plain{steering}")
    console.print(table)
    console.print(Text.assemble((f"bold{steering}", "bold"), f" rest{steering}"))

    printed = out.getvalue()
    assert not render._HIDDEN.search(printed.replace("\n", "")), repr(printed)
    for where in ("plain", "title", "head", "cell"):
        assert f"{where}{visible(steering)}" in printed, (where, printed)
    for where in ("bold", " rest"):  # a rich Text has dropped BEL, BS, VT, FF and CR when it was made
        assert f"{where}{visible(strip_control_codes(steering))}" in printed, (where, printed)


def test_json_output_escapes_every_control_character_and_decodes_to_the_same_text(capsys):
    name = "".join(STEERING)

    render.emit_json({"name": name})

    printed = capsys.readouterr().out
    assert not render._HIDDEN.search(printed.replace("\n", ""))
    assert orjson.loads(printed) == {"name": name}
