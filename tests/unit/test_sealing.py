"""The Merkle tree of the store-wide log (RFC 6962) and the signed checkpoint notes (C2SP)."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timezone

import pytest

from casetrail.domain.errors import BadInput
from casetrail.store.merkle import EMPTY, included, inclusion, leaf_hash, node_hash, root_of
from casetrail.store.notes import Signer, checkpoint_body, key_id, parse_checkpoint, parse_signer, parse_verifier


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1's definition, recursively, to check the folding one against."""
    if not leaves:
        return EMPTY
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


LEAVES = [leaf_hash(f"event {n}".encode()) for n in range(21)]


def test_the_root_of_any_size_is_rfc_6962s_tree_hash():
    assert [root_of(LEAVES[:n]) for n in range(22)] == [mth(LEAVES[:n]) for n in range(22)]


def test_a_leaf_and_a_node_never_hash_alike():
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()


def test_every_leaf_of_every_size_is_proved_included_and_no_other_leaf_is():
    for size in range(1, 22):
        root = root_of(LEAVES[:size])
        for index in range(size):
            path = inclusion(index, LEAVES[:size])

            assert included(index, size, LEAVES[index], path, root)
            assert not included(index, size, leaf_hash(b"forged"), path, root)
            assert not included((index + 1) % size, size, LEAVES[index], path, root) or size == 1


def test_a_changed_path_fails():
    path = inclusion(5, LEAVES)

    assert not included(5, len(LEAVES), LEAVES[5], [path[0][::-1], *path[1:]], root_of(LEAVES))


def test_a_signed_checkpoint_verifies_with_its_key_and_not_with_another():
    signer, other = Signer.new("aqtobe-desk"), Signer.new("aqtobe-desk")
    body = checkpoint_body("casetrail/test", 21, root_of(LEAVES), datetime(2025, 1, 1, tzinfo=timezone.utc))

    checkpoint = parse_checkpoint(signer.sign(body))

    assert (checkpoint.size, checkpoint.root, checkpoint.signers) == (21, root_of(LEAVES), ["aqtobe-desk"])
    assert checkpoint.signed_by(signer.verifier) and not checkpoint.signed_by(other.verifier)
    assert checkpoint.note.startswith("casetrail/test\n21\n") and "\n\n\u2014 aqtobe-desk " in checkpoint.note


def test_a_checkpoint_with_a_changed_line_no_longer_verifies():
    signer = Signer.new("aqtobe-desk")
    note = signer.sign(checkpoint_body("casetrail/test", 21, root_of(LEAVES), datetime.now(timezone.utc)))

    changed = parse_checkpoint(note.replace("\n21\n", "\n20\n", 1))

    assert not changed.signed_by(signer.verifier)


def test_keys_are_written_as_go_notes_writes_them_and_read_back():
    signer = Signer.new("aqtobe-desk")
    public = signer.verifier

    name, kid, blob = public.text.split("+", 2)

    assert (name, kid) == ("aqtobe-desk", key_id("aqtobe-desk", public.public).hex())
    assert base64.b64decode(blob) == b"\x01" + public.public
    assert key_id("aqtobe-desk", public.public) == hashlib.sha256(b"aqtobe-desk\n\x01" + public.public).digest()[:4]
    assert parse_verifier(public.text) == public and parse_signer(signer.text) == signer


@pytest.mark.parametrize("text", ["", "aqtobe-desk", "aqtobe-desk+00000000+AAAA", "a b+1234abcd+" + "A" * 44])
def test_a_malformed_public_key_is_refused_in_one_line(text):
    with pytest.raises(BadInput, match="is not (a public key|valid)"):
        parse_verifier(text)


def test_a_public_key_given_where_the_signing_key_goes_is_refused():
    with pytest.raises(BadInput, match="CASETRAIL_SIGNING_KEY is not a signing key"):
        parse_signer(Signer.new("aqtobe-desk").verifier.text)


def test_text_that_is_not_a_signed_checkpoint_is_refused():
    with pytest.raises(BadInput, match="not a casetrail checkpoint"):
        parse_checkpoint("casetrail/test\n21\nnot base64\n\n\u2014 x AAAA\n")
