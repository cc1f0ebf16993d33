"""The web app in a real browser: Debian's chromium driven by Selenium through Debian's chromedriver.

The server is uvicorn on 127.0.0.1 in a thread of the test process, over an SQLite store of
the Aqtobe people; each scenario types into the pages as a person would. axe-core (npm,
tests/browser/node_modules) checks every page: no serious or critical violation. Nothing is
downloaded: Selenium is given the browser and the driver (and told to stay offline).
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.browser.conftest import HERE, unavailable
from tests.web.conftest import PASSWORD, RFERL

AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
DRIVER = "/usr/bin/chromedriver"
SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))

import load_web  # noqa: E402

FACTS: dict[str, str] = {}  # the synthetic facts the server fixture recorded, by person (and "person-a other")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app served by uvicorn on a free port of 127.0.0.1 (as the load script serves it), with a
    viewer, an editor and an admin."""
    pytest.importorskip("uvicorn")
    from argon2 import PasswordHasher

    from casetrail.store.application import Casetrail

    url = str(tmp_path_factory.mktemp("web") / "cases.db")
    store = Casetrail(url, recorded_by="tests")
    store.add_source("rferl-omarov", **RFERL)
    store.add_person("omarov-aslanbek", "Aslanbek Omarov", ["Асланбек Омаров"], place="Aqtobe")
    store.add_person("nurgeldin-faizulla", "Faizulla Nurgeldin", place="Aqtobe")
    # The 16 sentenced together in Aqtobe (rferl-omarov): one case, Omarov named, 15 counted.
    store.add_case("aqtobe-2023-02", "Trial of 16 people in Aqtobe", "rferl-omarov", court="Aqtobe court")
    store.add_party("aqtobe-2023-02", "accused", "omarov-aslanbek", on="2023-02", source="rferl-omarov")
    store.add_party("aqtobe-2023-02", "accused", unnamed=15, on="2023-02", source="rferl-omarov")
    # Synthetic people for the claim forms: person-a with two accounts of one detention, person-b with one.
    store.add_source("src-a", url="https://example.org/a")
    store.add_source("src-b", url="https://example.org/b")
    for key in ("person-a", "person-b"):
        store.add_person(key, key.replace("-", " ").title())
        FACTS[key] = str(store.record(key, "detained", on="2022-01-09", place="Town A", source="src-a").id)
    FACTS["person-a other"] = str(store.record("person-a", "detained", on="2022-01-09", place="Town B",
                                               source="src-b", disputes=FACTS["person-a"]).id)
    store.close()
    base, site, stop = load_web.serve(url)
    site.accounts.hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    for role in ("viewer", "editor", "admin"):
        site.accounts.add(role, role, PASSWORD)
    yield base
    stop()


@pytest.fixture(scope="module")
def driver_factory(tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(DRIVER, os.X_OK) or not os.access(binary, os.X_OK):
        unavailable("chromium and chromedriver are needed: apt-get install -y chromium chromium-driver")
    if not AXE.is_file():
        unavailable(f"axe-core is not installed in {HERE / 'node_modules'}; run: npm ci --prefix tests/browser")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a browser or a driver
    made = []

    def make(width: int = 1100):
        options = webdriver.ChromeOptions()
        options.binary_location = binary
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},900", "--lang=en-GB",
                     f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(DRIVER))
        if width < 500:  # a window is never narrower than 500 px: the page is told it is a phone's
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": True})
        made.append(driver)
        return driver

    yield make
    for driver in made:
        driver.quit()


class Person:
    """One user at the browser."""

    def __init__(self, driver, base: str) -> None:
        from selenium.webdriver.common.by import By

        self.driver, self.base, self.by = driver, base, By

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def find(self, css: str):
        return self.driver.find_element(self.by.CSS_SELECTOR, css)

    def type(self, css: str, text: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def login(self, name: str) -> None:
        self.open("/login")
        self.type("#name", name)
        self.type("#password", PASSWORD)
        self.submit()
        assert "/login" not in self.driver.current_url

    def record(self, key: str, type_name: str, on: str, **fields: str) -> None:
        self.open(f"/people/{key}/record?type={type_name}")
        self.type("#f-on", on)
        self.type("#f-source", "rferl-omarov")
        for name, value in fields.items():
            self.type(f"#f-{name}", value)
        self.submit()
        assert self.driver.current_url.endswith(f"/people/{key}"), self.text("main")

    def submit(self, form: str = "form.stacked") -> None:
        """Send the page's form (or the one ``form`` selects) and wait for the next page (a click returns
        before it has come)."""
        from selenium.webdriver.support.ui import WebDriverWait

        from selenium.common.exceptions import WebDriverException

        # A button found while the page still settles can be replaced before the click lands (the
        # click then raises and sent nothing): find it again until one click goes through.
        clicked = []
        WebDriverWait(self.driver, 20, ignored_exceptions=(WebDriverException,)).until(
            lambda d: clicked.append(_click(self.find(f"{form} button[type=submit]"))) or True)
        WebDriverWait(self.driver, 20).until(lambda d: _gone(clicked[-1]))

    def fill_person(self, key: str, name: str) -> None:
        """The add-a-person form, filled in but not sent."""
        self.open("/people/new")
        self.type("#f-key", key)
        self.type("#f-name", name)

    def text(self, css: str) -> str:
        return self.find(css).text

    def status(self) -> dict[str, str]:
        terms = self.driver.find_elements(self.by.CSS_SELECTOR, "dl.status dt")
        values = self.driver.find_elements(self.by.CSS_SELECTOR, "dl.status dd")
        return {t.text: v.text for t, v in zip(terms, values)}

    def violations(self) -> list[str]:
        """axe-core's serious and critical violations on the page as it stands."""
        if not self.driver.execute_script("return typeof axe !== 'undefined'"):
            self.driver.execute_script(AXE.read_text() + "\nreturn true;")
        found = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations));")
        return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                for v in found if v["impact"] in ("serious", "critical")]


def _click(element):
    element.click()
    return element


def _gone(element) -> bool:
    """The element has left the page: Chromium says so as a stale reference, or (when the old
    document is being torn down) as a node that no longer belongs to the document."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise
    return False


@pytest.fixture
def person(server, driver_factory):
    def at_browser(width: int = 1100) -> Person:
        return Person(driver_factory(width), server)

    return at_browser


def test_omarovs_facts_in_random_order_read_house_arrest_on_1_july_2022(person):
    editor = person()
    editor.login("editor")
    facts = [("detained", "2022-01-09", {"place": "Aqtobe"}), ("placed_under_house_arrest", "2022-05~", {}),
             ("released", "2022-10~", {"grounds": "end of house arrest"})]
    random.shuffle(facts)
    # A release recorded before any custody is refused (test_pages checks the line that says so):
    # any order but that one.
    while facts[0][0] == "released":
        random.shuffle(facts)

    for type_name, on, fields in facts:
        editor.record("omarov-aslanbek", type_name, on, **fields)
    editor.open("/people/omarov-aslanbek?as_of=2022-07-01")

    assert editor.status()["custody"] == "house_arrest"
    if os.environ.get("CASETRAIL_SCREENSHOTS"):
        SHOTS.mkdir(exist_ok=True)
        editor.driver.save_screenshot(str(SHOTS / "case-page.png"))


def test_nurgeldin_leaves_accidental_victims_and_enters_fatalities_on_the_list_pages(person):
    editor = person()
    editor.login("editor")
    editor.record("nurgeldin-faizulla", "designated", "2022-01~", designation="accidental_victim")
    editor.record("nurgeldin-faizulla", "died", "2022-03~", cause="gunshot wounds")

    seen = {}
    for day in ("2022-02-01", "2022-04-01"):
        for name in ("accidental_victims", "fatalities"):
            editor.open(f"/lists/{name}?as_of={day}")
            seen[day, name] = "Faizulla Nurgeldin" in editor.text("main table")

    assert seen == {("2022-02-01", "accidental_victims"): True, ("2022-02-01", "fatalities"): False,
                    ("2022-04-01", "accidental_victims"): False, ("2022-04-01", "fatalities"): True}
    if os.environ.get("CASETRAIL_SCREENSHOTS"):
        editor.driver.save_screenshot(str(SHOTS / "list-page.png"))


def _post_from_page(user: Person, action: str, fields: dict[str, str]) -> None:
    """Submit a form the page does not offer, as a person with the browser's tools could."""
    user.driver.execute_script(
        "const f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];"
        "for (const [k, v] of Object.entries(arguments[1])) {"
        "  const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.append(i); }"
        "document.body.append(f); f.submit();", action, fields)
    time.sleep(0.5)


def _viewer_posts(person, key: str, path: str, fields: dict[str, str]):
    """A viewer's post from ``key``'s page, forged with the page's CSRF token: (the viewer on the
    page it got back, the page's facts before, the page's facts after)."""
    viewer = person()
    viewer.login("viewer")
    viewer.open(f"/people/{key}")
    facts_before = viewer.text("table.facts")
    csrf = viewer.find("form[action='/logout'] input[name=csrf]").get_attribute("value")
    _post_from_page(viewer, f"/people/{key}/{path}", {"csrf": csrf, **fields})
    refused = viewer.text("main")
    viewer.open(f"/people/{key}")
    return viewer, refused, facts_before, viewer.text("table.facts")


def test_a_viewer_cannot_post_and_nothing_is_stored(person):
    viewer, refused, before, after = _viewer_posts(
        person, "nurgeldin-faizulla", "record", {"type": "noted", "on": "2022-01", "source": "rferl-omarov", "text": "x"})

    assert "a viewer may not do this" in refused and after == before
    assert not viewer.driver.find_elements(viewer.by.LINK_TEXT, "Record a fact")


def test_a_form_without_its_csrf_token_is_refused(person):
    editor = person()
    editor.login("editor")
    editor.fill_person("opushiyev-andrey", "Andrey Opushiyev")
    editor.driver.execute_script("document.querySelector('form.stacked input[name=csrf]').remove()")

    editor.submit()

    assert "security token is missing" in editor.text("main")
    editor.open("/people/opushiyev-andrey")
    assert "no person 'opushiyev-andrey'" in editor.text("main")


def test_a_name_holding_a_script_renders_as_text(person):
    from selenium.common.exceptions import NoAlertPresentException

    editor = person()
    editor.login("editor")
    editor.fill_person("hostile-name", "<script>alert(1)</script>")
    editor.submit()

    assert editor.text("h1").startswith("<script>alert(1)</script>")
    with pytest.raises(NoAlertPresentException):
        editor.driver.switch_to.alert.text


def test_logout_ends_the_session(person):
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    viewer = person()
    viewer.login("viewer")
    cookie = viewer.driver.get_cookie("casetrail_session")

    # The page after login may still be settling: a node found a moment before can be replaced, so
    # find the button and click it again until the click lands on the page as it stands.
    WebDriverWait(viewer.driver, 20, ignored_exceptions=(WebDriverException,)).until(
        lambda d: viewer.find("form[action='/logout'] button").click() or True)
    WebDriverWait(viewer.driver, 20).until(lambda d: "/login" in d.current_url)
    viewer.driver.add_cookie({"name": cookie["name"], "value": cookie["value"], "path": "/"})
    viewer.open("/people")

    assert "/login" in viewer.driver.current_url


def test_an_editor_adds_a_source_and_prefers_the_other_account_on_the_case_page(person):
    editor = person()
    editor.login("editor")
    first, other = FACTS["person-a"], FACTS["person-a other"]
    editor.open("/people/person-a")

    editor.find(f"#event-{first} details summary").click()
    editor.type(f"#f-corroborate-{first[:8]}-source", "https://example.org/a-copy")
    editor.type(f"#f-corroborate-{first[:8]}-claimant", "witness")
    editor.submit(f"form[action='/people/person-a/corroborate']:has(input[value='{first}'])")
    cited = editor.text(f"#account-{first}")
    editor.find(f"#account-{other} details summary").click()
    editor.type(f"#f-prefer-{other[:8]}-reason", "src-b was there")
    editor.submit(f"form[action='/people/person-a/prefer']:has(input[value='{other}'])")

    assert "example-org" in cited and "witness" in cited
    assert "preferred: src-b was there" in editor.text("main")
    assert "Town B" in editor.text("table.facts") and "Town A" not in editor.text("table.facts")
    assert editor.violations() == []


def test_a_likely_duplicate_offers_its_three_choices_and_records_the_one_chosen(person):
    editor = person()
    editor.login("editor")
    editor.open("/people/person-b/record?type=detained")
    editor.type("#f-on", "2022-01-09")
    editor.type("#f-source", "src-b")
    editor.type("#f-place", "Town C")

    editor.submit()
    offered = [e.get_attribute("value") for e in editor.driver.find_elements(editor.by.CSS_SELECTOR,
                                                                             "input[name=choice]")]
    refused = editor.text("fieldset.choices")
    problems = editor.violations()
    editor.find("#choice-corroborates").click()
    editor.submit()

    assert offered == ["disputes", "corroborates", "distinct"] and f"may be event {FACTS['person-b'][:8]}" in refused
    assert problems == []
    assert editor.driver.current_url.endswith("/people/person-b")
    assert "src-a" in editor.text(f"#event-{FACTS['person-b']}") and "src-b" in editor.text(f"#event-{FACTS['person-b']}")


def test_a_viewer_cannot_post_a_claim_and_nothing_is_stored(person):
    viewer, refused, before, after = _viewer_posts(
        person, "person-b", "corroborate", {"event_id": FACTS["person-b"], "source": "https://example.org/viewer"})

    assert "a viewer may not do this" in refused and after == before
    assert not viewer.driver.find_elements(viewer.by.CSS_SELECTOR, "form.claim")


def test_a_claim_form_without_its_csrf_token_is_refused(person):
    editor = person()
    editor.login("editor")
    fact = FACTS["person-b"]
    editor.open("/people/person-b")
    editor.find(f"#event-{fact} details summary").click()
    form = f"form[action='/people/person-b/retract']:has(input[value='{fact}'])"
    editor.type(f"#f-retract-{fact[:8]}-reason", "a test of the token")
    editor.driver.execute_script(f"document.querySelector(\"{form} input[name=csrf]\").remove()")

    editor.submit(form)

    assert "security token is missing" in editor.text("main")
    editor.open("/people/person-b")
    assert "a test of the token" not in editor.text("main")


PAGES = ["/", "/people", "/people?custody=detained", "/people?name=Омаров", "/people/omarov-aslanbek",
         "/people/person-a", "/people/omarov-aslanbek/record",
         "/people/person-a/record?type=detained&disputes=0000",  # the record form as another account of a fact
         "/lists/fatalities", "/changes", "/sources", "/sources/rferl-omarov", "/people/new", "/sources/new", "/import",
         "/users", "/cases", "/cases/aqtobe-2023-02"]


def test_every_page_has_no_serious_or_critical_accessibility_violation(person):
    admin = person()
    admin.open("/login")
    found = {"/login": admin.violations()}
    admin.login("admin")

    for path in PAGES:
        admin.open(path)
        found[path] = admin.violations()

    assert {path: v for path, v in found.items() if v} == {}


def test_every_page_is_readable_at_320_pixels_without_scrolling_sideways(person):
    narrow = person(320)
    narrow.login("admin")
    wide = {}

    for path in PAGES:
        narrow.open(path)
        wide[path] = narrow.driver.execute_script("return document.documentElement.scrollWidth")

    assert {path: w for path, w in wide.items() if w > 320} == {}


def test_the_keyboard_reaches_the_skip_link_first_and_then_the_menu(person):
    from selenium.webdriver.common.keys import Keys

    viewer = person()
    viewer.login("viewer")
    viewer.open("/")

    viewer.find("body").send_keys(Keys.TAB)
    first = viewer.driver.switch_to.active_element
    first.send_keys(Keys.TAB)
    second = viewer.driver.switch_to.active_element

    assert first.get_attribute("class") == "skip" and second.text == "casetrail"


def test_a_case_prints_on_one_page_with_its_facts_and_sources(person):
    import base64

    editor = person()
    editor.login("editor")
    editor.open("/people/omarov-aslanbek?as_of=2024-12-31")

    pdf = base64.b64decode(editor.driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})["data"])
    if os.environ.get("CASETRAIL_SCREENSHOTS"):
        (SHOTS / "case-page.pdf").write_bytes(pdf)
    editor.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    shown = editor.driver.execute_script(
        "const seen = s => [...document.querySelectorAll(s)].some(e => e.checkVisibility());"
        "return {header: seen('header'), forms: seen('main form'), facts: seen('table.facts'),"
        "        picture: seen('svg.timeline'), status: seen('dl.status')};")

    assert _pages(pdf) == 1
    assert shown == {"header": False, "forms": False, "facts": True, "picture": True, "status": True}


def _pages(pdf: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))

