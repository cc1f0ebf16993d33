"""The read models' personal text, sealed with the store's own cipher when the store is encrypted.

Encrypting the events means nothing if the tables beside them keep names in plaintext.
So, with ``CASETRAIL_KEY`` set, every read-model column that holds a name, alias, birth
year, place, note, source URL, outlet or title, or the free-text ``by`` of a fact, holds
``base64(AES-GCM(text))`` made with the same key as the events (a fresh nonce each time:
equal names do not give equal ciphertexts). What the queries filter and join on (keys,
stream ids, dates, facet values, list names) stays plaintext, so every query is still one
SQL statement; the few sealed values a command shows are opened in Python afterwards, and
``people --name`` filters its candidates in Python after opening their names.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from casetrail.domain.errors import StoreError


class Sealer:
    """Seals and opens read-model text; without a cipher, passes it through unchanged."""

    def __init__(self, cipher: Any = None, where: str = "the store") -> None:
        self.cipher = cipher
        self.where = where

    @property
    def on(self) -> bool:
        return self.cipher is not None

    def seal(self, text: str | None) -> str | None:
        if text is None or self.cipher is None:
            return text
        return base64.b64encode(self.cipher.encrypt(text.encode())).decode("ascii")

    def open(self, text: str | None) -> str | None:
        if text is None or self.cipher is None:
            return text
        try:
            return self.cipher.decrypt(base64.b64decode(text)).decode()
        except Exception:
            raise StoreError(f"the read models of store {self.where} cannot be decrypted with this key: rebuild them "
                             "with 'casetrail projections rebuild'") from None

    def fingerprint(self, rules: str) -> str:
        """What the views' rows follow: the list rules, and whether they are sealed."""
        return fingerprint(rules, self.on)


def fingerprint(rules: str, sealed: bool) -> str:
    """The rules' fingerprint, marked when the rows are sealed (unsealed, the rules' own, so
    existing plaintext views are not rebuilt for nothing). Views made the other way are rebuilt."""
    if not sealed:
        return rules
    return hashlib.blake2b(f"{rules}\x1fsealed".encode(), digest_size=16).hexdigest()


PLAIN = Sealer()
