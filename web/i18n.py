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

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = {"en": "English", "ru": "Русский"}
DEFAULT = "en"
LOCALE = Path(__file__).parent / "locale"


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
