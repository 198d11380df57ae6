"""The inline-SVG city map: regions coloured by quantile class, or plain as a locator."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dyrd.region.schemas import CityRead, GeoJSONFeature, StatisticValue
from dyrd.web import mapsvg
from dyrd.web.common import cell, name_in, short_name
from dyrd.web.i18n import Lang, t, unit_label

NODATA_FILL = "url(#nodata)"


@dataclass(frozen=True, slots=True)
class MapRegion:
    """One city on the map."""

    code: str
    name: str
    label: str
    href: str
    d: str
    fill: str
    value: float | None
    text: str
    year: int | None
    source: str
    label_x: float
    label_y: float
    highlight: bool = False

    @property
    def data_value(self) -> str:
        """The stored value exactly (``repr`` round-trips a float); empty when missing."""
        return "" if self.value is None else repr(self.value)


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One legend row: a swatch, its value range and how many cities fall in it."""

    fill: str
    text: str
    count: int
    nodata: bool = False


@dataclass(frozen=True, slots=True)
class ChoroplethMap:
    """An inline-SVG map of the cities."""

    view_box: str
    width: float
    height: float
    regions: tuple[MapRegion, ...]
    legend: tuple[LegendEntry, ...]
    unit: str
    nodata_count: int


def build_map(
    features: Sequence[GeoJSONFeature],
    cities: Mapping[str, CityRead],
    values: Mapping[str, StatisticValue] | None,
    *,
    lang: Lang,
    unit: str = "",
    highlight: str | None = None,
    width: float = 1000.0,
    min_step: float = 1.2,
) -> ChoroplethMap:
    """Project the boundaries and colour each city by its value class (or as 无数据).

    With ``values=None`` the map is a locator: every city plain, ``highlight`` marked.
    ``min_step`` (viewBox units) thins vertices closer than about a screen pixel.
    """
    if not features:  # nothing loaded yet: an empty frame, the page says what to do
        return ChoroplethMap(f"0 0 {width:g} {width * 0.75:g}", width, width * 0.75, (), (), "", 0)
    proj = mapsvg.Projection.fit(mapsvg.bbox_of(f.geometry for f in features), width=width)
    present = [v.value for v in (values or {}).values()]
    breaks = mapsvg.quantile_breaks(present)
    colours = mapsvg.palette_for(len(breaks))
    counts = [0] * len(breaks)
    regions: list[MapRegion] = []
    nodata = 0
    for feature in features:
        code = str(feature.properties["code"])
        city = cities.get(code)
        stat = values.get(code) if values is not None else None
        if values is None:
            fill = "var(--map-base)"
        elif stat is None:
            fill = NODATA_FILL
            nodata += 1
        else:
            k = mapsvg.class_index(stat.value, breaks)
            counts[k] += 1
            fill = colours[k]
        shown = cell(stat, lang)
        # A boundary without a city row (should not happen) is drawn but left unlabelled.
        x, y = proj.project(city.lon, city.lat) if city is not None else (0.0, 0.0)
        regions.append(
            MapRegion(
                code=code,
                name=name_in(city, lang) if city is not None else code,
                label=short_name(city, lang) if city is not None else "",
                href=f"/cities/{code}",
                d=mapsvg.path_d(feature.geometry, proj, min_step=min_step),
                fill=fill,
                value=shown.value,
                text=shown.text,
                year=shown.year,
                source=shown.source,
                label_x=round(x, 1),
                label_y=round(y, 1),
                highlight=code == highlight,
            )
        )
    legend: list[LegendEntry] = []
    if present:
        for (lo, hi), colour, count in zip(
            mapsvg.class_bounds(breaks, min(present)), colours, counts, strict=True
        ):
            text = (
                mapsvg.format_value(hi, unit)
                if lo == hi
                else f"{mapsvg.format_value(lo, unit)} – {mapsvg.format_value(hi, unit)}"
            )
            legend.append(LegendEntry(colour, text, count))
    if values is not None:
        legend.append(LegendEntry(NODATA_FILL, t("legend.nodata", lang), nodata, nodata=True))
    return ChoroplethMap(
        view_box=proj.view_box,
        width=proj.width,
        height=proj.height,
        regions=tuple(regions),
        legend=tuple(legend),
        unit=unit_label(unit, lang) if unit else "",
        nodata_count=nodata,
    )
