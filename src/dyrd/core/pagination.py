"""Offset paging shared by list endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_PAGE_SIZE = 1000
MAX_OFFSET = 2**31 - 1
"""Offsets beyond this overflow some backends' integer parameters; no table is that large."""


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which slice of a result the caller wants."""

    limit: int = 100
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One slice of a result with the total count."""

    items: list[T]
    total: int
    limit: int
    offset: int
