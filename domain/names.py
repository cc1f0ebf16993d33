"""Registered people's names found in free text, however they are written, for redaction.

A name is compared word by word in one spelling: NFKC, then transliterated to ASCII
(``anyascii``: "Омаров", "OMAROV" and "Оmarov" with a Cyrillic O are all ``omarov``,
"İlyas" is ``ilyas``), letters only. A word also matches with a case ending (Russian
and Kazakh names decline: Омарова, Омаровым, Асланбеку), words may stand in any order
with a space, dash, dot or underscore between them (``omarov_aslanbek``), or be
joined (``OmarovAslanbek``). Percent-encoded text (an address's path) is decoded first.

What a match becomes: a registered name or alias in full (all its words) is that
person's, and only if nobody else has the same one. One word of a name is only "a
name": it is never taken for the person it belongs to, since a first name or a
family name is shared by many (a victim's father is not the victim).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations
from typing import Iterable, Iterator
from urllib.parse import unquote

from anyascii import anyascii

MIN_WORD = 3  # a shorter word of a name (an initial, "al") is matched only inside the full name
MAX_PHRASE = 5  # words of one name or alias; longer ones are split at brackets and commas first
# Case endings, as transliterated: Russian nouns and adjectives (Омарова, Омарову, Омаровым,
# Омарове, Омаровой, Марией, Игорем) and English plurals. A name word matches itself or its
# stem (the word less a final vowel) followed by one of these.
ENDINGS = ("", "a", "u", "e", "i", "y", "s", "es", "om", "ym", "im", "em", "oy", "oi", "oj", "ey", "ei", "oyu",
           "ya", "yu", "ye", "ii", "iya", "iyu", "iye", "iem", "iey", "am", "ami", "akh", "ykh", "ikh",
           "ymi", "ogo", "omu", "ego", "emu", "aya", "uyu", "yam", "yami", "yakh")
_LONGEST_ENDING = max(map(len, ENDINGS))
_ENDING_SET = frozenset(ENDINGS)
_FINAL = ("iy", "yy", "ya", "a", "y", "i", "e", "o")  # what a stem leaves off
_LETTERS = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f\u0483-\u0489])+")  # letters with their combining marks
_GAP = re.compile(r"[\s_.\-+'’,]{1,3}")  # what may stand between the words of one name
_PARTS = re.compile(r"[()\[\],;/|]")  # an alias "Aslanbek Omarov (Асланбек Омаров)" is two names


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    person: int | None  # the person's number, or None: a name, but whose cannot be said


def plain(text: str) -> str:
    """The text compared and shown: percent-decoded, NFKC, without invisible format characters."""
    for _ in range(3):  # an address may be encoded twice
        if "%" not in text:
            break
        try:
            decoded = unquote(text, errors="strict")
        except UnicodeDecodeError:
            break
        if decoded == text:
            break
        text = decoded
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if unicodedata.category(c) != "Cf")  # zero-width spaces, soft hyphens


@lru_cache(maxsize=65536)
def spelling(word: str) -> str:
    """One word as compared: transliterated to lower-case ASCII letters."""
    return re.sub(r"[^a-z]", "", anyascii(word).lower())


def words(text: str) -> Iterator[re.Match]:
    return _LETTERS.finditer(text)


def _bases(token: str) -> Iterator[str]:
    """The token less each case ending it may end with (and the token itself)."""
    for cut in range(min(_LONGEST_ENDING, len(token) - 1) + 1):
        if token[len(token) - cut:] in _ENDING_SET:
            yield token[: len(token) - cut]


def _stem(word: str) -> str:
    for final in _FINAL:
        if word.endswith(final) and len(word) - len(final) >= MIN_WORD:
            return word[: -len(final)]
    return word


class NameIndex:
    """Every registered name, alias and key, by the spelling of its words."""

    def __init__(self, people: Iterable[tuple[int, Iterable[str]]]) -> None:
        self._stems: dict[str, set[str]] = {}  # a word or its stem -> the name words it stands for
        self._phrases: dict[tuple[str, ...], set[int]] = {}  # a name's words (sorted) -> whose
        self._joined: dict[str, tuple[str, ...]] = {}  # its words run together -> the name
        self._partial: dict[str, set[int]] = {}  # a word of MIN_WORD letters or more -> whose names have it
        for number, names in people:
            for name in names:
                for part in _PARTS.split(plain(name)):
                    self._add(number, [spelling(w.group()) for w in words(part)])
        self.longest = max(map(len, self._phrases), default=0)

    def _add(self, number: int, spelt: list[str]) -> None:
        spelt = list(dict.fromkeys(w for w in spelt if w))[:MAX_PHRASE]
        if not spelt:
            return
        phrase = tuple(sorted(spelt))
        self._phrases.setdefault(phrase, set()).add(number)
        for word in spelt:
            for form in {word, _stem(word)}:
                self._stems.setdefault(form, set()).add(word)
            if len(word) >= MIN_WORD:
                self._partial.setdefault(word, set()).add(number)
        if len(spelt) > 1:
            # Run together in any order; a longer name (with a patronymic) as written or reversed.
            for order in permutations(spelt) if len(spelt) <= 3 else (spelt, spelt[::-1]):
                self._joined["".join(order)] = phrase
                self._joined["".join(order[:-1]) + _stem(order[-1])] = phrase

    def find(self, text: str) -> list[Found]:
        """Each name in ``text`` (as ``plain`` gives it), left to right, longest first."""
        tokens = list(words(text))
        spelt = [spelling(token.group()) for token in tokens]
        options = [self._words_of(word) for word in spelt]
        found, i = [], 0
        while i < len(tokens):
            size, person = self._at(text, tokens, spelt, options, i)
            if size:
                found.append(Found(tokens[i].start(), tokens[i + size - 1].end(), person))
            i += size or 1
        return found

    def _at(self, text: str, tokens: list[re.Match], spelt: list[str], options: list[set[str]],
            i: int) -> tuple[int, int | None]:
        """How many words from ``i`` on make a name (0: none), and whose it is."""
        for size in range(min(self.longest, len(tokens) - i), 1, -1) if options[i] else ():
            window = tokens[i:i + size]
            if all(_GAP.fullmatch(text, a.end(), b.start()) for a, b in zip(window, window[1:])):
                phrase = self._phrase(options[i:i + size])
                if phrase:
                    return size, self._whose(phrase)
        phrase = self._joined_phrase(spelt[i]) or self._phrase(options[i:i + 1])
        if phrase:
            return 1, self._whose(phrase)
        if any(len(w) >= MIN_WORD for w in options[i]):
            return 1, None
        return 0, None

    def _words_of(self, token: str) -> set[str]:
        """The name words a spelt token is a form of."""
        found: set[str] = set()
        for base in _bases(token):
            found |= self._stems.get(base, set())
        return found

    def _phrase(self, options: list[set[str]]) -> tuple[str, ...] | None:
        """The registered name these words are (in any order, each in any of its forms)."""
        if not all(options):
            return None
        for order in permutations(sorted(set().union(*options)), len(options)):
            if all(word in option for word, option in zip(order, options)):
                phrase = tuple(sorted(order))
                if phrase in self._phrases:
                    return phrase
        return None

    def _joined_phrase(self, token: str) -> tuple[str, ...] | None:
        for base in _bases(token):
            phrase = self._joined.get(base)
            if phrase:
                return phrase
        return None

    def _whose(self, phrase: tuple[str, ...]) -> int | None:
        """The one person with this name; None when it is shared, or one word that is also a
        word of someone else's name."""
        people = set(self._phrases[phrase])
        if len(phrase) == 1:
            people |= self._partial.get(phrase[0], set())
        return next(iter(people)) if len(people) == 1 else None


# -- likely duplicates (issue 12: one human registered twice, under two spellings) ----------------------

SAME = 100  # the score of two names that are one spelling after normalising
NEAR = 2  # at most this many letters' edits apart (of names at least NEAR_LENGTH letters long) is near
NEAR_LENGTH = 6


def name_key(name: str) -> str:
    """A name as compared for duplicates: NFKC, case-folded, transliterated to ASCII (Kazakh and Russian
    letters too: ә a, ғ gh, қ q, ң ng, ө o, ұ u, ү u, һ h, і i), letters only, words in sorted order
    ("Omarov Aslanbek" is "Асланбек Омаров")."""
    found = (spelling(m.group()) for m in words(plain(name).casefold()))
    return " ".join(sorted(w for w in found if w))


def likeness(one: str, other: str) -> int | None:
    """How alike two names are, 0-100 (``SAME`` when one spelling), or None when not alike enough."""
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.fuzz import ratio

    a, b = name_key(one), name_key(other)
    if not a or not b:
        return None
    if a == b:
        return SAME
    if min(len(a), len(b)) >= NEAR_LENGTH and Levenshtein.distance(a, b, score_cutoff=NEAR) <= NEAR:
        return int(ratio(a, b))
    return None


def alike(names: list[str], others: list[str]) -> tuple[int, str, str] | None:
    """The best (score, name, other name) of two people's names and aliases, or None."""
    best = None
    for one in names:
        for other in others:
            score = likeness(one, other)
            if score is not None and (best is None or score > best[0]):
                best = (score, one, other)
    return best


BLOCK = 50  # people sharing one name word compared pairwise; a word more of them share tells nothing


def likely_duplicates(people: list[tuple[str, list[str]]], new: set[str] | None = None) -> list[dict]:
    """Pairs of people whose names or aliases are alike, best first: ``people`` is (key, names) each;
    with ``new``, only pairs with one of those keys. Only people who share a whole name (as ``name_key``
    spells it), one word of one or the first four letters of a word are compared, so a store of 100,000 people is not compared pairwise."""
    blocks: dict[str, set[int]] = {}
    for i, (_, names) in enumerate(people):
        for name in names:
            spelled = name_key(name)
            for word in {spelled, *spelled.split(), *(w[:4] + "…" for w in spelled.split())}:  # a word's start too
                if len(word) >= 3:
                    blocks.setdefault(word, set()).add(i)
    candidates = {(i, j) for members in blocks.values() if len(members) <= BLOCK for i in members for j in members
                  if i < j}
    pairs = []
    for i, j in sorted(candidates):
        (key, names), (other, other_names) = people[i], people[j]
        if new is not None and key not in new and other not in new:
            continue
        found = alike(names, other_names)
        if found:
            pairs.append({"people": [key, other], "score": found[0], "names": [found[1], found[2]]})
    return sorted(pairs, key=lambda p: (-p["score"], p["people"]))


# -- searching by name -----------------------------------------------------------------------------
#
# A search (``people --name``, the web app's /people) finds a name however it is written: in
# Cyrillic or Latin letters (Омаров and Omarov), with Kazakh letters (ә ғ қ ң ө ұ ү һ і), in
# any case, with or without accents. Both the registered names and the text searched for are
# spelt the same way: each word transliterated (``spelling``), then the usual differences
# between transliterations folded together, so "Қайрат", "Kairat" and "Kayrat", "Тоқаев" and
# "Tokayev", "Жанаөзен" and "Janaozen", "Шыңғыс" and "Shyngys" spell alike. A name is found
# when every word searched for is part of one of its words (in any order).

_FOLDS = (("dzh", "j"), ("zh", "j"), ("kh", "h"), ("gh", "g"), ("q", "k"), ("x", "ks"), ("w", "v"), ("y", "i"))
_VOWELS = "aeiou"


@lru_cache(maxsize=65536)
def searched(word: str) -> str:
    """One word as a search compares it: transliterated, its transliteration variants folded
    (dzh/zh j, kh h, gh g, q k, y i), an i between vowels or before a word's first vowel dropped
    (Tokayev, Yerlan), and doubled letters made single (Abilqayyr, Abilkaiyr)."""
    spelt = spelling(word)
    for longer, shorter in _FOLDS:
        spelt = spelt.replace(longer, shorter)
    kept = [c for i, c in enumerate(spelt)
            if not (c == "i" and i + 1 < len(spelt) and spelt[i + 1] in _VOWELS
                    and (i == 0 or spelt[i - 1] in _VOWELS))]
    return re.sub(r"(.)\1+", r"\1", "".join(kept))


def search_words(text: str) -> list[str]:
    """The words of ``text`` as a search compares them (none for text without letters)."""
    normal = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf")
    return [w for w in (searched(m.group()) for m in words(normal)) if w]


def search_text(names: Iterable[str]) -> str:
    """A person's names and aliases as a search reads them: each name's words, names apart."""
    return " | ".join(" ".join(search_words(name)) for name in names)


def name_found(text: str, casefolded: str, spelt: str) -> bool:
    """Whether a search for ``text`` finds a person whose names, case-folded, are ``casefolded``
    and, as ``search_text`` gives them, ``spelt``: the text as typed in any case, or every one
    of its words in the spelt names."""
    wanted = search_words(text)
    return text.casefold() in casefolded or (bool(wanted) and all(word in spelt for word in wanted))
