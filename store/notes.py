"""Signed checkpoints in the C2SP formats: tlog-checkpoint text, signed-note signatures, Ed25519.

A checkpoint's text is the log's origin, its size, its root hash (base64) and one extension
line with the time it was made; a signature line ``— NAME base64(key id || signature)``
follows a blank line. The key id is the first 4 bytes of SHA-256(name, 0x0A, 0x01, public
key). Keys are written as Go's ``note`` package writes them: a verifier key
``NAME+KEYID+base64(0x01 || public key)`` to publish, and a signing key
``PRIVATE+KEY+NAME+KEYID+base64(0x01 || seed)`` to keep secret (CASETRAIL_SIGNING_KEY).
So the notes and keys are those of Certificate Transparency's successors (Go's checksum
database, sigsum): anyone's tools can check them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from casetrail.domain.dates import time_text
from casetrail.domain.errors import BadInput

ED25519 = b"\x01"
DASH = "\u2014 "
ENV_SIGNING_KEY = "CASETRAIL_SIGNING_KEY"
_NAME = re.compile(r"[^\s+]{1,100}")


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    name: str
    public: bytes

    @property
    def text(self) -> str:
        return f"{self.name}+{key_id(self.name, self.public).hex()}+{base64.b64encode(ED25519 + self.public).decode()}"

    def valid(self, body: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, body)
            return True
        except InvalidSignature:
            return False


@dataclass(frozen=True)
class Signer:
    name: str
    seed: bytes

    @classmethod
    def new(cls, name: str) -> Signer:
        check_name(name)
        key = Ed25519PrivateKey.generate()
        return cls(name, key.private_bytes_raw())

    @property
    def verifier(self) -> Verifier:
        public = Ed25519PrivateKey.from_private_bytes(self.seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return Verifier(self.name, public)

    @property
    def text(self) -> str:
        tail = f"{key_id(self.name, self.verifier.public).hex()}+{base64.b64encode(ED25519 + self.seed).decode()}"
        return f"PRIVATE+KEY+{self.name}+{tail}"

    def sign(self, body: str) -> str:
        """The signed note: ``body`` (ending in a newline), a blank line, the signature line."""
        signature = Ed25519PrivateKey.from_private_bytes(self.seed).sign(body.encode())
        blob = base64.b64encode(key_id(self.name, self.verifier.public) + signature).decode()
        return f"{body}\n{DASH}{self.name} {blob}\n"


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name or ""):
        raise BadInput(f"key name '{name}' is not valid: one word without spaces or '+', e.g. casetrail.example/aqtobe")
    return name


def _key_parts(text: str, what: str, fields: int) -> list[str]:
    parts = (text or "").strip().split("+", fields - 1)  # base64 may hold '+' too
    if len(parts) != fields:
        raise BadInput(what)
    return parts


def _keyed(name: str, hex_id: str, blob: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(blob, validate=True)
        given_id = bytes.fromhex(hex_id)
    except (binascii.Error, ValueError):
        raise BadInput(what) from None
    if len(raw) != 33 or raw[:1] != ED25519 or len(given_id) != 4:
        raise BadInput(what)
    return raw[1:]


def parse_verifier(text: str) -> Verifier:
    what = (f"'{text.strip()[:60]}' is not a public key: give it as 'casetrail key new --signing' printed it, "
            "NAME+KEYID+BASE64")
    name, hex_id, blob = _key_parts(text, what, 3)
    verifier = Verifier(check_name(name), _keyed(name, hex_id, blob, what))
    if key_id(name, verifier.public).hex() != hex_id.lower():
        raise BadInput(what + " (its key id does not match the key)")
    return verifier


def parse_signer(text: str) -> Signer:
    what = (f"{ENV_SIGNING_KEY} is not a signing key: set it to the PRIVATE+KEY+... line 'casetrail key new "
            "--signing' printed")
    parts = _key_parts(text, what, 5)
    if parts[:2] != ["PRIVATE", "KEY"]:
        raise BadInput(what)
    signer = Signer(check_name(parts[2]), _keyed(parts[2], parts[3], parts[4], what))
    if key_id(signer.name, signer.verifier.public).hex() != parts[3].lower():
        raise BadInput(what + " (its key id does not match the key)")
    return signer


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    time: datetime | None
    note: str  # the whole signed note as printed

    @property
    def body(self) -> str:
        return self.note[: self.note.rindex("\n\n") + 1]

    def signatures(self) -> list[tuple[str, bytes, bytes]]:
        """(signer's name, key id, signature) of each signature line."""
        found = []
        for line in self.note[self.note.rindex("\n\n") + 2:].splitlines():
            if not line.startswith(DASH):
                continue
            name, _, blob = line[len(DASH):].rpartition(" ")
            try:
                raw = base64.b64decode(blob, validate=True)
            except binascii.Error:
                continue
            if len(raw) == 68:
                found.append((name, raw[:4], raw[4:]))
        return found

    def signed_by(self, verifier: Verifier) -> bool:
        wanted = key_id(verifier.name, verifier.public)
        return any(name == verifier.name and kid == wanted and verifier.valid(self.body.encode(), signature)
                   for name, kid, signature in self.signatures())

    @property
    def signers(self) -> list[str]:
        return [name for name, _, _ in self.signatures()]


def checkpoint_body(origin: str, size: int, root: bytes, time: datetime) -> str:
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\ntime {time_text(time)}\n"


def parse_checkpoint(text: str, where: str = "the checkpoint") -> Checkpoint:
    """A signed checkpoint note as ``casetrail checkpoint`` printed it."""
    what = (f"{where} is not a casetrail checkpoint: give the text 'casetrail checkpoint' printed (origin, size, "
            "root hash, time, a blank line and a signature line)")
    if "\n\n" not in text:
        raise BadInput(what)
    lines = text[: text.rindex("\n\n")].split("\n")
    if len(lines) < 3 or not lines[1].isdigit():
        raise BadInput(what)
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error:
        raise BadInput(what) from None
    if len(root) != 32:
        raise BadInput(what)
    time = None
    for extra in lines[3:]:
        if extra.startswith("time "):
            time = datetime.fromisoformat(extra[5:].replace("Z", "+00:00"))
    found = Checkpoint(lines[0], int(lines[1]), root, time, text if text.endswith("\n") else text + "\n")
    if not found.signatures():
        raise BadInput(what + " (it has no signature line)")
    return found
