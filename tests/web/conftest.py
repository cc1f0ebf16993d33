"""The web app over a store of each kind: three accounts, the Aqtobe source and people, a client per role.

Each ``Browser`` is a Starlette TestClient (the app in-process, no server, no follower
thread: a write through the web catches the views up itself) logged in through the login
form as a user would be.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from casetrail.store.application import Casetrail
from casetrail.web.accounts import Accounts
from casetrail.web.app import create_app

PASSWORD = "correct horse battery staple"
RFERL = dict(url="https://www.rferl.org/a/kazakhstan-compensation-aqtobe-man-jaunuary-/32573146.html",
             outlet="RFE/RL", published=date(2024, 9, 1),
             title="Kazakh Court Awards Compensation To Man Wrongly Detained During Unrest In January 2022",
             note="Undated on the page; the publication date follows the project's issue. See the date doubt in the "
                  "header and in docs/DATASET.md.")  # as examples/january2022.yaml has it, which an import checks


@pytest.fixture
def web_url(store_url):
    """A store holding the RFE/RL report and three people of examples/january2022.yaml, no facts yet."""
    app = Casetrail(store_url, recorded_by="tests")
    app.add_source("rferl-omarov", **RFERL)
    app.add_person("omarov-aslanbek", "Aslanbek Omarov", ["Асланбек Омаров"], place="Aqtobe")
    app.add_person("nurgeldin-faizulla", "Faizulla Nurgeldin", place="Aqtobe")
    app.add_person("zhubanazarov-ruslanbek", "Ruslanbek Zhubanazarov", place="Aqtobe")
    app.close()
    return store_url


@pytest.fixture
def site(web_url):
    web = create_app(web_url, follow=False)
    accounts: Accounts = web.state.site.accounts
    # Argon2id still, at its smallest cost: the real one (0.5 s a hash here) would make these tests
    # minutes long; test_accounts checks what the server uses.
    accounts.hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    for role in ("viewer", "editor", "admin"):
        accounts.add(role, role, PASSWORD)
    with TestClient(web, base_url="http://127.0.0.1", follow_redirects=False) as client:
        yield web
        client.close()


class Browser:
    """One user's client: their cookies, the CSRF token of the page they last read."""

    def __init__(self, web, base_url: str = "http://127.0.0.1") -> None:
        self.client = TestClient(web, base_url=base_url, follow_redirects=False)
        self.web = web

    def login(self, name: str, password: str = PASSWORD, next_: str = "/"):
        page = self.client.get("/login", params={"next": next_})
        return self.client.post("/login", data={"name": name, "password": password, "next": next_,
                                                "csrf": token_in(page.text)})

    def csrf(self, path: str = "/") -> str:
        return token_in(self.client.get(path).text)

    def post(self, path: str, data: dict, csrf: bool = True):
        form = {**data, "csrf": self.csrf()} if csrf else data
        return self.client.post(path, data=form)

    def get(self, path: str, **params):
        return self.client.get(path, params=params or None)


def token_in(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@pytest.fixture
def browser(site):
    """A client for each role, logged in."""

    def logged_in(role: str) -> Browser:
        user = Browser(site)
        assert user.login(role).status_code == 303
        return user

    return logged_in
