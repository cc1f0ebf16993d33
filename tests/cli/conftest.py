from __future__ import annotations

import shlex
from pathlib import Path

import orjson
import pytest
import typer.testing
from typer.testing import CliRunner

from casetrail.cli.main import app

# Typer's test runner builds the command tree from the functions' signatures on every
# invoke, which costs more than most commands do; a real process builds it once, and
# so do the tests.
_build = typer.testing._get_command
_built: dict[int, object] = {}


def _built_once(typer_app):
    if id(typer_app) not in _built:
        _built[id(typer_app)] = _build(typer_app)
    return _built[id(typer_app)]


typer.testing._get_command = _built_once


class Cli:
    """Runs casetrail commands in-process against one store, as a user would type them."""

    def __init__(self, url: str):
        self.url = url
        self.runner = CliRunner()

    def __call__(self, line: str | list[str], ok: bool = True, input: str | None = None):
        args = shlex.split(line) if isinstance(line, str) else line
        result = self.runner.invoke(app, ["--db", self.url, *args], input=input)
        if ok and result.exit_code != 0:
            raise AssertionError(f"casetrail {line} failed ({result.exit_code}): {result.stderr}{result.exception!r}")
        return result

    def json(self, line: str):
        return orjson.loads(self(line + " --json").stdout)

    def text(self, line: str) -> str:
        """A command's human output as one line of words, without table borders."""
        out = self(line).stdout
        for border in "│┃─━┏┓┗┛┡┩└┘┌┐├┤┼╇┳┻┯┷╭╮╰╯":
            out = out.replace(border, " ")
        return " ".join(out.split())

    def help(self, line: str) -> str:
        return self.text(line + " --help")

    def error(self, line: str) -> str:
        """The one-line error of a command that must fail, checked for shape."""
        result = self(line, ok=False)
        assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert result.stdout == ""
        return lines[0]


@pytest.fixture
def cli(store_url) -> Cli:
    return Cli(store_url)


@pytest.fixture
def omarov(cli) -> Cli:
    cli('person add omarov-aslanbek --name "Aslanbek Omarov" --alias "Aslanbek Omarov (Асланбек Омаров)"')
    cli('source add rferl-omarov --url https://www.rferl.org/a/kazakhstan-omarov-compensation/33000000.html '
        '--outlet "RFE/RL" --title "Kazakh Court Awards Compensation To Man Wrongly Detained During Unrest '
        'In January 2022" --published 2024-09-01')
    return cli


SCRIPT = Path(__file__).parents[2] / "examples" / "january2022.sh"


def script_commands() -> list[str]:
    """The recording commands of the example script, one per logical line."""
    text = SCRIPT.read_text().replace("\\\n", " ")
    return [line.split(" ", 1)[1] for line in text.splitlines() if line.startswith("quiet ")]


def record_script(cli: Cli) -> Cli:
    for command in script_commands():
        cli(shlex.split(command))
    return cli


@pytest.fixture
def fresh_aqtobe(cli):
    """The three cases of examples/january2022.sh in a store of the test's own, for tests that record."""
    return record_script(cli)


def stamped(text: str, batch: str) -> list[dict]:
    """An export's records as a store that imported it exports them again: each person event the
    import added carries its batch (issue 12 item 8: `import undo BATCH`), an event that already
    had one keeps it, and every other record is as it was."""
    records = [orjson.loads(line) for line in text.split("\n") if line]  # not splitlines: U+2028 is text
    return [{**r, "batch": r.get("batch", batch)} if r["record"] == "event" else r for r in records]
