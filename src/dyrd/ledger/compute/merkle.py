"""RFC 9162 §2.1 Merkle trees: hashing, compact ranges, inclusion and consistency proofs.

Pure (stdlib ``hashlib`` only). A leaf is identified by its leaf hash; a stored tree is a set of
*complete subtrees*, each named by a :data:`NodeId` ``(level, index)`` and covering the leaves
``[index * 2**level, (index + 1) * 2**level)``. Complete subtrees never change once their last
leaf is appended, so the hashes stored while appending answer root, inclusion and consistency
queries for every past tree size: each answer needs O(log n) of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

HASH_SIZE = 32
"""SHA-256 output length in bytes (RFC 9162 §2.1.1)."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}) = HASH() (RFC 9162 §2.1.1)."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

NodeId = tuple[int, int]
"""``(level, index)`` of a complete subtree of ``2**level`` leaves starting at leaf
``index * 2**level``; level 0 is a leaf."""

Range = tuple[int, int]
"""Leaves ``[start, end)`` whose Merkle tree hash is one element of a proof."""

NodeLookup = Callable[[Collection[NodeId]], Mapping[NodeId, bytes]]
"""Fetches the hashes of complete subtrees in one call (a dict, or one database query)."""


def leaf_hash(data: bytes) -> bytes:
    """MTH({d0}) = SHA-256(0x00 || d0) (RFC 9162 §2.1.1)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right), the hash of an interior node (RFC 9162 §2.1.1)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than ``n`` (``k < n <= 2k``, RFC 9162 §2.1.1); n >= 2."""
    if n < 2:  # the RFC defines k only for n > 1
        raise ValueError(f"split point needs at least 2 leaves, got {n}")
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) from all leaf hashes, by the RFC's recursive definition (reference, O(n))."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = split_point(len(leaves))
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))


def subtree_nodes(start: int, end: int) -> list[NodeId]:
    """Complete subtrees whose right fold is MTH(D[start:end]), largest first.

    Every range that the RFC's recursion visits in a tree starts at a multiple of a power of two
    at least as large as the range, so its leaves split into complete subtrees of strictly
    decreasing size (the binary digits of its length). Other ranges raise ``ValueError``.
    """
    if not 0 <= start < end:
        raise ValueError(f"empty or negative leaf range [{start}, {end})")
    span = 1 << (end - start - 1).bit_length()  # smallest power of two >= the length
    if start % span:
        raise ValueError(f"leaf range [{start}, {end}) is not a subtree of any Merkle tree")
    out: list[NodeId] = []
    pos = start
    for level in range((end - start).bit_length() - 1, -1, -1):
        if (end - start) >> level & 1:
            out.append((level, pos >> level))
            pos += 1 << level
    return out


def fold(hashes: Sequence[bytes]) -> bytes:
    """Right fold of complete-subtree hashes (largest first) into one range hash."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """Leaf ranges of PATH(index, D[size]) (RFC 9162 §2.1.3.1), in proof order (leaf first)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    out: list[Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split_point(hi - lo)
        if index - lo < k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo += k
    out.reverse()
    return out


def consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """Leaf ranges of PROOF(old_size, D[new_size]) (RFC 9162 §2.1.4.1), in proof order.

    The proof between equal sizes, or from the empty tree, is empty.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    out: list[Range] = []
    lo, hi, m, complete = 0, new_size, old_size, True
    while m != hi - lo:  # SUBPROOF(m, D[lo:hi], complete)
        k = split_point(hi - lo)
        if m <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:  # SUBPROOF(m, D[m], false) = {MTH(D[m])}
        out.append((lo, hi))
    out.reverse()
    return out


def resolve(ranges: Sequence[Range], lookup: NodeLookup) -> list[bytes]:
    """The hash of each range, fetching every complete subtree they need in one lookup."""
    parts = [subtree_nodes(start, end) for start, end in ranges]
    wanted = {node for nodes in parts for node in nodes}
    found = lookup(wanted) if wanted else {}
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"subtree hashes missing from storage: {sorted(missing)[:5]}")
    return [fold([found[node] for node in nodes]) for nodes in parts]


def root_at(size: int, lookup: NodeLookup) -> bytes:
    """MTH(D[size]) from stored complete subtrees (O(log size) of them)."""
    return resolve([(0, size)], lookup)[0] if size else EMPTY_ROOT


def inclusion_proof(index: int, size: int, lookup: NodeLookup) -> list[bytes]:
    """The inclusion path of leaf ``index`` in the tree of ``size`` leaves (§2.1.3.1)."""
    return resolve(inclusion_ranges(index, size), lookup)


def consistency_proof(old_size: int, new_size: int, lookup: NodeLookup) -> list[bytes]:
    """The consistency path from tree size ``old_size`` to ``new_size`` (§2.1.4.1)."""
    return resolve(consistency_ranges(old_size, new_size), lookup)


def _valid(*hashes: bytes) -> bool:
    return all(isinstance(h, bytes) and len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``path`` prove leaf ``index`` is in the tree with ``root``?"""
    if not _valid(leaf, root, *path) or not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: does ``path`` prove the tree ``old_root`` is a prefix of ``new_root``?

    Equal sizes need an empty proof and equal roots; every tree extends the empty tree, whose
    root must then be :data:`EMPTY_ROOT`.
    """
    if not _valid(old_root, new_root, *path) or not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not path and old_root == new_root
    if old_size == 0:
        return not path and old_root == EMPTY_ROOT
    if not path:
        return False
    proof = list(path)
    if old_size & (old_size - 1) == 0:  # an exact power of two: its root is a proof node
        proof.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


@dataclass(frozen=True, slots=True)
class Frontier:
    """The compact range [0, size): the roots of the complete subtrees of D[size], largest first.

    It holds one hash per set bit of ``size`` (at most 64), so appending is O(log n) and the root
    is available without reading any stored node.
    """

    size: int = 0
    hashes: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if self.size < 0 or len(self.hashes) != self.size.bit_count():
            raise ValueError(
                f"a frontier of size {self.size} holds {self.size.bit_count()} hashes, "
                f"not {len(self.hashes)}"
            )
        if not _valid(*self.hashes):
            raise ValueError("frontier hashes must be 32-byte SHA-256 values")

    def node_ids(self) -> list[NodeId]:
        """The :data:`NodeId` of each hash, largest first."""
        return subtree_nodes(0, self.size) if self.size else []

    def root(self) -> bytes:
        """MTH(D[size])."""
        return fold(self.hashes)

    def append(self, leaf: bytes) -> tuple[Frontier, list[tuple[NodeId, bytes]]]:
        """The frontier with ``leaf`` appended, and the interior nodes completed by it."""
        if not _valid(leaf):
            raise ValueError("a leaf hash is 32 bytes")
        stack = list(self.hashes)
        new_size = self.size + 1
        created: list[tuple[NodeId, bytes]] = []
        acc, level = leaf, 0
        # Each trailing 1-bit of the old size is a complete subtree that the new leaf closes.
        while (self.size >> level) & 1:
            acc = node_hash(stack.pop(), acc)
            level += 1
            created.append(((level, (new_size >> level) - 1), acc))
        stack.append(acc)
        return Frontier(new_size, tuple(stack)), created

    def extend(self, leaves: Iterable[bytes]) -> Frontier:
        """The frontier with every leaf of ``leaves`` appended."""
        out = self
        for leaf in leaves:
            out, _ = out.append(leaf)
        return out

    def to_bytes(self) -> bytes:
        """Concatenated hashes (the size is stored beside them)."""
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> Frontier:
        """Inverse of :meth:`to_bytes`."""
        if len(data) != HASH_SIZE * size.bit_count():
            raise ValueError(f"stored frontier of size {size} has {len(data)} bytes")
        return cls(size, tuple(data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)))
