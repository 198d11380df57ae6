"""Geometry of the economy page's charts, drawn as inline SVG by the template (no script).

Radar: the five concept sub-indices of one city on five axes. The outer ring is the larger of 1
and the largest sub-index of any city, so that cities compare on one scale (TOPSIS closeness and
min-max scores lie in [0, 1]). A concept without data keeps its axis, dashed and labelled "no
data", and has no point: it is never drawn at the centre as a zero. The polygon joins only the
concepts with data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dyrd.economy.schemas import IndexCity, IndexReport
from dyrd.economy.types import Concept
from dyrd.web.i18n import Lang, t

RADAR_W = 440
RADAR_H = 300
RADAR_CX = 220.0
RADAR_CY = 150.0
RADAR_R = 105.0
RADAR_RINGS = 4


@dataclass(frozen=True, slots=True)
class RadarAxis:
    """One concept's axis: its end, its label position, and its point if it has data."""

    concept: str
    label: str
    value: str
    has_data: bool
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str
    point: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class Radar:
    """A city's radar: axes, rings (polygon points and their value labels), data polygon."""

    code: str
    name: str
    scale: float
    axes: tuple[RadarAxis, ...]
    rings: tuple[tuple[str, str], ...]
    polygon: str
    missing: tuple[str, ...]


def _angle(i: int, n: int) -> float:
    # First axis straight up, then clockwise.
    return -math.pi / 2 + 2 * math.pi * i / n


def _at(r: float, a: float) -> tuple[float, float]:
    return (round(RADAR_CX + r * math.cos(a), 1), round(RADAR_CY + r * math.sin(a), 1))


def radar_scale(report: IndexReport) -> float:
    """The value of the outer ring: 1, or the largest sub-index if one exceeds it."""
    top = max((v for c in report.cities for v in c.sub_indices.values()), default=1.0)
    return max(1.0, top)


def radar(city: IndexCity, scale: float, lang: Lang) -> Radar:
    """The radar of one city's sub-indices on the common scale."""
    concepts = list(Concept)
    n = len(concepts)
    axes = []
    for i, concept in enumerate(concepts):
        a = _angle(i, n)
        x, y = _at(RADAR_R, a)
        lx, ly = _at(RADAR_R + 16, a)
        cos = math.cos(a)
        anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
        name = concept.zh if lang == "zh" else concept.value.capitalize()
        v = city.sub_indices.get(concept.value)
        axes.append(
            RadarAxis(
                concept=concept.value,
                label=name,
                value=f"{v:.3f}" if v is not None else t("econ.concepts.nodata", lang),
                has_data=v is not None,
                x=x,
                y=y,
                label_x=lx,
                label_y=round(ly + 4, 1),
                anchor=anchor,
                point=_at(RADAR_R * v / scale, a) if v is not None else None,
            )
        )
    rings = []
    for k in range(1, RADAR_RINGS + 1):
        r = RADAR_R * k / RADAR_RINGS
        pts = " ".join(f"{px},{py}" for px, py in (_at(r, _angle(i, n)) for i in range(n)))
        rings.append((pts, f"{scale * k / RADAR_RINGS:.2f}"))
    polygon = " ".join(f"{a.point[0]},{a.point[1]}" for a in axes if a.point is not None)
    return Radar(
        code=city.city_code,
        name=city.name_zh if lang == "zh" else city.name_en,
        scale=scale,
        axes=tuple(axes),
        rings=tuple(rings),
        polygon=polygon,
        missing=tuple(a.label for a in axes if not a.has_data),
    )
