"""The JSON API answers with the CLI's --json keys, by session (with its CSRF header) or bearer token."""

from __future__ import annotations

import orjson

from tests.cli.conftest import Cli


def test_a_fact_posted_with_a_token_is_201_with_its_id_and_read_back_as_show_json(site, browser, web_url):
    token = site.state.site.accounts.new_token("editor")
    api = browser("viewer").client

    posted = api.post("/api/people/omarov-aslanbek/facts", headers={"authorization": f"Bearer {token}"},
                      json={"type": "detained", "on": "2022-01-09", "place": "Aqtobe", "source": "rferl-omarov"})

    assert posted.status_code == 201
    event_id = posted.json()["id"]
    case = api.get("/api/people/omarov-aslanbek", params={"as_of": "2022-02-01"}).json()
    assert case == Cli(web_url).json("show omarov-aslanbek --as-of 2022-02-01")
    assert [e["id"] for e in case["events"]] == [event_id]


def test_a_fact_posted_through_the_web_is_recorded_by_the_logged_in_user(site, browser):
    token = site.state.site.accounts.new_token("editor")
    api = browser("viewer").client

    api.post("/api/people/omarov-aslanbek/facts", headers={"authorization": f"Bearer {token}"},
             json={"type": "detained", "on": "2022-01-09", "place": "Aqtobe", "source": "rferl-omarov"})

    events = api.get("/api/people/omarov-aslanbek", params={"as_of": "2022-02-01"}).json()["events"]
    assert [e["recorded_by"] for e in events] == ["editor"]


def test_a_bad_fact_gets_400_with_the_clis_one_line_and_nothing_is_stored(site, browser):
    token = site.state.site.accounts.new_token("editor")
    api = browser("viewer").client

    answer = api.post("/api/people/omarov-aslanbek/facts", headers={"authorization": f"Bearer {token}"},
                      json={"type": "sentenced", "on": "2023-02", "source": "rferl-omarov", "term_months": "abc"})

    assert answer.status_code == 400
    assert answer.json() == {"error": "sentenced: --term-months must be a valid integer, unable to parse string as "
                                      "an integer (got 'abc')"}
    assert api.get("/api/people/omarov-aslanbek").json()["events"] == []


def test_a_body_that_is_not_a_json_object_gets_400(site, browser):
    token = site.state.site.accounts.new_token("editor")

    answer = browser("viewer").client.post("/api/people/omarov-aslanbek/facts", content=b"detained",
                                           headers={"authorization": f"Bearer {token}"})

    assert answer.status_code == 400 and "send a JSON object" in answer.json()["error"]


def test_a_sessions_post_needs_its_csrf_header(browser):
    editor = browser("editor")
    fact = {"type": "detained", "on": "2022-01-09", "source": "rferl-omarov"}

    without = editor.client.post("/api/people/omarov-aslanbek/facts", json=fact)
    with_it = editor.client.post("/api/people/omarov-aslanbek/facts", json=fact,
                                 headers={"x-csrf-token": editor.csrf()})

    assert without.status_code == 403 and with_it.status_code == 201


def test_a_wrong_token_gets_401(browser):
    answer = browser("viewer").client.get("/api/lists", headers={"authorization": "Bearer not-a-token"})

    assert answer.status_code == 401


def test_lists_list_audit_and_changes_have_the_clis_keys(browser, web_url):
    editor = browser("editor")
    for fact in ({"type": "designated", "on": "2022-01~", "designation": "accidental_victim"},
                 {"type": "died", "on": "2022-03~", "cause": "gunshot wounds"}):
        editor.client.post("/api/people/nurgeldin-faizulla/facts", json={**fact, "source": "rferl-omarov"},
                           headers={"x-csrf-token": editor.csrf()})
    cli = Cli(web_url)
    at = {"as_of": "2022-04-01"}

    assert editor.get("/api/lists", **at).json() == cli.json("lists --as-of 2022-04-01")
    assert editor.get("/api/lists/fatalities", **at).json() == cli.json("list fatalities --as-of 2022-04-01")
    assert editor.get("/api/people/nurgeldin-faizulla/audit").json() == cli.json("audit nurgeldin-faizulla")
    changes = editor.get("/api/changes").json()["changes"]
    assert {(c["list"], c["person"], c["to"]) for c in changes} >= {("accidental_victims", "nurgeldin-faizulla", "out"),
                                                                  ("fatalities", "nurgeldin-faizulla", "in")}


def test_the_openapi_description_names_every_route_and_every_fact_type(browser):
    description = browser("viewer").get("/api/openapi.json").json()

    assert description["openapi"].startswith("3.")
    assert {"/api/people/{key}", "/api/people/{key}/facts", "/api/lists", "/api/lists/{name}",
            "/api/people/{key}/audit", "/api/changes"} <= set(description["paths"])
    fact = description["paths"]["/api/people/{key}/facts"]["post"]["requestBody"]["content"]["application/json"]
    assert "placed_under_house_arrest" in fact["schema"]["properties"]["type"]["enum"]
    assert orjson.dumps(description)
