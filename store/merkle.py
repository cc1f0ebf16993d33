"""The store-wide log as a Merkle tree (RFC 6962 / RFC 9162, as Certificate Transparency uses).

Leaves are the stored events in notification order. A leaf hash is SHA-256 over 0x00 and the
leaf's data, an inner node SHA-256 over 0x01 and its two children, so no leaf can pass for a
node. ``Frontier`` folds leaves one at a time keeping only the roots of its complete subtrees
(at most log2 n of them), so a root over 800,000 events needs no tree in memory;
``inclusion`` and ``included`` are the audit path of one leaf and its check.
"""

from __future__ import annotations

import hashlib
from typing import Sequence

EMPTY = hashlib.sha256(b"").digest()


_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


class Frontier:
    """The roots of the complete subtrees of a growing tree: add leaves, ask the root at any size."""

    def __init__(self) -> None:
        self.size = 0
        self._nodes: list[bytes] = []  # largest subtree first

    def add(self, leaf: bytes) -> None:
        node, size, nodes = leaf, self.size, self._nodes
        while size & 1:  # each trailing 1 bit of the size is a complete subtree to merge with
            node = _sha256(b"\x01" + nodes.pop() + node).digest()
            size >>= 1
        nodes.append(node)
        self.size += 1

    def root(self) -> bytes:
        if not self._nodes:
            return EMPTY
        root = self._nodes[-1]
        for node in reversed(self._nodes[:-1]):
            root = node_hash(node, root)
        return root


def root_of(leaves: Sequence[bytes]) -> bytes:
    frontier = Frontier()
    for leaf in leaves:
        frontier.add(leaf)
    return frontier.root()


def _split(size: int) -> int:
    """The largest power of two smaller than ``size`` (RFC 6962's k)."""
    return 1 << ((size - 1).bit_length() - 1)


def inclusion(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``leaves`` (RFC 6962 §2.1.1 PATH)."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)}")
    path: list[bytes] = []
    while len(leaves) > 1:
        k = _split(len(leaves))
        if index < k:
            path.append(root_of(leaves[k:]))
            leaves = leaves[:k]
        else:
            path.append(root_of(leaves[:k]))
            leaves, index = leaves[k:], index - k
    return list(reversed(path))


def included(index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes) -> bool:
    """Whether ``path`` proves ``leaf`` is leaf ``index`` of the tree of ``size`` with ``root``
    (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < size:
        return False
    fn, sn, node = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            node = node_hash(sibling, node)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            node = node_hash(node, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and node == root
