"""Memo of rank-stability draws, keyed by a digest of everything the draws depend on.

Weight perturbation is the costly part of an index view (200 TOPSIS runs per year on the
dashboard). Its result is a pure function of the values, the weights, the directions, the method,
the number of draws and the seed, so the key is a SHA-256 digest of exactly those: an import that
changes any value changes the key, and a stale result can never be served. This makes the key the
data version itself rather than a counter that every writer would have to remember to bump.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from dyrd.economy.compute.composite import Method, RankStability
from dyrd.economy.types import Direction

MAX_ENTRIES = 16
"""Index views kept; each holds a few arrays of the cities' ranks (a few KB for 41 cities)."""


def stability_key(
    *,
    values: npt.NDArray[np.float64],
    weights: npt.NDArray[np.float64],
    directions: Sequence[Direction],
    labels: Sequence[str],
    units: Sequence[str],
    method: Method,
    draws: int,
    seed: int,
) -> str:
    """SHA-256 of every input of the draws (arrays as float64 bytes, the rest as text)."""
    h = hashlib.sha256()
    for arr in (values, weights):
        a = np.ascontiguousarray(arr, dtype=np.float64)
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    text = [repr(method), str(draws), str(seed), *map(str, directions), "|", *labels, "|", *units]
    h.update("\x1f".join(text).encode())
    return h.hexdigest()


class StabilityCache:
    """A small thread-safe LRU of rank-stability results (the web app keeps one per process)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max = max_entries
        self._items: OrderedDict[str, list[RankStability]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(
        self, key: str, compute: Callable[[], list[RankStability]]
    ) -> list[RankStability]:
        """The cached result for ``key``, computing and storing it on a miss."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        # Computed outside the lock: two first views may both compute, which is harmless.
        result = compute()
        with self._lock:
            self.misses += 1
            self._items[key] = result
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)
        return result
