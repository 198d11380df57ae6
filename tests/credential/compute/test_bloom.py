"""The Bloom filter: sizing formulas, no false negatives, measured false-positive rate, bytes."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.credential.compute import bloom
from dyrd.credential.compute.bloom import BloomFilter, BloomParameters, parameters

items16 = st.lists(st.binary(min_size=16, max_size=16), min_size=0, max_size=200, unique=True)


def test_parameters_follow_the_closed_forms() -> None:
    # m = -n ln p / (ln 2)^2 rounded up to bytes; k = (m / n) ln 2 rounded.
    p = parameters(1000, 0.01)
    assert p.m == 9592  # 9585.06 bits -> 1199 bytes
    assert p.k == 7
    assert p.expected_fp_rate(1000) == pytest.approx(0.01, rel=0.05)
    dcc = parameters(1_000_000, 1e-12)
    assert dcc.k == 40  # DCC's rate needs 40 hashes and ~57.5 bits per entry
    assert dcc.m / 1_000_000 == pytest.approx(57.5, rel=0.01)
    assert parameters(0, 0.5).m == 8


@pytest.mark.parametrize(("n", "p"), [(-1, 0.1), (10, 0.0), (10, 1.0)])
def test_parameters_refuse_nonsense(n: int, p: float) -> None:
    with pytest.raises(ValueError, match=r"between|negative"):
        parameters(n, p)


def test_positions_are_the_documented_shake256_words() -> None:
    params = BloomParameters(m=1000, k=5)
    d = hashlib.shake_256(b"item").digest(40)
    expected = [int.from_bytes(d[8 * i : 8 * i + 8], "big") % 1000 for i in range(5)]
    assert bloom.positions(b"item", params) == expected


@settings(max_examples=60, deadline=None)
@given(items16)
def test_no_false_negatives_and_bulk_equals_one_by_one(items: list[bytes]) -> None:
    params = parameters(max(len(items), 1), 1e-6)
    bulk = BloomFilter.build(items, params)
    single = BloomFilter(params)
    for item in items:
        single.add(item)
    assert bulk == single
    assert bulk.to_bytes() == single.to_bytes()
    assert all(item in bulk for item in items)


@settings(max_examples=60, deadline=None)
@given(items16, items16)
def test_union_holds_both_sets_and_equals_building_from_both(
    a: list[bytes], b: list[bytes]
) -> None:
    params = BloomParameters(m=4096, k=7)
    union = BloomFilter.build(a, params).union(BloomFilter.build(b, params))
    assert union == BloomFilter.build(a + b, params)
    assert all(x in union for x in a + b)


@settings(max_examples=60, deadline=None)
@given(items16, st.integers(min_value=0, max_value=2**40))
def test_serialisation_round_trips_byte_for_byte(items: list[bytes], count: int) -> None:
    f = BloomFilter(parameters(len(items) + 1, 1e-4), count=count)
    f.add_many(items)
    data = f.to_bytes()
    again = BloomFilter.from_bytes(data)
    assert again == f
    assert again.to_bytes() == data
    assert again.count == count + len(items)
    assert len(data) == bloom.HEADER_BYTES + f.params.m // 8


def test_wire_form_is_pinned() -> None:
    f = BloomFilter.build([b"a", b"b"], BloomParameters(m=64, k=3))
    data = f.to_bytes()
    assert data[:4] == b"DYBF"
    assert data[4] == 1
    assert data[5] == 3
    assert int.from_bytes(data[6:14], "big") == 64
    assert int.from_bytes(data[14:22], "big") == 2
    bits = np.unpackbits(np.frombuffer(data[22:], dtype=np.uint8))  # MSB first
    expected = set(bloom.positions(b"a", f.params)) | set(bloom.positions(b"b", f.params))
    assert set(np.flatnonzero(bits).tolist()) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"XXXX" + bytes(30),
        b"DYBF\x02" + bytes(30),
        b"DYBF\x01\x00" + (64).to_bytes(8, "big") + bytes(8) + bytes(8),  # k = 0
        b"DYBF\x01\x03" + (63).to_bytes(8, "big") + bytes(8) + bytes(8),  # m not bytes
        b"DYBF\x01\x03" + (64).to_bytes(8, "big") + bytes(8) + bytes(7),  # short body
        b"DYBF\x01\x03" + (64).to_bytes(8, "big") + bytes(8) + bytes(9),  # long body
        b"DYBF\x01\x03" + (2**62).to_bytes(8, "big") + bytes(8),  # hostile size
    ],
)
def test_from_bytes_refuses_malformed_input(data: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  # several messages, one kind of refusal
        BloomFilter.from_bytes(data)


def test_union_refuses_different_parameters() -> None:
    with pytest.raises(ValueError, match="same m and k"):
        BloomFilter(BloomParameters(64, 3)).union(BloomFilter(BloomParameters(128, 3)))


@pytest.mark.parametrize(("n", "target"), [(2000, 1e-2), (2000, 1e-3), (5000, 1e-4), (5000, 1e-5)])
def test_measured_false_positive_rate_is_near_the_target(n: int, target: float) -> None:
    rng = np.random.default_rng(20261127)
    members = [bytes(x) for x in rng.integers(0, 256, size=(n, 16), dtype=np.uint8)]
    f = BloomFilter.build(members, parameters(n, target))
    trials = 200_000
    probes = rng.integers(0, 256, size=(trials, 16), dtype=np.uint8)
    hits = sum(bytes(p) in f for p in probes)
    rate = hits / trials
    # Within 3 binomial standard deviations (and 30 %) of the target.
    sd = math.sqrt(target * (1 - target) / trials)
    assert abs(rate - target) <= max(3 * sd, 0.3 * target), (rate, target)
    assert f.estimated_fp_rate() == pytest.approx(target, rel=0.3)


def test_union_all() -> None:
    params = BloomParameters(256, 4)
    parts = [BloomFilter.build([bytes([i])], params) for i in range(5)]
    assert bloom.union_all(parts) == BloomFilter.build([bytes([i]) for i in range(5)], params)
    with pytest.raises(ValueError, match="no filters"):
        bloom.union_all([])
