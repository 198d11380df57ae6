"""Collecting the problems of an uploaded table, in file order, up to a cap; pure."""

from __future__ import annotations

from dataclasses import dataclass, field

from dyrd.core.errors import FieldError
from dyrd.region.compute.cells import Cell, CellError
from dyrd.region.types import TableLayout, TableRejected

_SHOW = 200  # characters of a cell quoted back in an error


def show(value: Cell) -> str:
    """A cell as quoted back to the user, shortened."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _SHOW else text[:_SHOW] + "…"


@dataclass
class Problems:
    """Problems up to ``cap``, each with its (row, column) so they list in file order.

    Past the cap only a count is kept, except for ``always`` problems (file- and header-level
    ones, a handful at most), so the few that explain many others are never lost.
    """

    cap: int
    items: list[tuple[int, int, FieldError]] = field(default_factory=list)
    dropped: int = 0

    def add(
        self,
        location: str,
        message: str,
        message_zh: str,
        value: Cell = None,
        *,
        row: int = 0,
        col: int = -1,
        always: bool = False,
    ) -> None:
        """Record one problem at ``location`` (sorted by ``row`` then ``col``)."""
        if len(self.items) >= self.cap and not always:
            self.dropped += 1
            return
        shown = None if value is None else show(value)
        self.items.append((row, col, FieldError(location, message, message_zh, shown)))

    def cell(self, location: str, exc: CellError, value: Cell, *, row: int, col: int) -> None:
        """Record a cell that failed a check."""
        self.add(location, exc.message, exc.message_zh, value, row=row, col=col)

    def __bool__(self) -> bool:
        return bool(self.items) or self.dropped > 0

    def rejected(self, layout: TableLayout | None) -> TableRejected:
        """Every problem in file order, capped, with a last entry counting the rest."""
        ordered = [e for _, _, e in sorted(self.items, key=lambda t: (t[0], t[1]))]
        extra = self.dropped + max(0, len(ordered) - self.cap)
        ordered = ordered[: self.cap]
        if extra:
            ordered.append(
                FieldError(
                    "file",
                    f"{extra} more problem(s) not listed; fix the ones above and upload again.",
                    f"另有 {extra} 个问题未列出；请先修正以上问题后重新上传。",
                )
            )
        return TableRejected(tuple(ordered), layout)
