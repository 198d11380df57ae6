"""RFC 9162 Merkle trees: published vectors, exhaustive proofs up to 64 leaves, properties."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dyrd.ledger.compute import merkle
from dyrd.ledger.compute.merkle import (
    EMPTY_ROOT,
    Frontier,
    NodeId,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_at,
    root_of,
    subtree_nodes,
    verify_consistency,
    verify_inclusion,
)

# RFC 6962 reference inputs and roots, as used by the Certificate Transparency test suites.
CT_DATA = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f")
]  # fmt: skip
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
H_01 = "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
L_1 = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
H_23 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
H_4567 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
L_4 = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
H_67 = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
H_0123 = "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
H_45 = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
L_0 = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"

CT_INCLUSION = [  # (index, tree size, path)
    (0, 1, []),
    (0, 8, [L_1, H_23, H_4567]),
    (5, 8, [L_4, H_67, H_0123]),
    (2, 3, [H_01]),
    (1, 5, [L_0, H_23, L_4]),
]
CT_CONSISTENCY = [  # (old size, new size, path)
    (1, 1, []),
    (1, 8, [L_1, H_23, H_4567]),
    (6, 8, [H_45, H_67, H_0123]),
    (2, 5, [H_23, L_4]),
    (2, 8, [H_23, H_4567]),
]

N = 64


class Store:
    """An in-memory tree built only by Frontier.append, like the database is."""

    def __init__(self, leaves: list[bytes]) -> None:
        self.leaves = leaves
        self.nodes: dict[NodeId, bytes] = {}
        self.frontiers = [Frontier()]
        for i, leaf in enumerate(leaves):
            self.nodes[(0, i)] = leaf
            frontier, created = self.frontiers[-1].append(leaf)
            self.nodes.update(created)
            self.frontiers.append(frontier)

    def lookup(self, wanted: Collection[NodeId]) -> Mapping[NodeId, bytes]:
        return {node: self.nodes[node] for node in wanted if node in self.nodes}


def _leaves(n: int, salt: bytes = b"") -> list[bytes]:
    return [leaf_hash(salt + hashlib.sha256(i.to_bytes(4, "big")).digest()) for i in range(n)]


CT = Store([leaf_hash(d) for d in CT_DATA])
BIG = Store(_leaves(N))
BIG_ROOTS = [root_of(BIG.leaves[:n]) for n in range(N + 1)]
INCLUSION = {(i, n): inclusion_proof(i, n, BIG.lookup) for n in range(N + 1) for i in range(n)}
CONSISTENCY = {
    (m, n): consistency_proof(m, n, BIG.lookup) for n in range(N + 1) for m in range(n + 1)
}


def _flip(h: bytes, at: int = 0) -> bytes:
    return h[:at] + bytes([h[at] ^ 0x01]) + h[at + 1 :]


def test_hashing_is_rfc_9162_section_2_1() -> None:
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert (
        node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    )


@pytest.mark.parametrize("size", range(len(CT_ROOTS)))
def test_roots_match_the_rfc_6962_reference_tree(size: int) -> None:
    assert root_of(CT.leaves[:size]).hex() == CT_ROOTS[size]
    assert CT.frontiers[size].root().hex() == CT_ROOTS[size]
    assert root_at(size, CT.lookup).hex() == CT_ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION)
def test_inclusion_proofs_match_the_reference(index: int, size: int, path: list[str]) -> None:
    proof = inclusion_proof(index, size, CT.lookup)
    assert [h.hex() for h in proof] == path
    root = bytes.fromhex(CT_ROOTS[size])
    assert verify_inclusion(CT.leaves[index], index, size, proof, root)


@pytest.mark.parametrize(("old", "new", "path"), CT_CONSISTENCY)
def test_consistency_proofs_match_the_reference(old: int, new: int, path: list[str]) -> None:
    proof = consistency_proof(old, new, CT.lookup)
    assert [h.hex() for h in proof] == path
    assert verify_consistency(
        old, new, bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[new]), proof
    )


def test_roots_of_every_past_size_come_from_stored_subtrees() -> None:
    for n in range(N + 1):
        assert BIG.frontiers[n].root() == BIG_ROOTS[n]
        assert root_at(n, BIG.lookup) == BIG_ROOTS[n]


def test_every_inclusion_proof_up_to_64_leaves_verifies_and_every_change_fails() -> None:
    checked = 0
    for n in range(1, N + 1):
        root = BIG_ROOTS[n]
        for i in range(n):
            leaf = BIG.leaves[i]
            path = INCLUSION[i, n]
            assert path == [root_of(BIG.leaves[a:b]) for a, b in merkle.inclusion_ranges(i, n)]
            assert verify_inclusion(leaf, i, n, path, root), (i, n)
            # a changed proof, leaf or root
            for k in range(len(path)):
                bad = [*path[:k], _flip(path[k], k % 32), *path[k + 1 :]]
                assert not verify_inclusion(leaf, i, n, bad, root)
            assert not verify_inclusion(_flip(leaf), i, n, path, root)
            assert not verify_inclusion(leaf, i, n, path, _flip(root, 31))
            if path:
                assert not verify_inclusion(leaf, i, n, path[:-1], root)
                assert not verify_inclusion(leaf, i, n, path[1:], root)
            assert not verify_inclusion(leaf, i, n, [*path, bytes(32)], root)
            if len(path) >= 2 and path[0] != path[1]:
                swapped = [path[1], path[0], *path[2:]]
                assert not verify_inclusion(leaf, i, n, swapped, root)
            # a wrong index, a wrong size (with that size's root), a wrong root
            for j in range(n):
                if j != i:
                    assert not verify_inclusion(leaf, j, n, path, root), (i, j, n)
            for m in range(i + 1, N + 1):
                if m != n and INCLUSION[i, m] != path:
                    assert not verify_inclusion(leaf, i, m, path, BIG_ROOTS[m]), (i, n, m)
            assert not verify_inclusion(leaf, i, n, path, BIG_ROOTS[n - 1])
            assert not verify_inclusion(leaf, n, n, path, root)
            assert not verify_inclusion(leaf, -1, n, path, root)
            checked += 1
    assert checked == N * (N + 1) // 2


def test_every_consistency_proof_up_to_64_leaves_verifies_and_every_change_fails() -> None:
    for n in range(N + 1):
        for m in range(n + 1):
            old, new = BIG_ROOTS[m], BIG_ROOTS[n]
            path = CONSISTENCY[m, n]
            assert verify_consistency(m, n, old, new, path), (m, n)
            for k in range(len(path)):
                bad = [*path[:k], _flip(path[k], k % 32), *path[k + 1 :]]
                assert not verify_consistency(m, n, old, new, bad), (m, n, k)
            if path:
                assert not verify_consistency(m, n, old, new, path[:-1])
            assert not verify_consistency(m, n, old, new, [*path, bytes(32)])
            if len(path) >= 2 and path[0] != path[1]:
                assert not verify_consistency(m, n, old, new, [path[1], path[0], *path[2:]])
            # wrong roots
            assert not verify_consistency(m, n, _flip(old), new, path)
            if m:  # every tree extends the empty tree: from size 0 any new root is consistent
                assert not verify_consistency(m, n, old, _flip(new), path)
            if m != n:
                assert not verify_consistency(n, m, new, old, path)
            # wrong sizes, each with its own root
            for m2 in range(n + 1):
                if m2 != m and CONSISTENCY[m2, n] != path:
                    assert not verify_consistency(m2, n, BIG_ROOTS[m2], new, path), (m, m2, n)
            for n2 in range(m, N + 1):
                if n2 != n and CONSISTENCY[m, n2] != path:
                    assert not verify_consistency(m, n2, old, BIG_ROOTS[n2], path), (m, n, n2)


def test_degenerate_consistency_cases() -> None:
    root4 = BIG_ROOTS[4]
    assert verify_consistency(4, 4, root4, root4, [])
    assert not verify_consistency(4, 4, root4, BIG_ROOTS[5], [])
    assert not verify_consistency(4, 4, root4, root4, [bytes(32)])
    assert verify_consistency(0, 8, EMPTY_ROOT, BIG_ROOTS[8], [])
    assert not verify_consistency(0, 8, BIG_ROOTS[1], BIG_ROOTS[8], [])
    assert not verify_consistency(0, 8, EMPTY_ROOT, BIG_ROOTS[8], [bytes(32)])
    assert not verify_consistency(3, 8, BIG_ROOTS[3], BIG_ROOTS[8], [])


def test_malformed_hashes_make_verifiers_return_false() -> None:
    path = inclusion_proof(5, 8, CT.lookup)
    root = bytes.fromhex(CT_ROOTS[8])
    assert not verify_inclusion(CT.leaves[5][:31], 5, 8, path, root)
    assert not verify_inclusion(CT.leaves[5], 5, 8, path, root[:31])
    assert not verify_inclusion(CT.leaves[5], 5, 8, [path[0][:31], *path[1:]], root)
    cpath = consistency_proof(6, 8, CT.lookup)
    root6 = bytes.fromhex(CT_ROOTS[6])
    assert not verify_consistency(6, 8, root6[:31], root, cpath)
    assert not verify_consistency(6, 8, root6, root, [cpath[0] + b"\x00", *cpath[1:]])


def test_generators_refuse_impossible_requests() -> None:
    with pytest.raises(ValueError, match="not in a tree"):
        merkle.inclusion_ranges(8, 8)
    with pytest.raises(ValueError, match="no consistency proof"):
        merkle.consistency_ranges(5, 3)
    with pytest.raises(ValueError, match="not a subtree"):
        subtree_nodes(1, 4)
    with pytest.raises(LookupError, match="missing"):
        inclusion_proof(0, 9, CT.lookup)
    with pytest.raises(ValueError, match="holds"):
        Frontier(3, (bytes(32),))


def test_appending_creates_each_complete_subtree_exactly_once() -> None:
    inner = {node for node in BIG.nodes if node[0] > 0}
    expected = {(level, idx) for level in range(1, 7) for idx in range(N >> level)}
    assert inner == expected
    for (level, idx), digest in BIG.nodes.items():
        assert digest == root_of(BIG.leaves[idx << level : (idx + 1) << level])


@given(st.lists(st.binary(max_size=8), min_size=1, max_size=300), st.data())
def test_property_proofs_from_a_frontier_built_log_verify(
    data: list[bytes], draw: st.DataObject
) -> None:
    store = Store([leaf_hash(d) for d in data])
    n = len(data)
    size = draw.draw(st.integers(1, n))
    index = draw.draw(st.integers(0, size - 1))
    old = draw.draw(st.integers(0, size))
    root = store.frontiers[size].root()
    assert root == root_of(store.leaves[:size])
    assert verify_inclusion(
        store.leaves[index], index, size, inclusion_proof(index, size, store.lookup), root
    )
    assert verify_consistency(
        old, size, store.frontiers[old].root(), root, consistency_proof(old, size, store.lookup)
    )


@given(st.lists(st.binary(min_size=32, max_size=32), max_size=100))
def test_property_frontier_round_trips_through_bytes(leaves: list[bytes]) -> None:
    frontier = Frontier().extend(leaves)
    again = Frontier.from_bytes(frontier.size, frontier.to_bytes())
    assert again == frontier
    assert len(frontier.hashes) == frontier.size.bit_count()
    assert [level for level, _ in frontier.node_ids()] == sorted(
        (level for level, _ in frontier.node_ids()), reverse=True
    )
