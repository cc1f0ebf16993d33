"""A search by name finds a name however it is written: Cyrillic or Latin, Kazakh letters, any case
or accent (``domain/names.search_words``, read by ``people --name`` and the web app's /people)."""

from __future__ import annotations

import pytest

from casetrail.domain.names import name_found, search_text

# (registered, typed): each found by the other. Words, not facts about anyone.
ALIKE = [
    ("Омаров", "Omarov"),
    ("Omarov", "ОМАРОВ"),
    ("Қасымова", "Kasymova"),
    ("Қасымова", "Qasymova"),
    ("Әсел", "Asel"),
    ("Нұрғали", "Nurgali"),
    ("Шыңғыс", "Shyngys"),
    ("Өмір", "Omir"),
    ("Ұлан", "Ulan"),
    ("Үміт", "Umit"),
    ("Һ", "H"),
    ("Ілияс", "Ilyas"),
    ("Тоқаев", "Tokayev"),
    ("Қайрат", "Kairat"),
    ("Қайрат", "Kayrat"),
    ("Жанаөзен", "Zhanaozen"),
    ("Жанаөзен", "Janaozen"),
    ("Ерлан", "Yerlan"),
    ("Хасенов", "Hasenov"),
    ("Нургельдин", "Nurgeldin"),
    ("Ömer", "omer"),
    ("Éric Müller", "eric muller"),
]


@pytest.mark.parametrize("registered, typed", ALIKE)
def test_a_name_is_found_from_either_script_and_back(registered, typed):
    assert name_found(typed, registered.casefold(), search_text([registered]))
    assert name_found(registered, typed.casefold(), search_text([typed]))


def test_the_words_of_a_search_may_come_in_any_order_and_in_part():
    names = ["Person A Omarov", "Персона А Қасымова"]
    spelt, folded = search_text(names), " | ".join(names).casefold()

    assert all(name_found(text, folded, spelt) for text in ("omarov person", "ОМАР", "kasym", "qasym", "персона"))


def test_a_search_does_not_find_a_name_without_its_words():
    spelt = search_text(["Person A Omarov"])

    assert not name_found("Омарова Асель", "person a omarov", spelt)
    assert not name_found("Kasymov", "person a omarov", spelt)


def test_text_without_letters_is_searched_as_typed():
    assert name_found("100%", "100% ali_khan", search_text(["100% Ali_Khan"]))
    assert not name_found("%", "plain person", search_text(["Plain Person"]))
