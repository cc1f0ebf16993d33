"""English and Russian: the browser's preference, the user's own choice, and a complete catalog."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from casetrail.web.i18n import chosen

ROOT = Path(__file__).parents[2]
RUSSIAN = ROOT / "web" / "locale" / "ru" / "LC_MESSAGES" / "messages.po"


def test_the_browsers_preference_chooses_russian(browser):
    viewer = browser("viewer")

    page = viewer.client.get("/", headers={"accept-language": "ru-RU,ru;q=0.9,en;q=0.8"}).text

    assert '<html lang="ru">' in page and "Списки" in page and "Выйти" in page


def test_a_users_own_choice_wins_over_the_browsers(browser):
    viewer = browser("viewer")

    viewer.post("/language", {"language": "en", "back": "/people"})
    page = viewer.client.get("/", headers={"accept-language": "ru"}).text

    assert '<html lang="en">' in page and "Log out" in page


def test_a_language_is_chosen_from_the_first_acceptable_preference():
    assert chosen(None, "kk-KZ, ru;q=0.8, en;q=0.5") == "ru"
    assert chosen(None, "en;q=0.4, ru;q=0.9") == "ru"
    assert chosen(None, "kk, de") == "en"
    assert chosen(None, "ru;q=abc, en") == "en"
    assert chosen("en", "ru") == "en"


def test_the_russian_catalog_translates_every_message_the_pages_use(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "web/babel.cfg", "-k", "N_",
                    "--no-location", "-o", str(template), "."], cwd=ROOT, check=True, capture_output=True)
    with template.open("rb") as file:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(file) if m.id}
    with RUSSIAN.open("rb") as file:
        russian = {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in read_po(file, locale="ru") if m.id}

    assert wanted - set(russian) == set()  # run pybabel extract and update (README) after changing a page
    assert [m for m in wanted if not russian[m] or (isinstance(russian[m], tuple) and not all(russian[m]))] == []


def test_a_fuzzy_date_is_read_in_the_readers_words_beside_the_date_as_written(browser):
    from casetrail.web.i18n import date_reading

    editor = browser("editor")
    editor.post("/people/omarov-aslanbek/record", {"type": "placed_under_house_arrest", "on": "2022-05~",
                                                   "source": "rferl-omarov"})

    english = editor.client.get("/people/omarov-aslanbek", headers={"accept-language": "en"}).text
    russian = editor.client.get("/people/omarov-aslanbek", headers={"accept-language": "ru"}).text

    assert "2022-05~<br><span class=\"help\">about May 2022</span>" in english
    assert "2022-05~<br><span class=\"help\">примерно май 2022" in russian
    assert date_reading("2022-01-09", "en") == "9 January 2022" and date_reading("2022-01-09", "ru").startswith(
        "9 января 2022")
    assert date_reading("2022", "en") == "" and date_reading("2024?", "en") == "2024, uncertain"
