"""Files that `export -o FILE` and `timeline --html FILE` write: regular files only, never through a
link or over a device or a pipe, made readable by their owner alone (they hold detainees' names),
and an existing file keeps its mode."""

from __future__ import annotations

import os
import stat

import pytest

from casetrail.cli import files
from casetrail.domain.errors import BadInput
from tests.cli.test_timeline_command import folder, held  # noqa: F401 (fixtures: a person with facts, a folder)

COMMANDS = {
    "export": ("export -o {out}", "-o"),
    "timeline": ("timeline omarov-aslanbek --html {out}", "--html"),
}


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_pipe_at_the_path_is_refused_and_left_as_it_was(held, folder, command):
    line, option = COMMANDS[command]
    fifo = folder / "null"
    os.mkfifo(fifo)  # stands for /dev/null: a rename over it would replace the node itself

    error = held.error(line.format(out=fifo))

    assert error == (f"Error: {option} {fifo} is not a regular file (a device, a pipe or a socket); "
                     "give a file name, or - for standard output")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in folder.iterdir()) == ["null"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_symbolic_link_at_the_path_is_refused_and_neither_it_nor_its_target_is_touched(held, folder, command):
    line, option = COMMANDS[command]
    real = folder / "real.txt"
    real.write_text("kept")
    link = folder / "link.txt"
    link.symlink_to(real)

    error = held.error(line.format(out=link))

    assert error == (f"Error: {option} {link} is a symbolic link; casetrail writes only regular files and does "
                     "not follow links: give the path of the file itself, or a new file name")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "kept"
    assert sorted(p.name for p in folder.iterdir()) == ["link.txt", "real.txt"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_dangling_symbolic_link_is_refused_too(held, folder, command):
    line, option = COMMANDS[command]
    link = folder / "link.txt"
    link.symlink_to(folder / "nowhere.txt")

    assert "is a symbolic link" in held.error(line.format(out=link))
    assert link.is_symlink() and not (folder / "nowhere.txt").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_new_file_is_readable_by_its_owner_only(held, folder, command):
    line, _ = COMMANDS[command]
    out = folder / "cases.out"

    held(line.format(out=out))

    assert out.stat().st_size > 0
    assert mode(out) == 0o600


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kept", [0o600, 0o640])
def test_a_file_written_again_keeps_its_mode(held, folder, command, kept):
    line, _ = COMMANDS[command]
    out = folder / "cases.out"
    out.write_text("old")
    os.chmod(out, kept)

    held(line.format(out=out))

    assert out.read_text() != "old"
    assert mode(out) == kept


def test_export_dash_o_dash_writes_the_records_to_standard_output(held, folder):
    os.chdir(folder)

    result = held("export -o -")

    assert result.stdout.count('"record":"event"') == 2
    assert result.stderr == "" and list(folder.iterdir()) == []


def test_a_pipe_put_at_the_path_while_writing_is_not_replaced(tmp_path):
    path = tmp_path / "cases.jsonl"

    with pytest.raises(BadInput, match="is not a regular file"):
        with files.written(path) as out:
            out.write(b"names")
            os.mkfifo(path)  # appears after the path was checked, before the rename

    assert stat.S_ISFIFO(os.lstat(path).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["cases.jsonl"]  # no temporary file left
