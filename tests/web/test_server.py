"""The server keeps its read models current by itself, and an admin imports a file: dry run, then confirm."""

from __future__ import annotations

import time
from pathlib import Path

from starlette.testclient import TestClient

from casetrail.store.application import Casetrail
from casetrail.web.app import create_app
from tests.web.conftest import PASSWORD, Browser, token_in

EXAMPLE = Path(__file__).parents[2] / "examples" / "january2022.yaml"


def test_a_fact_recorded_elsewhere_reaches_the_lists_without_a_request_catching_up(web_url):
    web = create_app(web_url, follow=True)
    web.state.site.accounts.add("viewer", "viewer", PASSWORD)
    with TestClient(web, base_url="http://127.0.0.1", follow_redirects=False):
        viewer = Browser(web)
        viewer.login("viewer")
        other = Casetrail(web_url, recorded_by="tests")  # another process: the CLI, an import
        other.record("omarov-aslanbek", "detained", on="2022-01-09", source="rferl-omarov")
        other.close()
        deadline, count = time.monotonic() + 20, 0
        while time.monotonic() < deadline and count == 0:
            time.sleep(0.2)
            count = {row["list"]: row["members"] for row in viewer.get("/api/lists").json()["lists"]}["detained"]
        follower = web.state.site._follower

    assert count == 1
    assert not follower.is_alive()  # stopped with the server


def test_an_admin_imports_a_file_after_its_dry_run(browser):
    admin = browser("admin")
    upload = {"file": ("january2022.yaml", EXAMPLE.read_bytes(), "application/yaml")}

    checked = admin.client.post("/import", data={"csrf": admin.csrf("/import")}, files=upload)
    before = admin.get("/api/people/ruzakhunov-vikram").status_code
    pending = checked.text.split('name="pending" value="')[1].split('"')[0]
    done = admin.client.post("/import", data={"csrf": token_in(checked.text), "pending": pending})

    assert checked.status_code == 200 and "nothing written yet" in checked.text
    assert before == 404
    assert done.status_code == 200 and "Imported january2022.yaml" in done.text
    assert admin.get("/api/people/ruzakhunov-vikram").json()["name"] == "Vikram Ruzakhunov"
    again = admin.client.post("/import", data={"csrf": token_in(done.text), "pending": pending})
    assert again.status_code == 400  # a confirmation is used once


def test_a_file_with_problems_is_reported_and_cannot_be_confirmed(browser):
    admin = browser("admin")
    bad = b"events:\n  - {person: omarov-aslanbek, type: detained, 'on': '2022-13-45', source: rferl-omarov}\n"

    checked = admin.client.post("/import", data={"csrf": admin.csrf("/import")},
                                files={"file": ("bad.yaml", bad, "application/yaml")})

    assert "2022-13-45" in checked.text and 'name="pending"' not in checked.text
    assert admin.get("/api/people/omarov-aslanbek").json()["events"] == []


def test_an_editor_may_not_import(browser):
    editor = browser("editor")

    answer = editor.client.post("/import", data={"csrf": editor.csrf()},
                                files={"file": ("january2022.yaml", EXAMPLE.read_bytes(), "application/yaml")})

    assert answer.status_code == 403
    assert editor.get("/api/people/ruzakhunov-vikram").status_code == 404
