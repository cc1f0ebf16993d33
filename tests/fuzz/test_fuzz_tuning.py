"""Fuzzing the knobs of a catch-up and an SQLite store's lock timeout.

- Any ``--helpers`` and ``--memory`` given to ``projections catch-up`` ends with exit code 0,
  or exit code 1 with exactly one stderr line starting ``Error: `` and nothing on stdout; never
  as an unexpected exception at the edge, and the views stay as they were (they were current).
- Any ``?lock_timeout=`` of an SQLite store URL is either whole seconds from 1 to 86,400 that
  reach the store as given, for the file named before the ``?``, or refused with BadInput
  before anything is opened.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetrail.domain.errors import BadInput
from casetrail.store.storage import StoreURL
from tests.cli.conftest import Cli

SETTINGS = settings(max_examples=300, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])
UNEXPECTED = "set CASETRAIL_DEBUG=1"
ARGV_TEXT = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")  # a real argv cannot carry NUL
NUMBERS = st.one_of(st.integers(-10, 10 ** 7).map(str), st.integers(0, 10 ** 7).map("{:,}".format),
                    st.integers(0, 10 ** 7).map("{:_}".format))
ODD = st.sampled_from(["", " ", "auto", "AUTO", " auto ", "on", "off", "yes", "1.5", "1e3", "0x10", "٣", "１", "²",
                       "-0", "+1", "NaN", "Infinity", "1 000", "17", "99999999999999999999", "--json", "-h",
                       "auto; rm -rf /", "\u202e1", "1\n2", "%31"])
KNOB = st.one_of(NUMBERS, ODD, st.text(ARGV_TEXT, max_size=12))


@pytest.fixture
def current(tmp_path):
    """An SQLite store with two people, its views current."""
    cli = Cli(str(tmp_path / "cases.db"))
    cli("person add omarov-aslanbek --name 'Aslanbek Omarov'")
    cli("person add zhubanazarov-ruslanbek --name 'Ruslanbek Zhubanazarov'")
    cli("source add rferl-omarov --url https://www.rferl.org/a/kazakhstan-omarov-compensation/33000000.html")
    cli("record omarov-aslanbek detained --on 2022-01-09 --source rferl-omarov")
    cli("lists")  # brings the views up to date
    return cli, cli.json("projections status")


@SETTINGS
@given(helpers=KNOB, memory=KNOB)
def test_any_helpers_and_memory_end_in_a_catch_up_or_one_error_line(current, helpers, memory):
    cli, before = current

    result = cli(["projections", "catch-up", "--helpers", helpers, "--memory", memory], ok=False)

    shown = f"exit {result.exit_code}\nstdout: {result.stdout[:300]!r}\nstderr: {result.stderr[:500]!r}"
    assert result.exit_code in (0, 1), shown
    assert UNEXPECTED not in result.stderr and "Traceback" not in result.stderr, shown
    if result.exit_code == 1:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and result.stdout == "", shown
    assert cli.json("projections status") == before


@SETTINGS
@given(value=st.one_of(NUMBERS, ODD, st.text(ARGV_TEXT, max_size=16)))
def test_any_lock_timeout_reaches_the_store_as_whole_seconds_or_is_refused(tmp_path, value):
    path = str(tmp_path / "cases.db")

    try:
        store = StoreURL.parse(f"{path}?lock_timeout={value}")
    except BadInput:
        return

    assert store.env["SQLITE_DBNAME"] == path and store.shown == path
    assert 1 <= int(store.env["SQLITE_LOCK_TIMEOUT"]) <= 86_400
    as_a_query_decodes_it = parse_qs(f"lock_timeout={value}", keep_blank_values=True)["lock_timeout"][-1]
    assert int(store.env["SQLITE_LOCK_TIMEOUT"]) == int(as_a_query_decodes_it.strip())  # "1&" is 1 and an empty rest
