"""`casetrail timeline`: the page is written whole or not at all, and bad input is one line."""

from __future__ import annotations

import os
import stat

import pytest


@pytest.fixture
def held(omarov):
    omarov("record omarov-aslanbek detained --on 2022-01-09 --place Aqtobe --source rferl-omarov")
    omarov("record omarov-aslanbek placed_under_house_arrest --on 2022-05~ --source rferl-omarov")
    return omarov


@pytest.fixture
def folder(tmp_path):
    """A folder of the test's own for the pages (the SQLite store lives in pytest's tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def files(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- bad input: one line, nothing written ---------------------------------------------------------------------

NEITHER = ("Error: give a person (casetrail timeline KEY --html FILE) or a list "
           "(casetrail timeline --list NAME --html FILE)")
NO_PERSON = ("Error: no person 'nobody'; see 'casetrail person list' or add one with "
             "'casetrail person add nobody --name ...'")
NO_LIST = ("Error: no list 'nolist'; the lists are: detained, in_custody, convicted, fatalities, accidental_victims, "
           "compensated, died_in_custody, posthumously_prosecuted, torture_alleged, non_custodial_sentence "
           "(see 'casetrail lists')")


@pytest.mark.parametrize("args, message", [
    ("timeline --html {out}", NEITHER),
    ("timeline omarov-aslanbek --list detained --html {out}", "Error: give a person or --list NAME, not both"),
    ("timeline omarov-aslanbek", "Error: give --html FILE to write the page to (--html - for standard output)"),
    ("timeline nobody --html {out}", NO_PERSON),
    ("timeline --list nolist --html {out}", NO_LIST),
    ("timeline omarov-aslanbek --html {out} --as-of 2022-13-01",
     "Error: --as-of '2022-13-01' is not a day: use YYYY-MM-DD, e.g. 2022-03-01"),
    ("timeline omarov-aslanbek --html {out} --known-at 2000-01-01", None),
    ("timeline --list detained --html {out} --as-of 9999-01-01", None),
], ids=["neither", "both", "no-html", "unknown-person", "unknown-list", "bad-date", "before-registration",
        "future"])
def test_bad_input_is_one_error_line_and_writes_nothing(held, folder, args, message):
    out = folder / "page.html"

    line = held.error(args.format(out=out))

    if message:
        assert line == message
    assert files(folder) == []


def test_a_missing_directory_is_named_and_nothing_is_written(held, folder):
    out = folder / "no" / "such" / "page.html"

    line = held.error(f"timeline omarov-aslanbek --html {out}")

    assert line == f"Error: --html {out}: folder '{folder / 'no' / 'such'}' does not exist; create it first"
    assert files(folder) == []


def test_a_directory_is_not_a_file_name(held, folder):
    assert held.error(f"timeline omarov-aslanbek --html {folder}") == (
        f"Error: --html {folder} is a folder; give a file name such as {folder / 'timeline.html'}")
    assert files(folder) == []


# -- writing --------------------------------------------------------------------------------------------------

def test_the_page_is_written_and_the_command_says_where_and_how_much(held, folder):
    out = folder / "omarov.html"

    result = held(f"timeline omarov-aslanbek --html {out} --as-of 2022-07-01")

    assert result.stdout == f"wrote {out}: 1 person, 2 events (as of 2022-07-01, known at now)\n"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Aslanbek Omarov" in page
    assert page.count('class="event') == 2
    assert files(folder) == ["omarov.html"]  # no temporary file left beside it
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # a new page holds names: its owner's alone


def test_an_existing_page_is_replaced_whole(held, folder):
    out = folder / "omarov.html"
    out.write_text("old page")

    held(f"timeline omarov-aslanbek --html {out} --as-of 2022-02-01")

    assert out.read_text(encoding="utf-8").count('class="event') == 1
    assert files(folder) == ["omarov.html"]


def test_a_failed_write_keeps_the_old_page_and_leaves_no_temporary_file(held, folder, monkeypatch):
    out = folder / "omarov.html"
    out.write_text("old page")

    def refuse(source, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    line = held.error(f"timeline omarov-aslanbek --html {out}")

    assert line == f"Error: cannot write {out}: Permission denied"
    assert out.read_text() == "old page" and files(folder) == ["omarov.html"]


def test_html_dash_writes_the_page_to_stdout_and_the_summary_to_stderr(held):
    result = held("timeline omarov-aslanbek --html - --as-of 2022-07-01")

    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.rstrip().endswith("</html>")
    assert result.stderr == "wrote standard output: 1 person, 2 events (as of 2022-07-01, known at now)\n"


def test_a_list_draws_everyone_on_it_at_v(held, folder):
    held('person add other-person --name "Other Person"')
    held("record other-person detained --on 2022-03-01 --source rferl-omarov")
    out = folder / "detained.html"

    early = held(f"timeline --list in_custody --html {out} --as-of 2022-02-01").stdout
    page_early = out.read_text(encoding="utf-8")
    later = held(f"timeline --list in_custody --html {out} --as-of 2022-04-01").stdout

    assert early == f"wrote {out}: 1 person, 1 event (as of 2022-02-01, known at now)\n"
    assert 'data-person="omarov-aslanbek"' in page_early and "other-person" not in page_early
    assert later == f"wrote {out}: 2 people, 2 events (as of 2022-04-01, known at now)\n"
    assert "<h1>In custody (detention, house arrest or prison) (in_custody)</h1>" in out.read_text(encoding="utf-8")


def test_nobody_on_the_list_still_makes_a_page(held, folder):
    out = folder / "fatalities.html"

    assert held(f"timeline --list fatalities --html {out}").stdout.startswith(f"wrote {out}: 0 people, 0 events")
    assert "0 people, 0 counted facts" in out.read_text(encoding="utf-8")


def test_the_help_has_an_example(held):
    assert "Example: casetrail timeline zhubanazarov-ruslanbek --html zhubanazarov.html" in held.help("timeline")
