"""The PNG radar: decodes with Pillow, marks the city's points, refuses unknown cities."""

from __future__ import annotations

import io
import math

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from dyrd.economy import service as economy
from dyrd.economy.service.radar import BLUE, CENTRE, RADIUS, SIZE
from dyrd.economy.types import Concept


def test_radar_png_decodes_and_marks_the_points(client: TestClient, session: Session) -> None:
    report = economy.composite_index(session, years=[2019])
    city = report.cities[0]
    r = client.get("/api/v1/economy/radar.png", params={"year": 2019, "city": city.city_code})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png"
    img = Image.open(io.BytesIO(r.content))
    img.load()
    assert img.format == "PNG"
    assert img.size == SIZE
    rgb = img.convert("RGB")
    scale = max(1.0, *(v for c in report.cities for v in c.sub_indices.values()))
    n = len(Concept)
    for i, concept in enumerate(Concept):
        v = city.sub_indices.get(concept.value)
        if v is None:
            continue
        a = -math.pi / 2 + 2 * math.pi * i / n
        x = CENTRE[0] + RADIUS * v / scale * math.cos(a)
        y = CENTRE[1] + RADIUS * v / scale * math.sin(a)
        # The dot of each concept with data sits at value / scale along its axis.
        assert rgb.getpixel((round(x), round(y))) == BLUE, concept
    # Another city draws another picture.
    other = report.cities[-1].city_code
    r2 = client.get("/api/v1/economy/radar.png", params={"year": 2019, "city": other})
    assert r2.status_code == 200
    assert r2.content != r.content


def test_radar_png_refuses_bad_cities(client: TestClient) -> None:
    r = client.get("/api/v1/economy/radar.png", params={"year": 2019, "city": "999999"})
    assert r.status_code == 404
    body = r.json()
    assert body["title_zh"] == "城市不在综合指数中"
    r = client.get("/api/v1/economy/radar.png", params={"year": 2019, "city": "abc"})
    assert r.status_code == 422
    r = client.get("/api/v1/economy/radar.png", params={"year": 2019})
    assert r.status_code == 422
