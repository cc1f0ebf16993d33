"""Bad input: one line on stderr, exit code 1, no traceback, nothing stored."""

from __future__ import annotations

import pytest

# The accepted date forms, as every refused date gives them (domain/dates.py).
FORMS = ("use YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by ~ or ?, an interval FROM/TO, "
         "../TO (on or before), FROM/.. (on or after) or a season YYYY-21..24 (spring..winter), "
         "e.g. 2022-01-09, 2022-02~, 2022-01-05/2022-01-06, ../2023-03-09 or 2022-23")


def _count(cli, key="omarov-aslanbek") -> int:
    return len(cli.json(f"show {key}")["events"])


def test_released_while_never_detained(omarov):
    assert omarov.error("record omarov-aslanbek released --on 2022-05 --source rferl-omarov") == (
        "Error: omarov-aslanbek: released on 2022-05 but no detention is recorded before it; record the "
        "detention first (an approximate date such as 2022~ will do) or retract the wrong event and record it "
        "again with the right (or an approximate) date")
    assert _count(omarov) == 0


def test_released_while_already_free_names_the_earlier_release(omarov):
    omarov("record omarov-aslanbek detained --on 2022-01-09 --source rferl-omarov")
    first = omarov("record omarov-aslanbek released --on 2022-10~ --source rferl-omarov").stdout.strip()

    message = omarov.error("record omarov-aslanbek released --on 2022-11-02 --source rferl-omarov")

    assert message.startswith("Error: omarov-aslanbek: released on 2022-11-02 but already free then "
                              f"(released on 2022-10~, event {first.replace('-', '')[:8]})")
    assert _count(omarov) == 2


def test_a_late_fact_dated_before_a_release_is_checked_in_valid_time_order(omarov):
    omarov("record omarov-aslanbek detained --on 2022-01-09 --source rferl-omarov")
    release = omarov("record omarov-aslanbek released --on 2022-10 --source rferl-omarov").stdout.strip()

    # A second release dated *before* the first one leaves the first one impossible.
    message = omarov.error("record omarov-aslanbek released --on 2022-06 --source rferl-omarov")

    assert message == ("Error: omarov-aslanbek: released on 2022-10 but already free then (released on 2022-06, "
                       "the fact being recorded); record the detention first (an approximate date "
                       "such as 2022~ will do) or retract the wrong event and record it again with the right (or an "
                       f"approximate) date (event {release.replace('-', '')[:8]})")


def test_an_event_after_death_is_refused_but_a_designation_is_not(omarov):
    death = omarov("record omarov-aslanbek died --on 2022-03 --source rferl-omarov").stdout.strip()

    message = omarov.error("record omarov-aslanbek detained --on 2022-04-01 --source rferl-omarov")

    assert message == (f"Error: omarov-aslanbek: detained on 2022-04-01 comes after the death on 2022-03 (event "
                       f"{death.replace('-', '')[:8]}); only charged, charges_dropped, sentenced, acquitted, appealed, "
                       "appeal_decided, designated, compensated, allegation, noted, named_in_case, remanded, "
                       "rehabilitated, body_found and exhumed may follow a death; if a date is wrong, retract the wrong "
                       "event and record it "
                       "again with the right (or an approximate) date")
    omarov("record omarov-aslanbek designated --on 2022-05 --designation victim --source rferl-omarov")
    assert _count(omarov) == 2


def test_died_twice(omarov):
    death = omarov("record omarov-aslanbek died --on 2022-03 --source rferl-omarov").stdout.strip()

    assert omarov.error("record omarov-aslanbek died --on 2022-04-15 --source rferl-omarov") == (
        f"Error: omarov-aslanbek: died on 2022-04-15 but already died on 2022-03 (event "
        f"{death.replace('-', '')[:8]}); retract one of the two deaths")


def test_a_second_death_on_overlapping_dates_is_refused_as_a_likely_second_account(omarov):
    death = omarov("record omarov-aslanbek died --on 2022-03 --source rferl-omarov").stdout.strip()[:8]

    message = omarov.error("record omarov-aslanbek died --on 2022-03-15 --source rferl-omarov")

    assert message == (f"Error: omarov-aslanbek: died on 2022-03-15 may be event {death} (died on 2022-03, source "
                       f"rferl-omarov) told differently; record it with --disputes {death} (another account of it), "
                       f"--corroborates {death} (the same, from another source) or --distinct (a different happening)")
    assert omarov.error("record omarov-aslanbek died --on 2022-03-15 --source rferl-omarov --distinct") == (
        f"Error: omarov-aslanbek: died on 2022-03-15 but already died on 2022-03 (event {death}); "
        "retract one of the two deaths")


@pytest.mark.parametrize("line, message", [
    ("record nobody detained --on 2022 --source rferl-omarov",
     "Error: no person 'nobody'; see 'casetrail person list' or add one with 'casetrail person add nobody --name ...'"),
    ("show nobody", "Error: no person 'nobody'; see 'casetrail person list' or add one with "
                    "'casetrail person add nobody --name ...'"),
    ("record omarov-aslanbek arrested --on 2022 --source rferl-omarov",
     "Error: No such command 'arrested'. Did you mean 'released'? (see 'casetrail record --help')"),
    ("record omarov-aslanbek registered --on 2022",
     "Error: a person is registered with 'casetrail person add KEY --name ...', not recorded"),
    ("record omarov-aslanbek retracted",
     "Error: a fact is retracted with 'casetrail retract KEY EVENT_ID --reason ...', not recorded"),
    ("record omarov-aslanbek detaind --on 2022 --source rferl-omarov",
     "Error: No such command 'detaind'. Did you mean 'detained'? (see 'casetrail record --help')"),
    ("record omarov-aslanbek detained --on 2022 --source nowhere",
     "Error: no source 'nowhere'; add it with 'casetrail source add nowhere --url ...' or give --source a URL"),
    ("retract omarov-aslanbek abcdef12 --reason typo",
     "Error: omarov-aslanbek has no event abcdef12; run 'casetrail show omarov-aslanbek' to see the ids"),
    ("retract omarov-aslanbek xyz --reason typo",
     "Error: event id 'xyz' is not valid: give the id that show or record printed (at least 4 hex digits, "
     "e.g. 3f2a9c1b)"),
    ("person add omarov-aslanbek --name 'Another Omarov'",
     "Error: person omarov-aslanbek is already registered; choose another key, e.g. omarov-aslanbek-2"),
    ("source add rferl-omarov --url https://example.org",
     "Error: source rferl-omarov is already registered; cite it as --source rferl-omarov"),
    ("person add 'Omarov Aslanbek' --name X",
     "Error: person key 'Omarov Aslanbek' is not valid: use lowercase letters, digits and single hyphens "
     "(at most 80 characters), e.g. omarov-aslanbek"),
    ("record omarov-aslanbek detained --on 2022-13-01 --source rferl-omarov",
     "Error: '2022-13-01' is not a date: month 13 does not exist; " + FORMS),
    ("record omarov-aslanbek detained --on 2022-02-30 --source rferl-omarov",
     "Error: '2022-02-30' is not a date: February 2022 has no day 30; " + FORMS),
    ("record omarov-aslanbek detained --on 'January 2022' --source rferl-omarov",
     "Error: 'January 2022' is not a date: " + FORMS),
    ("record omarov-aslanbek detained --on 2099-01-01 --source rferl-omarov",
     "Error: date 2099-01-01 is in the future (today is {today}); record only what has happened"),
    ("record omarov-aslanbek detained --source rferl-omarov",
     "Error: detained: --on is required (when it happened, e.g. 2022-01-09 or 2022-01~)"),
    ("record omarov-aslanbek detained --on 2022",
     "Error: detained: --source is required (a source key or URL); every fact cites a source"),
    ("record omarov-aslanbek compensated --on 2024 --amount 0 --currency KZT --source rferl-omarov",
     "Error: compensated: amount '0' must be greater than zero"),
    ("record omarov-aslanbek compensated --on 2024 --amount -3500000 --currency KZT --source rferl-omarov",
     "Error: compensated: amount '-3500000' must be greater than zero"),
    ("record omarov-aslanbek compensated --on 2024 --amount 3.5m --currency KZT --source rferl-omarov",
     "Error: compensated: amount '3.5m' is not a number: give digits, e.g. 3500000 or 6500.50"),
    ("record omarov-aslanbek compensated --on 2024 --amount 3500000 --currency TENGE --source rferl-omarov",
     "Error: compensated: currency 'TENGE' is not an ISO 4217 code: use three letters such as KZT, USD or EUR"),
    ("record omarov-aslanbek compensated --on 2024 --amount 3500000 --source rferl-omarov",
     "Error: compensated: --currency is required"),
    ("record omarov-aslanbek sentenced --on 2023-02 --kind jail --source rferl-omarov",
     "Error: sentenced: --kind must be 'prison', 'colony', 'restricted_freedom', 'probation', 'suspended', 'fine', "
     "'ban' or 'no_punishment' (got 'jail')"),
    ("record omarov-aslanbek detained --on 2022 --plac Aqtobe --source rferl-omarov",
     "Error: No such option: --plac (Possible options: --place) (see 'casetrail record KEY detained --help')"),
    ("person add nurgeldin-faizulla --name 'Faizulla Nurgeldin' --born 2090",
     "Error: person nurgeldin-faizulla: --born 2090 is in the future; give the year of birth, e.g. 1985"),
    ("source add hrw --url 'hrw report of May'",
     "Error: source hrw: --url 'hrw report of May' is not a web address: give it in full, "
     "e.g. https://www.rferl.org/a/..."),
    ("source add hrw --published 2022-02-30",
     "Error: --published '2022-02-30' is not a day: use YYYY-MM-DD, e.g. 2022-03-01"),
    ("show omarov-aslanbek --as-of 2022-13-01",
     "Error: --as-of '2022-13-01' is not a day: use YYYY-MM-DD, e.g. 2022-03-01"),
    ("show omarov-aslanbek --as-of 2099-01-01",
     "Error: --as-of 2099-01-01 is in the future; casetrail answers only up to today ({today})"),
    ("show omarov-aslanbek --known-at yesterday",
     "Error: --known-at 'yesterday' is not a date or date-time: use YYYY-MM-DD (the end of that day, UTC) or "
     "YYYY-MM-DDTHH:MM[:SS[.ffffff]] with an optional Z or +HH:MM (UTC if none), e.g. 2022-03-01 or "
     "2022-03-01T21:23:50Z"),
])
def test_bad_input_gets_one_clear_line_and_stores_nothing(omarov, line, message):
    from casetrail.domain.dates import today_utc

    before = (omarov.json("person list"), omarov.json("source list"), _count(omarov))

    assert omarov.error(line) == message.format(today=today_utc().isoformat())
    assert (omarov.json("person list"), omarov.json("source list"), _count(omarov)) == before


def test_retracting_twice(omarov):
    event = omarov("record omarov-aslanbek detained --on 2022-01-09 --source rferl-omarov").stdout.strip()
    omarov(f"retract omarov-aslanbek {event} --reason 'wrong date'")

    assert omarov.error(f"retract omarov-aslanbek {event} --reason again") == (
        f"Error: event {event.replace('-', '')[:8]} (detained on 2022-01-09) of omarov-aslanbek is already "
        "retracted; to restore it, record the fact again")


def test_a_retraction_that_would_leave_an_impossible_timeline_is_refused(omarov):
    detention = omarov("record omarov-aslanbek detained --on 2022-01-09 --source rferl-omarov").stdout.strip()
    release = omarov("record omarov-aslanbek released --on 2022-10 --source rferl-omarov").stdout.strip()

    assert omarov.error(f"retract omarov-aslanbek {detention} --reason 'wrong person'") == (
        "Error: cannot retract: it would leave released on 2022-10 but no detention is recorded before it "
        f"(event {release.replace('-', '')[:8]}); retract the later event first")
    omarov(f"retract omarov-aslanbek {release} --reason 'wrong person'")
    omarov(f"retract omarov-aslanbek {detention} --reason 'wrong person'")
    assert _count(omarov) == 0


def test_a_store_in_a_missing_folder(tmp_path):
    from tests.cli.conftest import Cli

    cli = Cli(str(tmp_path / "no" / "such" / "cases.db"))

    assert cli.error("person list") == (f"Error: cannot open store {tmp_path}/no/such/cases.db: folder "
                                        f"{tmp_path}/no/such does not exist; create it or choose another --db")


def test_a_postgres_server_that_is_not_there():
    from tests.cli.conftest import Cli

    cli = Cli("postgresql://127.0.0.1:1/test")

    assert cli.error("person list").startswith("Error: cannot reach PostgreSQL at postgresql://127.0.0.1:1/test: ")


def test_a_store_locked_by_another_process(tmp_path):
    import subprocess
    import sys

    from tests.cli.conftest import Cli

    path = str(tmp_path / "cases.db")
    Cli(path)("person add omarov-aslanbek --name 'Aslanbek Omarov'")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({path!r}, isolation_level=None)\n"
        "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(30)\n")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    try:
        message = Cli(f"{path}?lock_timeout=1").error(
            "person add zhubanazarov-ruslanbek --name 'Ruslanbek Zhubanazarov'")
    finally:
        holder.kill()
        holder.wait()

    assert message == f"Error: store {path} is locked by another process; wait for it to finish and try again"
    assert [p["person"] for p in Cli(path).json("person list")] == ["omarov-aslanbek"]
