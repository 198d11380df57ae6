"""Pure helpers of the dashboard: map projection, SVG path data, class breaks, number formatting.

No FastAPI, no database: GeoJSON-shaped mappings and floats in, strings and numbers out.
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Sequential ramp for a dark background: dark blue (low) to pale cyan (high). Hand-picked so every
# step stays distinguishable from the page background (#08101e) and from its neighbours.
PALETTE: tuple[str, ...] = ("#17456b", "#1f6f9a", "#2b9bc0", "#4fc6d9", "#a6eef0")
DEFAULT_CLASSES = len(PALETTE)

Position = Sequence[float]
LinearRing = Sequence[Position]


@dataclass(frozen=True, slots=True)
class BBox:
    """A lon/lat bounding box in degrees."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point lies inside the box (edges included)."""
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat


def polygons_of(geometry: Mapping[str, Any]) -> list[Sequence[LinearRing]]:
    """The polygons (each a list of rings) of a GeoJSON Polygon or MultiPolygon."""
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "Polygon":
        return [coords]
    if kind == "MultiPolygon":
        return list(coords)
    raise ValueError(f"Unsupported geometry type {kind!r}: expected Polygon or MultiPolygon")


def bbox_of(geometries: Iterable[Mapping[str, Any]]) -> BBox:
    """The box around every vertex of ``geometries``; ValueError when there is none."""
    lons: list[float] = []
    lats: list[float] = []
    for geometry in geometries:
        for polygon in polygons_of(geometry):
            for ring in polygon:
                for pos in ring:
                    lons.append(float(pos[0]))
                    lats.append(float(pos[1]))
    if not lons:
        raise ValueError("No coordinates: cannot fit a map to empty geometries")
    return BBox(min(lons), min(lats), max(lons), max(lats))


@dataclass(frozen=True, slots=True)
class Projection:
    """Equirectangular projection with x scaled by cos(mean latitude), fitted to a viewBox.

    Good enough for a region of a few degrees (the YRD spans about 8° by 8°): shapes keep their
    proportions at the region's centre latitude, which is what a choropleth needs.
    """

    bbox: BBox
    width: float
    height: float
    pad: float
    scale: float
    kx: float

    @classmethod
    def fit(cls, bbox: BBox, *, width: float = 1000.0, pad: float = 12.0) -> Projection:
        """The projection that fits ``bbox`` into ``width`` units, keeping the aspect ratio."""
        kx = math.cos(math.radians((bbox.min_lat + bbox.max_lat) / 2))
        span_x = (bbox.max_lon - bbox.min_lon) * kx
        span_y = bbox.max_lat - bbox.min_lat
        inner = width - 2 * pad
        if span_x > 0:
            scale = inner / span_x
        elif span_y > 0:
            scale = inner / span_y
        else:
            scale = 1.0
        height = math.ceil((span_y * scale + 2 * pad) * 10) / 10
        return cls(bbox=bbox, width=width, height=height, pad=pad, scale=scale, kx=kx)

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        """SVG user coordinates (x right, y down) of a lon/lat point."""
        x = self.pad + (lon - self.bbox.min_lon) * self.kx * self.scale
        y = self.pad + (self.bbox.max_lat - lat) * self.scale
        return x, y

    @property
    def view_box(self) -> str:
        """The SVG viewBox attribute."""
        return f"0 0 {self.width:g} {self.height:g}"


@functools.lru_cache(maxsize=8192)
def _fmt_tenths(t: int) -> str:
    # Cached: relative steps repeat a lot (a 23,000-vertex map uses a few hundred distinct ones).
    sign = "-" if t < 0 else ""
    whole, frac = divmod(abs(t), 10)
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def ring_points(ring: LinearRing, proj: Projection, *, min_step: float) -> list[tuple[int, int]]:
    """Projected ring vertices in tenths of a unit, dropping those closer than ``min_step``.

    Radial-distance thinning: at dashboard size many surveyed vertices fall on the same pixel.
    The closing vertex is left out (the path closes with ``z``).
    """
    # Projection.project inlined, in tenths of a unit: this loop runs for every vertex.
    ax = proj.kx * proj.scale * 10
    bx = proj.pad * 10 - proj.bbox.min_lon * ax
    ay = -proj.scale * 10
    by = proj.pad * 10 + proj.bbox.max_lat * proj.scale * 10
    min_sq = (min_step * 10) ** 2
    out: list[tuple[int, int]] = []
    lx = ly = 0
    for pos in ring:
        x = round(bx + float(pos[0]) * ax)
        y = round(by + float(pos[1]) * ay)
        if out and (x - lx) ** 2 + (y - ly) ** 2 < min_sq:
            continue
        out.append((x, y))
        lx, ly = x, y
    if len(out) > 1:
        fx, fy = out[0]
        if (fx, fy) == out[-1] or (fx - lx) ** 2 + (fy - ly) ** 2 < min_sq:
            out.pop()
    return out


def path_d(geometry: Mapping[str, Any], proj: Projection, *, min_step: float = 0.6) -> str:
    """SVG path data of a Polygon or MultiPolygon: one subpath per ring (even-odd for holes).

    Coordinates are rounded to 0.1 unit; after the first point of each ring they are written
    relative (``l dx dy``), computed from the rounded absolute points so no error accumulates.
    Rings thinner than three points at this scale are dropped, unless that would drop them all.
    """
    rings: list[list[tuple[int, int]]] = []
    fallback: list[tuple[int, int]] = []
    for polygon in polygons_of(geometry):
        for ring in polygon:
            pts = ring_points(ring, proj, min_step=min_step)
            if len(pts) >= 3:
                rings.append(pts)
            elif len(pts) > len(fallback):
                fallback = pts
    if not rings and fallback:
        rings.append(fallback)
    parts: list[str] = []
    for pts in rings:
        x0, y0 = pts[0]
        seg = [f"M{_fmt_tenths(x0)} {_fmt_tenths(y0)}"]
        rel = []
        px, py = x0, y0
        for x, y in pts[1:]:
            rel.append(f"{_fmt_tenths(x - px)} {_fmt_tenths(y - py)}")
            px, py = x, y
        if rel:
            seg.append("l" + " ".join(rel))
        seg.append("z")
        parts.append("".join(seg))
    return "".join(parts)


def quantile(sorted_values: Sequence[float], p: float) -> float:
    """The p-quantile (0 <= p <= 1), linear interpolation (Hyndman & Fan 1996 type 7, as numpy)."""
    if not sorted_values:
        raise ValueError("quantile of no values")
    pos = p * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    a, b = sorted_values[lo], sorted_values[hi]
    # Clamped so rounding can never step outside [a, b]: keeps the breaks monotone.
    return min(max(a + (b - a) * (pos - lo), a), b)


def quantile_breaks(values: Iterable[float], k: int = DEFAULT_CLASSES) -> list[float]:
    """Upper bounds of up to ``k`` quantile classes: strictly increasing, the last is the maximum.

    Ties collapse classes (five equal values make one class), so a map never shows empty classes.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    xs = sorted(v for v in values if math.isfinite(v))
    if not xs:
        return []
    breaks: list[float] = []
    for i in range(1, k + 1):
        q = quantile(xs, i / k)
        if not breaks or q > breaks[-1]:
            breaks.append(q)
    return breaks


def class_index(value: float, breaks: Sequence[float]) -> int:
    """Index of the class holding ``value``: the first upper bound >= value (clamped)."""
    if not breaks:
        raise ValueError("no classes")
    return min(bisect_left(breaks, value), len(breaks) - 1)


def class_bounds(breaks: Sequence[float], minimum: float) -> list[tuple[float, float]]:
    """(lower, upper) of each class; the first starts at ``minimum``."""
    lows = [minimum, *breaks[:-1]]
    return list(zip(lows, breaks, strict=True))


def palette_for(n: int, palette: Sequence[str] = PALETTE) -> list[str]:
    """``n`` colours spread over the ramp (fewer classes keep the ramp's ends)."""
    if n <= 0:
        return []
    if n == 1:
        return [palette[len(palette) // 2]]
    last = len(palette) - 1
    return [palette[round(i * last / (n - 1))] for i in range(n)]


# Display scaling by unit: a fraction is shown as a percentage (the stored value is untouched).
PERCENT_UNITS = frozenset({"fraction"})


def display_number(value: float, unit: str) -> float:
    """The number shown for a stored value in ``unit`` (fractions become percentages)."""
    return value * 100 if unit in PERCENT_UNITS else value


def decimals_for(unit: str) -> int:
    """Decimals shown for values in ``unit``."""
    return 1 if unit in PERCENT_UNITS else 2


def format_number(value: float, decimals: int = 2) -> str:
    """A number with thousands separators and fixed decimals (``-0`` shown as ``0``)."""
    text = f"{value:,.{decimals}f}"
    if text.lstrip("-").replace("0", "").replace(".", "").replace(",", "") == "":
        return text.lstrip("-")
    return text


def format_value(value: float, unit: str) -> str:
    """A stored value as shown on the dashboard (without its unit label)."""
    return format_number(display_number(value, unit), decimals_for(unit))


def bar_width(value: float, maximum: float) -> float:
    """Percentage width (0-100, one decimal) of a bar for ``value`` against ``maximum``."""
    if maximum <= 0 or value <= 0 or not math.isfinite(value):
        return 0.0
    return round(min(value / maximum, 1.0) * 100, 1)
