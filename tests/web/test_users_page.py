"""Admins manage users in the browser as ``casetrail user`` does on the command line."""

from __future__ import annotations

from tests.web.conftest import Browser


def test_an_admin_adds_a_user_who_can_then_log_in(site, browser):
    admin = browser("admin")

    added = admin.post("/users", {"name": "aigerim", "role": "editor", "password": "a long enough password"})

    assert added.status_code == 303
    assert "aigerim" in admin.get("/users").text
    assert Browser(site).login("aigerim", "a long enough password").status_code == 303


def test_an_admin_disables_a_user_and_their_session_ends(browser):
    admin, editor = browser("admin"), browser("editor")

    admin.post("/users", {"disable": "editor"})

    assert editor.get("/").status_code == 303
    assert "disabled" in admin.get("/users").text


def test_a_short_password_or_a_bad_name_is_refused_in_one_line_and_nobody_is_added(site, browser):
    admin = browser("admin")

    short = admin.post("/users", {"name": "aigerim", "role": "editor", "password": "short"})
    bad = admin.post("/users", {"name": "Aigerim K", "role": "editor", "password": "a long enough password"})

    assert short.status_code == 400 and "give at least 10" in short.text
    assert bad.status_code == 400 and "is not a plain name" in bad.text
    assert [u["name"] for u in site.state.site.accounts.listed()] == ["admin", "editor", "viewer"]


def test_an_editor_may_not_see_or_change_users(browser):
    editor = browser("editor")

    assert editor.get("/users").status_code == 403
    assert editor.post("/users", {"disable": "admin"}).status_code == 403
    assert browser("admin").get("/").status_code == 200
