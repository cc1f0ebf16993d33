"""How a catch-up runs is chosen on its command line (``projections catch-up|rebuild
--batch-size N --helpers auto|0|N --memory EVENTS``), and how long an SQLite write waits for
another process's lock in the store URL (``?lock_timeout=SECONDS``): nothing of it is read
from the environment, and none of it changes what the views answer."""

from __future__ import annotations

import inspect

import pytest

from casetrail.projections.tuning import BATCH
from casetrail.projections.views import Views
from casetrail.store.storage import StoreURL
from tests.cli.conftest import Cli
from tests.conftest import _pg_connect

ADD = "person add omarov-aslanbek --name 'Aslanbek Omarov'"


def answers(cli: Cli) -> tuple:
    """What the views answer about the three Aqtobe cases, and how many rows they hold."""
    return (cli.json("lists"), cli.json("list fatalities"), cli.json("list accidental_victims"),
            [cli.json(f"audit {key}") for key in ("nurgeldin-faizulla", "omarov-aslanbek")],
            cli.json("projections status")["rows"])


# -- the options of catch-up and rebuild -----------------------------------------------------------


def test_the_tuning_options_change_nothing_the_views_answer(fresh_aqtobe):
    cli = fresh_aqtobe
    alone = cli.json("projections rebuild --helpers 0 --memory 0 --batch-size 1")
    answered_alone = answers(cli)

    helped = cli.json("projections rebuild --helpers 2 --memory 1,000,000 --batch-size 7")

    assert helped["applied"] == alone["applied"] == helped["head"] > 0
    assert answers(cli) == answered_alone


def test_a_catch_up_with_nothing_to_do_takes_the_options_and_applies_nothing(fresh_aqtobe):
    cli = fresh_aqtobe
    cli("lists")  # caught up

    caught_up = cli.json("projections catch-up --helpers 3 --memory 10 --batch-size 100000")

    assert caught_up["applied"] == 0 and caught_up["lag"] == 0


def test_catch_up_and_rebuild_apply_as_many_events_a_batch_by_default_as_the_api_does():
    cli = Cli("unused.db")  # help opens no store

    for command in ("projections catch-up", "projections rebuild"):
        assert f"--batch-size <int range> [1<=x<=100000] Events applied per transaction. [default: {BATCH}]" in (
            cli.help(command))
    assert inspect.signature(Views.catch_up).parameters["batch"].default == BATCH
    assert inspect.signature(Views.rebuild).parameters["batch"].default == BATCH


def test_the_old_tuning_environment_variables_are_not_read(fresh_aqtobe, monkeypatch):
    cli = fresh_aqtobe
    for name in ("CASETRAIL_HELPER", "CASETRAIL_CATCH_UP_MEMORY", "CASETRAIL_LOCK_TIMEOUT"):
        monkeypatch.setenv(name, "nonsense")

    rebuilt = cli.json("projections rebuild")
    cli("person add ruzakhunov-vikram --name 'Vikram Ruzakhunov'")  # a write, with the lock timeout's default

    assert rebuilt["lag"] == 0
    assert "ruzakhunov-vikram" in [p["person"] for p in cli.json("person list")]


@pytest.mark.parametrize("given", ["-1", "two", "1.5", ""])
def test_a_helpers_option_that_is_not_auto_or_a_count_is_refused_before_the_store_is_opened(tmp_path, given):
    cli = Cli(str(tmp_path / "cases.db"))

    message = cli.error(["projections", "rebuild", "--helpers", given])

    assert message == (f"Error: --helpers is '{given}': give auto (the default: one per core, at most 4, when more "
                       "than 40,000 events wait), 0 for none, or a number of helper processes up to 16")
    assert list(tmp_path.iterdir()) == []


# -- the lock timeout of an SQLite store ---------------------------------------------------------------


def test_an_sqlite_store_waits_30_seconds_for_a_lock_unless_its_url_says_otherwise(tmp_path):
    path = str(tmp_path / "cases.db")

    assert StoreURL.parse(path).env["SQLITE_LOCK_TIMEOUT"] == "30"
    assert StoreURL.parse(f"{path}?lock_timeout=5").env["SQLITE_LOCK_TIMEOUT"] == "5"
    assert StoreURL.parse(f"sqlite:///{path}?lock_timeout=120").env["SQLITE_LOCK_TIMEOUT"] == "120"


def test_a_lock_timeout_in_the_url_opens_the_same_store_as_the_plain_path(tmp_path):
    path = str(tmp_path / "cases.db")
    Cli(f"{path}?lock_timeout=2")(ADD)

    assert [p["person"] for p in Cli(path).json("person list")] == ["omarov-aslanbek"]
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".db"] == ["cases.db"]


def test_a_question_mark_without_a_parameter_is_part_of_the_file_name(tmp_path):
    Cli(str(tmp_path / "what?.db"))(ADD)

    assert (tmp_path / "what?.db").is_file()


@pytest.mark.parametrize("given", ["0", "abc", "", "1.5", "-1", "86401", "٣", "1?"])
def test_a_lock_timeout_that_is_not_whole_seconds_is_refused_and_makes_no_store(tmp_path, given):
    url = f"{tmp_path / 'cases.db'}?lock_timeout={given}"

    message = Cli(url).error(ADD)

    assert message == (f"Error: store URL '{url}' has lock_timeout '{given}': give the seconds a write may wait for "
                       "another process's lock, a whole number from 1 to 86,400 (the default is 30)")
    assert list(tmp_path.iterdir()) == []


def test_a_lock_timeout_given_twice_is_refused_and_makes_no_store(tmp_path):
    url = f"{tmp_path / 'cases.db'}?lock_timeout=5&lock_timeout=60"

    message = Cli(url).error(ADD)

    assert message == f"Error: store URL '{url}' gives lock_timeout 2 times: give it once"
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_parameter_of_an_sqlite_url_is_refused_and_makes_no_store(tmp_path):
    url = f"{tmp_path / 'cases.db'}?lock_timout=5"

    message = Cli(url).error(ADD)

    assert message == (f"Error: store URL '{url}' has an unknown parameter 'lock_timout': an SQLite store takes "
                       "only ?lock_timeout=SECONDS")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.postgres
def test_a_postgresql_url_with_a_lock_timeout_is_refused_and_makes_no_schema(postgres_url):
    schema = postgres_url.rsplit("schema=", 1)[1]

    message = Cli(f"{postgres_url}&lock_timeout=5").error(ADD)

    assert message == ("Error: a PostgreSQL store URL takes no ?lock_timeout= (a write there waits for the one "
                       "before it to finish): remove it; only an SQLite store has a lock timeout")
    with _pg_connect() as conn:
        assert conn.execute("SELECT to_regnamespace(%s)", [schema]).fetchone()[0] is None
