"""One city's five concept sub-indices as a radar chart in PNG, drawn with Pillow.

The same chart as the dashboard's SVG radar: first axis up, clockwise in the order of
``Concept``; the outer ring is the larger of 1 and the largest sub-index of any city in the index
(one scale for all cities). A concept without data keeps a dashed grey axis labelled "no data"
and has no point: it is never drawn as zero. Labels are English: Pillow's built-in font has no
Chinese glyphs, and no CJK font is bundled.
"""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont

from dyrd.economy.errors import CityNotInIndex
from dyrd.economy.schemas import IndexReport
from dyrd.economy.types import Concept

SIZE = (520, 420)
CENTRE = (260.0, 215.0)
RADIUS = 140.0
RINGS = 4
BLUE = (37, 99, 235)
GREY = (154, 161, 169)
RING = (200, 204, 210)


def _at(r: float, i: int, n: int) -> tuple[float, float]:
    a = -math.pi / 2 + 2 * math.pi * i / n
    return (CENTRE[0] + r * math.cos(a), CENTRE[1] + r * math.sin(a))


def _dashed(draw: ImageDraw.ImageDraw, end: tuple[float, float], dash: float = 5.0) -> None:
    length = math.dist(CENTRE, end)
    steps = int(length // dash)
    for k in range(0, steps, 2):
        f0, f1 = k * dash / length, min((k + 1) * dash / length, 1.0)
        p0 = (CENTRE[0] + (end[0] - CENTRE[0]) * f0, CENTRE[1] + (end[1] - CENTRE[1]) * f0)
        p1 = (CENTRE[0] + (end[0] - CENTRE[0]) * f1, CENTRE[1] + (end[1] - CENTRE[1]) * f1)
        draw.line([p0, p1], fill=GREY, width=1)


def radar_png(report: IndexReport, city: str) -> bytes:
    """The radar of ``city`` (first year of the report) as PNG bytes."""
    row = next((c for c in report.cities if c.city_code == city), None)
    if row is None:
        raise CityNotInIndex(
            f"City {city!r} has no row in this composite index.",
            f"城市 {city} 不在该综合指数中。",
        )
    scale = max(1.0, max((v for c in report.cities for v in c.sub_indices.values()), default=1.0))
    img = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=13)
    concepts = list(Concept)
    n = len(concepts)
    for k in range(1, RINGS + 1):
        draw.polygon([_at(RADIUS * k / RINGS, i, n) for i in range(n)], outline=RING)
        draw.text(
            (CENTRE[0] + 4, CENTRE[1] - RADIUS * k / RINGS),
            f"{scale * k / RINGS:.2f}",
            fill=GREY,
            font=font,
        )
    points = []
    for i, concept in enumerate(concepts):
        end = _at(RADIUS, i, n)
        value = row.sub_indices.get(concept.value)
        lx, ly = _at(RADIUS + 22, i, n)
        if value is None:
            _dashed(draw, end)
            text, colour = f"{concept.value}\nno data", GREY
        else:
            draw.line([CENTRE, end], fill=GREY, width=1)
            points.append(_at(RADIUS * value / scale, i, n))
            text, colour = f"{concept.value}\n{value:.3f}", (17, 24, 39)
        draw.multiline_text((lx, ly), text, fill=colour, font=font, anchor="mm", align="center")
    if len(points) >= 3:
        overlay = Image.new("RGBA", SIZE, (0, 0, 0, 0))
        ImageDraw.Draw(overlay).polygon(points, fill=(*BLUE, 64))
        img.paste(overlay, (0, 0), overlay)
        draw = ImageDraw.Draw(img)
    if len(points) >= 2:
        draw.line([*points, points[0]] if len(points) >= 3 else points, fill=BLUE, width=2)
    for x, y in points:
        draw.ellipse([x - 4, y - 4, x + 4, y + 4], fill=BLUE)
    draw.text((12, 10), f"{row.name_en} {row.city_code} ({row.year})", fill=(17, 24, 39), font=font)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
