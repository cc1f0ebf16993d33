"""Editors' claims through the case page and the JSON API: another source for a fact, another account
of it, the account that counts, a likely duplicate's three choices; viewers and forms without
their token refused with nothing stored. Synthetic people and sources only (person-a, src-a)."""

from __future__ import annotations

import re

import pytest

from casetrail.store.application import Casetrail
from tests.web.conftest import token_in


@pytest.fixture
def person_a(site, web_url):
    """person-a detained on 2022-01-09 in Town A (src-a); src-b registered too. Returns the fact's id."""
    app = Casetrail(web_url, recorded_by="tests")
    app.add_source("src-a", url="https://example.org/a")
    app.add_source("src-b", url="https://example.org/b")
    app.add_person("person-a", "Person A")
    fact = app.record("person-a", "detained", on="2022-01-09", place="Town A", source="src-a")
    app.close()
    site.state.site.caught_up()
    return str(fact.id)


def shown(user, key: str = "person-a") -> dict:
    return user.get(f"/api/people/{key}").json()


def stored(web_url: str) -> list:
    app = Casetrail(web_url, recorded_by=None, create=False)
    try:
        return list(app.person("person-a").history)
    finally:
        app.close()


def field_of(page: str, field_id: str) -> str:
    """The field's block of a page: its input, help and the error beside it."""
    return page.split(f'id="f-{field_id}"')[1].split("</div>")[0]


def test_a_second_source_added_on_the_case_page_counts_the_fact_once_with_both(browser, person_a, web_url):
    editor = browser("editor")

    answer = editor.post("/people/person-a/corroborate", {"event_id": person_a, "source": "src-b",
                                                          "claimant": "witness"})

    assert answer.status_code == 303 and answer.headers["location"] == f"/people/person-a#event-{person_a}"
    [fact] = shown(editor)["events"]
    assert fact["sources"] == ["src-a", "src-b"] and "witness" in fact["claimants"]
    assert stored(web_url)[-1].recorded_by == "editor"


def test_the_same_source_again_is_refused_beside_its_field_and_nothing_is_stored(browser, person_a, web_url):
    editor = browser("editor")
    before = len(stored(web_url))

    answer = editor.post("/people/person-a/corroborate", {"event_id": person_a, "source": "src-a"})

    assert answer.status_code == 400
    assert "already cites src-a; nothing was added" in field_of(answer.text, f"corroborate-{person_a[:8]}-source")
    assert f'<details open><summary>' in answer.text  # the fact's forms are open where the error is
    assert len(stored(web_url)) == before


def test_a_preference_without_its_reason_is_refused_with_the_clis_option(browser, person_a, web_url):
    editor = browser("editor")
    other = editor.post("/people/person-a/record", {"type": "detained", "on": "2022-01-09", "source": "src-b",
                                                    "place": "Town B", "disputes": person_a})
    before = len(stored(web_url))

    answer = editor.post("/people/person-a/prefer", {"event_id": person_a, "reason": " "})

    assert other.status_code == 303 and answer.status_code == 400
    assert "--reason is required" in field_of(answer.text, f"prefer-{person_a[:8]}-reason")
    assert len(stored(web_url)) == before


def test_another_account_is_recorded_from_the_facts_link_and_a_reasoned_preference_makes_it_count(
        browser, person_a):
    editor = browser("editor")
    case = editor.get("/people/person-a").text
    link = re.search(r'href="(/people/person-a/record\?[^"]*disputes=[^"]+)"', case).group(1).replace("&amp;", "&")
    form = editor.get(link).text

    assert f'value="{person_a}"' in field_of(form, "disputes")
    recorded = editor.post("/people/person-a/record", {"type": "detained", "on": "2022-01-09", "source": "src-b",
                                                       "place": "Town B", "disputes": person_a})
    disputed = editor.get("/people/person-a").text
    second = shown(editor)["disputes"][0]["accounts"][1]["event_id"]
    chosen = editor.post("/people/person-a/prefer", {"event_id": second, "reason": "src-b saw it happen"})
    after = shown(editor)

    assert recorded.status_code == 303 and chosen.status_code == 303
    assert "contested" in disputed and "Disputed accounts" in disputed and f'id="account-{second}"' in disputed
    assert after["contested"] is True and after["disputes"][0]["preferred"] == second
    assert [e["place"] for e in after["events"]] == ["Town B"]
    assert "src-b saw it happen" in editor.get("/people/person-a").text


def test_preferring_a_fact_nobody_disputes_is_refused_above_the_form(browser, person_a, web_url):
    answer = browser("editor").post("/people/person-a/prefer", {"event_id": person_a, "reason": "sure"})

    assert answer.status_code == 400
    assert "is not disputed; record the other account with --disputes" in answer.text


@pytest.mark.parametrize("choice", ["disputes", "corroborates"])
def test_a_likely_duplicate_is_refused_with_its_three_choices_and_sent_again_with_one(browser, person_a, web_url,
                                                                                     choice):
    editor = browser("editor")
    fact = {"type": "detained", "on": "2022-01-09", "source": "src-b", "place": "Town B"}
    before = len(stored(web_url))

    refused = editor.post("/people/person-a/record", fact)
    offered = re.findall(r'name="choice" value="(\w+)"', refused.text)
    unchanged = len(stored(web_url))
    again = editor.client.post("/people/person-a/record", data={**fact, "csrf": token_in(refused.text),
                                                                "like": person_a, "choice": choice})
    after = shown(editor)

    assert refused.status_code == 400 and unchanged == before
    assert f"may be event {person_a[:8]}" in refused.text and offered == ["disputes", "corroborates", "distinct"]
    assert f'name="like" value="{person_a}"' in refused.text
    assert again.status_code == 303
    if choice == "disputes":
        assert after["contested"] is True and len(after["disputes"][0]["accounts"]) == 2
    else:
        assert after["contested"] is False and after["events"][0]["sources"] == ["src-a", "src-b"]


def test_a_viewer_cannot_corroborate_prefer_or_retract_by_form_or_api_and_nothing_is_stored(browser, person_a,
                                                                                            web_url):
    viewer = browser("viewer")
    before = len(stored(web_url))
    csrf = viewer.csrf()

    forms = [viewer.post(f"/people/person-a/{kind}", {"event_id": person_a, "source": "src-b", "reason": "r"})
             for kind in ("corroborate", "prefer", "retract")]
    apis = [viewer.client.post(f"/api/people/person-a/facts/{person_a}/{noun}", headers={"x-csrf-token": csrf},
                               json={"source": "src-b", "reason": "r"})
            for noun in ("corroborations", "preferences", "retractions")]

    assert [a.status_code for a in forms + apis] == [403] * 6
    assert "Corroborate, dispute or retract" not in viewer.get("/people/person-a").text
    assert len(stored(web_url)) == before


def test_a_claim_form_without_its_csrf_token_is_refused_and_stores_nothing(browser, person_a, web_url):
    editor = browser("editor")
    before = len(stored(web_url))

    answer = editor.post("/people/person-a/corroborate", {"event_id": person_a, "source": "src-b"}, csrf=False)

    assert answer.status_code == 403 and len(stored(web_url)) == before


def test_the_api_corroborates_prefers_and_retracts_with_201_and_refuses_with_the_clis_line(site, browser, person_a):
    editor = browser("editor")
    token = site.state.site.accounts.new_token("editor")
    api = {"authorization": f"Bearer {token}"}
    post = editor.client.post

    added = post(f"/api/people/person-a/facts/{person_a[:8]}/corroborations", headers=api,
                 json={"source": "src-b", "claimant": "ngo"})
    again = post(f"/api/people/person-a/facts/{person_a}/corroborations", headers=api, json={"source": "src-b"})
    other = post("/api/people/person-a/facts", headers=api, json={"type": "detained", "on": "2022-01-09",
                                                                  "source": "src-b", "place": "Town B",
                                                                  "disputes": person_a})
    chosen = post(f"/api/people/person-a/facts/{other.json()['id']}/preferences", headers=api,
                  json={"reason": "a later report"})
    empty = post(f"/api/people/person-a/facts/{person_a}/preferences", headers=api, json={})
    missing = post("/api/people/person-a/facts/0000dead/retractions", headers=api, json={"reason": "r"})
    taken = post(f"/api/people/person-a/facts/{added.json()['id']}/retractions", headers=api,
                 json={"reason": "src-b said otherwise"})

    assert added.status_code == 201 and added.json()["type"] == "corroborated"
    assert added.json()["event_id"] == person_a and added.json()["claimant"] == "ngo"
    assert again.status_code == 400 and again.json()["error"].endswith("already cites src-b; nothing was added")
    assert other.status_code == 201 and chosen.status_code == 201 and chosen.json()["type"] == "preferred"
    assert empty.status_code == 400 and empty.json()["error"].startswith("--reason is required")
    assert missing.status_code == 404 and taken.status_code == 201
    assert shown(editor)["disputes"][0]["preferred"] == other.json()["id"]


def test_the_openapi_description_names_the_claim_routes_and_fields(browser):
    paths = browser("viewer").get("/api/openapi.json").json()["paths"]

    for noun, required in (("corroborations", ["source"]), ("preferences", ["reason"]), ("retractions", ["reason"])):
        body = paths[f"/api/people/{{key}}/facts/{{event_id}}/{noun}"]["post"]["requestBody"]
        assert body["content"]["application/json"]["schema"]["required"] == required
    fact = paths["/api/people/{key}/facts"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"claimant", "disputes", "corroborates", "distinct"} <= set(fact["properties"])
