"""The /cases pages (issue 15): read-only, in the shape of `case show --json`; a person's page lists their cases."""

from __future__ import annotations

import pytest

from casetrail.store.application import Casetrail


@pytest.fixture
def aqtobe_case(web_url):
    """The 16 sentenced together in Aqtobe (rferl-omarov): Omarov named, 15 counted."""
    app = Casetrail(web_url, recorded_by="tests")
    app.add_case("aqtobe-2023-02", "Trial of 16 people in Aqtobe", "rferl-omarov", court="Aqtobe court")
    app.add_party("aqtobe-2023-02", "accused", "omarov-aslanbek", on="2023-02", source="rferl-omarov")
    app.add_party("aqtobe-2023-02", "accused", unnamed=15, on="2023-02", source="rferl-omarov")
    app.record_verdict("aqtobe-2023-02", "omarov-aslanbek", "sentenced", on="2023-02", court="Aqtobe court",
                       source="rferl-omarov")
    app.close()


def test_the_cases_page_lists_every_case_and_links_to_it(aqtobe_case, browser):
    page = browser("viewer").get("/cases").text

    assert '<a href="/cases/aqtobe-2023-02">aqtobe-2023-02</a>' in page and "Trial of 16 people in Aqtobe" in page


def test_a_case_page_shows_its_parties_with_each_accuseds_outcome_at_the_date_chosen(aqtobe_case, browser):
    viewer = browser("viewer")

    now = viewer.get("/cases/aqtobe-2023-02").text
    before = viewer.get("/cases/aqtobe-2023-02", as_of="2023-01-31").text

    assert '<a href="/people/omarov-aslanbek">omarov-aslanbek</a>' in now and "15 not named" in now
    assert "sentenced 2023-02" in now
    assert "omarov-aslanbek" not in before  # not yet a party on 31 January 2023


def test_a_party_added_under_a_record_merged_since_is_shown_as_the_record_that_holds_them(web_url, browser):
    # Omarov entered twice, the second time under his name in Cyrillic, and named in the case under that record.
    app = Casetrail(web_url, recorded_by="tests")
    app.add_person("omarov-aslanbek-ru", "Асланбек Омаров", place="Aqtobe")
    app.add_case("aqtobe-2023-02", "Trial of 16 people in Aqtobe", "rferl-omarov", court="Aqtobe court")
    app.add_party("aqtobe-2023-02", "accused", "omarov-aslanbek-ru", on="2023-02", source="rferl-omarov")
    app.merge("omarov-aslanbek", "omarov-aslanbek-ru", "the same man, entered twice")
    app.close()

    page = browser("viewer").get("/cases/aqtobe-2023-02").text

    assert '<a href="/people/omarov-aslanbek">omarov-aslanbek</a> (added as omarov-aslanbek-ru)' in page


def test_a_person_page_lists_their_cases_with_their_role(aqtobe_case, browser):
    page = browser("viewer").get("/people/omarov-aslanbek").text

    assert '<a href="/cases/aqtobe-2023-02">Trial of 16 people in Aqtobe</a> (accused)' in page
    assert 'class="case-lane" data-case="aqtobe-2023-02"' in page


def test_an_unknown_case_is_a_404_with_one_line(browser):
    answer = browser("viewer").get("/cases/case-0042")

    assert answer.status_code == 404 and "no case &#39;case-0042&#39;" in answer.text


def test_the_case_pages_refuse_an_anonymous_request(site, aqtobe_case):
    from tests.web.conftest import Browser

    assert Browser(site).get("/cases").status_code == 303
    assert Browser(site).get("/cases/aqtobe-2023-02").status_code == 303


def test_the_cases_api_answers_with_the_keys_of_case_list_json(aqtobe_case, browser, web_url):
    from tests.cli.conftest import Cli

    answer = browser("viewer").get("/api/cases")

    assert answer.status_code == 200
    assert answer.json() == Cli(web_url).json("case list")
    assert [c["case"] for c in answer.json()["cases"]] == ["aqtobe-2023-02"]


def test_a_case_api_answer_at_a_date_and_record_time_equals_case_show_json(aqtobe_case, browser, web_url):
    from tests.cli.conftest import Cli

    cli, viewer = Cli(web_url), browser("viewer")
    registered = cli.json("case list")["cases"][0]["recorded_at"]  # known then: the case, none of its parties

    now = viewer.get("/api/cases/aqtobe-2023-02", as_of="2023-03-01")
    then = viewer.get("/api/cases/aqtobe-2023-02", as_of="2023-03-01", known_at=registered).json()
    before = viewer.get("/api/cases/aqtobe-2023-02", as_of="2023-01-31").json()

    assert now.status_code == 200 and now.json() == cli.json("case show aqtobe-2023-02 --as-of 2023-03-01")
    assert [p["person"] for p in now.json()["parties"]] == ["omarov-aslanbek", None]
    assert then == cli.json(f"case show aqtobe-2023-02 --as-of 2023-03-01 --known-at {registered}")
    assert then["parties"] == [] and then["known_at"] is not None
    assert before == cli.json("case show aqtobe-2023-02 --as-of 2023-01-31")
    assert before["parties"] == []  # nobody is a party yet on 31 January 2023


def test_an_unknown_case_in_the_api_is_a_404_with_one_line(browser):
    answer = browser("viewer").get("/api/cases/case-0042")

    assert answer.status_code == 404 and answer.json()["error"].startswith("no case 'case-0042'; see 'casetrail case list'")


def test_the_cases_api_refuses_an_anonymous_request(site, aqtobe_case):
    from tests.web.conftest import Browser

    assert Browser(site).get("/api/cases").status_code == 401
    assert Browser(site).get("/api/cases/aqtobe-2023-02").status_code == 401


def test_the_openapi_description_has_the_cases_routes_with_their_dates(browser):
    paths = browser("viewer").get("/api/openapi.json").json()["paths"]

    assert {"/api/cases", "/api/cases/{case}"} <= set(paths)
    assert [p["name"] for p in paths["/api/cases/{case}"]["get"]["parameters"]] == ["case", "as_of", "known_at"]


def test_a_case_api_asked_at_a_date_that_is_not_one_is_a_400_with_one_line_and_how_to_fix_it(aqtobe_case, browser):
    viewer = browser("viewer")

    answer = viewer.get("/api/cases/aqtobe-2023-02", as_of="next tuesday")

    assert answer.status_code == 400
    assert "next tuesday" in answer.json()["error"] and "\n" not in answer.json()["error"]
