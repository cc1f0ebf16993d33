"""Inclusion proofs: that one event is in a signed checkpoint, checkable without the store.

A proof holds the event as stored (its position, stream, version, topic and JSON), its
leaf's index, the audit path (RFC 6962) and the checkpoint note. ``check_proof`` rebuilds
the leaf from the event, the root from the path, and compares it with the note's root; the
note's signature is checked against the keys the checker trusts. On an encrypted store the
leaf holds an HMAC of the JSON under the store's key (``keyed``, given as ``content``): a
third party can check that this leaf is in the checkpoint, but only a holder of the key
that the JSON shown is what it was made from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import orjson

from casetrail.domain.errors import BadInput
from casetrail.store.ledger import Ledger, leaf_data, sealed_content
from casetrail.store.merkle import included, inclusion, leaf_hash
from casetrail.store.notes import Verifier, parse_checkpoint

KIND = "casetrail inclusion proof 1"


def prove(ledger: Ledger, notifications: Iterable[Any], decode: Callable[[bytes], bytes], event_id: str,
          secret: bytes | None) -> dict[str, Any]:
    wanted = str(event_id).strip().lower().replace("-", "")
    if len(wanted) < 4 or any(c not in "0123456789abcdef" for c in wanted):
        raise BadInput(f"event id '{event_id}' is not valid: give the id that show or record printed "
                       "(at least 4 hex digits, e.g. 3f2a9c1b)")
    stored = [c for _, c in ledger.checkpoints() if c is not None] if ledger.exists() else []
    if not stored:
        raise BadInput("the store has no checkpoint yet: run 'casetrail checkpoint' first, then prove")
    checkpoint = stored[-1]
    found = _find(notifications, decode, wanted, event_id)
    notification, plain = found
    leaves = [sealed for sealed in ledger.sealed() if sealed.index < checkpoint.size]
    index = next((s.index for s in leaves if s.position == notification.id), None)
    if index is None:
        raise BadInput(f"event {event_id} is not sealed yet: run 'casetrail checkpoint', then prove it")
    return {
        "proof": KIND, "index": index, "size": checkpoint.size,
        "event": {"position": notification.id, "stream": notification.originator_id.hex,
                  "version": notification.originator_version, "topic": notification.topic,
                  "state": plain.decode(), "keyed": secret is not None,
                  **({"content": sealed_content(plain, secret).hex()} if secret is not None else {})},
        "path": [node.hex() for node in inclusion(index, [s.leaf for s in leaves])],
        "checkpoint": checkpoint.note,
    }


def _find(notifications: Iterable[Any], decode: Callable[[bytes], bytes], wanted: str,
          given: str) -> tuple[Any, bytes]:
    matches = []
    for notification in notifications:
        plain = decode(notification.state)
        identity = orjson.loads(plain).get("id")
        if isinstance(identity, str) and identity.replace("-", "").startswith(wanted):
            matches.append((notification, bytes(plain)))
    if not matches:
        raise BadInput(f"no event {given} in the store; 'casetrail show KEY' lists each fact's id")
    if len(matches) > 1:
        raise BadInput(f"event id '{given}' matches {len(matches)} events; give more digits")
    return matches[0]


@dataclass
class ProofCheck:
    size: int = 0
    signers: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.problems


def check_proof(text: str, trusted: list[Verifier], where: str = "the proof") -> ProofCheck:
    """Check a proof as ``prove`` wrote it, with no store."""
    try:
        data = orjson.loads(text)
        event, checkpoint = data["event"], parse_checkpoint(data["checkpoint"], f"{where}'s checkpoint")
        path = [bytes.fromhex(node) for node in data["path"]]
        content = bytes.fromhex(event["content"]) if event.get("keyed") else event["state"].encode()
        leaf = leaf_hash(leaf_data(int(event["position"]), event["stream"], int(event["version"]), event["topic"],
                                   content))
        index, size = int(data["index"]), int(data["size"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        raise BadInput(f"{where} is not a casetrail inclusion proof: give the file 'casetrail prove EVENT_ID "
                       "--json' wrote") from None
    result = ProofCheck(size=size, signers=checkpoint.signers)
    if event.get("keyed"):
        result.unchecked.append("the event's content is sealed by a keyed digest: only the store's key holder can "
                                "check that the JSON shown is what was sealed")
    if size != checkpoint.size or not included(index, size, leaf, path, checkpoint.root):
        result.problems.append(f"the event as given (its JSON, its place) is not leaf {index} of the checkpoint of "
                               f"size {checkpoint.size}: the proof or the checkpoint was changed")
    if not trusted:
        result.unchecked.append("the checkpoint's signature is not checked: give --trust PUBKEY")
    elif not any(checkpoint.signed_by(verifier) for verifier in trusted):
        result.problems.append(f"the checkpoint is not signed by a trusted key (signed as "
                               f"{', '.join(checkpoint.signers) or 'nobody'})")
    return result
