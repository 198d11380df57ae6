"""Domestic value added in exports from a user's multi-region input–output table."""

from __future__ import annotations

import csv
import io

import numpy as np

from dyrd.economy.compute.tiva import Post, leontief_value_added
from dyrd.economy.errors import refused
from dyrd.economy.schemas import ValueAddedRegion, ValueAddedReport
from dyrd.economy.types import InputError


def _matrix(content: bytes, what: str) -> tuple[list[str], list[str], np.ndarray]:
    """A CSV with a header row and a label column: (row labels, column labels, values)."""
    try:
        text = content.decode("utf-8-sig")
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
        header, body = rows[0][1:], rows[1:]
        values = np.array([[float(c) for c in r[1:]] for r in body], dtype=np.float64)
        labels = [r[0] for r in body]
    except (UnicodeDecodeError, IndexError, ValueError, csv.Error) as exc:
        raise refused(
            InputError(
                f"{what}: expected a UTF-8 CSV with a header row, labels in the first column "
                "and numbers elsewhere.",
                f"{what}：应为 UTF-8 CSV，首行为表头，首列为标签，其余为数字。",
            )
        ) from exc
    return labels, header, values


def value_added(
    *, inter: bytes, final: bytes, output: bytes, n_sectors: int, post: Post = Post.EXPORTS
) -> ValueAddedReport:
    """Leontief value-added origin of exports: Z (N x N), Y (N x regions), x (N x 1) as CSV.

    Rows are region-sector pairs ordered region by region, ``n_sectors`` per region, labelled
    ``Region.Sector`` (the region is the text before the first dot).
    """
    labels, _, z = _matrix(inter, "intermediate flows")
    _, regions, y = _matrix(final, "final demand")
    _, _, x = _matrix(output, "gross output")
    if n_sectors < 1 or len(labels) % n_sectors:
        raise refused(
            InputError(
                f"{len(labels)} rows do not split into regions of {n_sectors} sectors.",
                f"{len(labels)} 行无法按每个地区 {n_sectors} 个部门划分。",
            )
        )
    n_regions = len(labels) // n_sectors
    try:
        va = leontief_value_added(z, y, x, n_regions=n_regions, n_sectors=n_sectors, post=post)
    except InputError as exc:
        raise refused(exc) from exc
    e, dva, fva = va.by_region()
    names = (
        regions
        if len(regions) == n_regions
        else [labels[k * n_sectors].split(".")[0] for k in range(n_regions)]
    )
    return ValueAddedReport(
        post=va.post.value,
        labels=labels,
        exports=va.exports.tolist(),
        domestic_value_added=va.domestic.tolist(),
        foreign_value_added=va.foreign.tolist(),
        regions=[
            ValueAddedRegion(
                region=names[k],
                exports=float(e[k]),
                domestic_value_added=float(dva[k]),
                foreign_value_added=float(fva[k]),
                dva_share=float(dva[k] / e[k]) if e[k] > 0 else None,
            )
            for k in range(n_regions)
        ],
        matrix=va.matrix.tolist(),
    )
