"""The HTTP layer refuses what it must: anonymous requests, stale or missing CSRF tokens, fixed
session ids, redirects off the site, guessed passwords, disabled users, viewers who post."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from casetrail.web.accounts import ACCOUNT_FAILURES, ADDRESS_FAILURES
from casetrail.web.app import PUBLIC
from casetrail.web.security import COOKIE
from tests.web.conftest import PASSWORD, Browser


def every_route(routes, prefix=""):
    for route in routes:
        if isinstance(route, Mount):
            yield from every_route(route.routes or [], prefix + route.path)
        elif isinstance(route, Route):
            path = re.sub(r"\{[^}]+\}", "omarov-aslanbek", prefix + route.path)
            for method in sorted(route.methods - {"HEAD"}):
                yield method, path


def test_every_page_and_api_route_refuses_an_anonymous_request(site):
    anonymous = TestClient(site, base_url="http://127.0.0.1", follow_redirects=False)
    guarded = [(m, p) for m, p in every_route(site.routes) if not p.startswith(PUBLIC)]

    answers = {(m, p): anonymous.request(m, p) for m, p in guarded}

    assert len(guarded) >= 20
    for (method, path), answer in answers.items():
        if path.startswith("/api/"):
            assert answer.status_code == 401, (method, path)
        elif method == "GET":
            assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next="), path
        else:
            assert answer.status_code == 401, (method, path)
        assert "Omarov" not in answer.text


def test_an_anonymous_post_stores_nothing(site, browser):
    anonymous = Browser(site)

    anonymous.client.post("/people/new", data={"key": "opushiyev-andrey", "name": "Andrey Opushiyev"})

    assert browser("viewer").get("/people/opushiyev-andrey").status_code == 404


def test_a_session_id_set_before_login_is_replaced_and_opens_nothing(site):
    user = Browser(site)
    user.client.cookies.set(COOKIE, "chosen-by-an-attacker", domain="127.0.0.1")

    user.login("editor")

    assert user.client.cookies.get(COOKIE) not in (None, "chosen-by-an-attacker")
    attacker = Browser(site)
    attacker.client.cookies.set(COOKIE, "chosen-by-an-attacker", domain="127.0.0.1")
    assert attacker.get("/").status_code == 303


def test_each_login_gets_a_new_session_id(site):
    user = Browser(site)
    user.login("viewer")
    first = user.client.cookies.get(COOKIE)

    user.login("viewer")

    assert user.client.cookies.get(COOKIE) != first


def test_the_session_cookie_is_httponly_strict_and_secure_behind_tls(site):
    plain, tls = Browser(site), Browser(site, "https://casetrail.example")

    plain_cookie = plain.login("viewer").headers["set-cookie"]
    tls_cookie = tls.login("viewer").headers["set-cookie"]

    assert "HttpOnly" in plain_cookie and "SameSite=strict" in plain_cookie and "Secure" not in plain_cookie
    assert "HttpOnly" in tls_cookie and "SameSite=strict" in tls_cookie and "Secure" in tls_cookie


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
                                    "javascript:alert(1)", "/%0d%0aLocation:%20https://evil.example"])
def test_login_never_sends_the_user_off_the_site(site, target):
    answer = Browser(site).login("viewer", next_=target)

    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")) and "\r" not in location


def test_login_sends_the_user_back_to_the_page_they_asked_for(site):
    answer = Browser(site).login("viewer", next_="/people?name=Omarov")

    assert answer.headers["location"] == "/people?name=Omarov"


def test_a_form_without_its_csrf_token_is_refused_and_stores_nothing(browser):
    editor = browser("editor")

    missing = editor.post("/people/new", {"key": "opushiyev-andrey", "name": "Andrey Opushiyev"}, csrf=False)
    wrong = editor.client.post("/people/new", data={"key": "opushiyev-andrey", "name": "Andrey Opushiyev",
                                                    "csrf": "x" * 43})

    assert missing.status_code == 403 and wrong.status_code == 403
    assert editor.get("/people/opushiyev-andrey").status_code == 404


def test_another_sessions_csrf_token_is_refused(browser):
    editor, other = browser("editor"), browser("editor")

    answer = editor.client.post("/people/new", data={"key": "opushiyev-andrey", "name": "Andrey Opushiyev",
                                                     "csrf": other.csrf()})

    assert answer.status_code == 403


def test_a_login_form_without_its_token_is_refused(site):
    user = Browser(site)

    answer = user.client.post("/login", data={"name": "viewer", "password": PASSWORD, "next": "/"})

    assert answer.status_code == 403 and COOKIE not in user.client.cookies


def test_an_account_is_locked_after_repeated_wrong_passwords_even_for_the_right_one(site):
    for _ in range(ACCOUNT_FAILURES):
        assert Browser(site).login("editor", "wrong password!").status_code == 401

    locked = Browser(site).login("editor")

    assert locked.status_code == 401 and "too many failed logins" in locked.text
    assert Browser(site).login("viewer").status_code == 303  # another account is not locked


def test_an_address_is_locked_after_repeated_failures_across_accounts(site):
    for n in range(ADDRESS_FAILURES):
        Browser(site).login(f"guess{n}", "wrong password!")

    answer = Browser(site).login("viewer")

    assert answer.status_code == 401 and "too many failed logins" in answer.text


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(site):
    wrong = Browser(site).login("viewer", "wrong password!")
    unknown = Browser(site).login("nobody", "wrong password!")

    assert wrong.status_code == unknown.status_code == 401
    assert "wrong name or password" in wrong.text and "wrong name or password" in unknown.text


def test_logout_ends_the_session_on_the_server(browser):
    viewer = browser("viewer")
    sid = viewer.client.cookies.get(COOKIE)

    viewer.post("/logout", {})
    replay = Browser(viewer.web)
    replay.client.cookies.set(COOKIE, sid, domain="127.0.0.1")

    assert replay.get("/").status_code == 303


def test_disabling_a_user_ends_their_sessions_and_tokens_at_once(site, browser):
    editor = browser("editor")
    accounts = site.state.site.accounts
    token = accounts.new_token("editor")

    accounts.disable("editor")

    assert editor.get("/").status_code == 303
    assert editor.client.get("/api/lists", headers={"authorization": f"Bearer {token}"}).status_code == 401
    assert Browser(site).login("editor").status_code == 401


def test_a_viewer_cannot_post_a_form_or_a_fact_and_nothing_is_stored(browser):
    viewer = browser("viewer")

    form = viewer.post("/people/omarov-aslanbek/record", {"type": "detained", "on": "2022-01-09",
                                                          "source": "rferl-omarov"})
    api = viewer.client.post("/api/people/omarov-aslanbek/facts", headers={"x-csrf-token": viewer.csrf()},
                             json={"type": "detained", "on": "2022-01-09", "source": "rferl-omarov"})

    assert form.status_code == 403 and api.status_code == 403
    assert viewer.get("/api/people/omarov-aslanbek").json()["events"] == []


def test_every_page_carries_a_policy_without_inline_script_and_is_not_cached(browser):
    answer = browser("viewer").get("/")

    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and answer.headers["cache-control"] == "no-store"
    assert "<script" not in answer.text


def test_a_name_holding_markup_is_shown_as_text(site, browser):
    editor = browser("editor")
    editor.post("/people/new", {"key": "hostile-name", "name": "<script>alert(1)</script>"})

    page = editor.get("/people/hostile-name").text

    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_session_ends_by_itself_after_its_life(site, browser):
    from sqlalchemy import update

    from casetrail.web.accounts import sessions

    viewer = browser("viewer")
    accounts = site.state.site.accounts
    with accounts.writer.begin() as conn:
        conn.execute(update(sessions).values(expires=datetime.now(timezone.utc) - timedelta(seconds=1)))

    assert viewer.get("/").status_code == 303
