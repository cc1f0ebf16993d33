"""English and Russian: gettext catalogs (Babel) read from the ``.po`` files at start-up.

The catalogs are compiled in memory when the server starts, so the ``.po`` file in the
repository is the only copy and can never disagree with a stale ``.mo``. The language is
the user's own choice if they made one, else the browser's first acceptable preference.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = {"en": "English", "ru": "Русский"}
DEFAULT = "en"
LOCALE = Path(__file__).parent / "locale"
_BABEL = {"en": "en_GB"}  # 9 January 2022, as the CLI's pictures write it


@cache
def translations(language: str) -> gettext.NullTranslations:
    po = LOCALE / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT or not po.is_file():
        return gettext.NullTranslations()  # the templates are written in English
    with po.open("rb") as file:
        catalog = read_po(file, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def chosen(own: str | None, accept_language: str | None) -> str:
    """The user's language, else the first of the browser's preferences we have, else English."""
    if own in LANGUAGES:
        return own
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, weight = part.strip().partition(";q=")
        try:
            quality = float(weight) if weight else 1.0
        except ValueError:
            continue
        ranked.append((-quality, position, tag.split("-")[0].lower()))
    for _, _, tag in sorted(ranked):
        if tag in LANGUAGES:
            return tag
    return DEFAULT


def date_reading(text: str, language: str) -> str:
    """A fuzzy date in the reader's words ('about May 2022', 'около май 2022 г.'); '' when the date as
    written says it all. Shown beside the date as written, never instead of it."""
    from casetrail.domain.dates import FuzzyDate

    try:
        on = FuzzyDate.parse(text)
    except ValueError:
        return ""
    locale = _BABEL.get(language, language)
    day = on.earliest
    if on.precision not in ("year", "month", "day"):  # an interval or a season: in English words for now
        return on.words()
    words = {"year": str(day.year), "month": format_skeleton("yMMMM", day, locale=locale),
             "day": format_date(day, "long", locale=locale)}[on.precision]
    gettext = translations(language).gettext
    if on.qualifier == "~":
        return gettext("about %(date)s") % {"date": words}
    if on.qualifier == "?":
        return gettext("%(date)s, uncertain") % {"date": words}
    return "" if on.precision == "year" else words
