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

from dyrd.economy.schemas import ConvergenceReport, IndexCity, IndexReport, InequalityReport
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


BAR_W = 420.0
"""Width in SVG units of a full bar (the largest value of the chart)."""


@dataclass(frozen=True, slots=True)
class Bar:
    """One horizontal bar: label, width and value text."""

    key: str
    label: str
    width: float
    value: str


@dataclass(frozen=True, slots=True)
class TheilChart:
    """Theil T split into between- and within-province parts, and each province's Theil T."""

    total: str
    between: Bar
    within: Bar
    groups: tuple[Bar, ...]
    height: int


def theil_chart(report: InequalityReport, names: dict[str, str], lang: Lang) -> TheilChart | None:
    """The decomposition chart; None when the report is not decomposed by group."""
    if report.theil_t_between is None or report.theil_t_within is None:
        return None
    top = max([report.theil_t, *(g.theil_t for g in report.groups)])
    # Below 1e-12 a Theil index is zero for drawing (and BAR_W / a subnormal would overflow).
    scale = BAR_W / top if top > 1e-12 else 0.0
    groups = tuple(
        Bar(g.group, names.get(g.group, g.group), round(g.theil_t * scale, 1), f"{g.theil_t:.4f}")
        for g in report.groups
    )
    return TheilChart(
        total=f"{report.theil_t:.4f}",
        between=Bar(
            "between",
            t("econ.ineq.between", lang),
            round(report.theil_t_between * scale, 1),
            f"{report.theil_t_between:.4f}",
        ),
        within=Bar(
            "within",
            t("econ.ineq.within", lang),
            round(report.theil_t_within * scale, 1),
            f"{report.theil_t_within:.4f}",
        ),
        groups=groups,
        height=56 + 24 * len(groups),
    )


SIGMA_X0 = 60.0
SIGMA_X1 = 620.0
SIGMA_Y0 = 20.0
SIGMA_Y1 = 200.0


@dataclass(frozen=True, slots=True)
class SigmaChart:
    """σ (sd of ln y) per year as a line, with the β-convergence estimate as text."""

    indicator: str
    points: tuple[tuple[float, float, str], ...]
    path: str
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    beta: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]


def sigma_chart(report: ConvergenceReport, lang: Lang) -> SigmaChart:
    """The σ line over the years with values; β figures, or why β was not estimated."""
    years, sig = report.years, report.sigma
    points: list[tuple[float, float, str]] = []
    x_ticks: list[tuple[float, str]] = []
    y_ticks: list[tuple[float, str]] = []
    if years:
        lo_y, hi_y = min(years), max(years)
        # The σ axis starts at 0: a spread is compared with no spread, not with its own minimum.
        top = max(sig) * 1.1 if max(sig) > 0 else 1.0

        def xs(yr: int) -> float:
            if hi_y == lo_y:
                return round((SIGMA_X0 + SIGMA_X1) / 2, 1)
            return round(SIGMA_X0 + (SIGMA_X1 - SIGMA_X0) * (yr - lo_y) / (hi_y - lo_y), 1)

        def ys(v: float) -> float:
            return round(SIGMA_Y1 - (SIGMA_Y1 - SIGMA_Y0) * v / top, 1)

        points = [(xs(y), ys(s), f"{y}: σ = {s:.4f}") for y, s in zip(years, sig, strict=True)]
        x_ticks = [(xs(y), str(y)) for y in years]
        y_ticks = [(ys(top * k / 4), f"{top * k / 4:.2f}") for k in range(5)]
    beta: list[tuple[str, str]] = []
    if report.beta is not None:
        beta.append(("β", f"{report.beta:.4f}"))
        if report.se_beta is not None:
            beta.append((t("econ.conv.se", lang), f"{report.se_beta:.4f}"))
        if report.r_squared is not None:
            beta.append(("R²", f"{report.r_squared:.3f}"))
        if report.half_life is not None:
            beta.append((t("econ.conv.half_life", lang), f"{report.half_life:.1f}"))
        beta.append(("n", str(report.beta_n)))
    return SigmaChart(
        indicator=report.indicator,
        points=tuple(points),
        path=" ".join(f"{x},{y}" for x, y, _ in points),
        x_ticks=tuple(x_ticks),
        y_ticks=tuple(y_ticks),
        beta=tuple(beta),
        notes=tuple(report.notes),
    )
