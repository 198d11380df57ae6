"""Region HTTP routes: contents, filters, paging and problem bodies."""

from __future__ import annotations

from fastapi.testclient import TestClient

from dyrd.region import bundled


def test_cities_lists_41_with_population_and_gdp_from_bundled_file(client: TestClient) -> None:
    resp = client.get("/api/v1/region/cities")
    assert resp.status_code == 200
    cities = resp.json()
    assert len(cities) == 41
    src = {r["code"]: r for r in bundled.read_cities()}
    for c in cities:
        assert c["population"]["value"] == float(src[c["code"]]["pop_resident_2019_10k"])
        assert c["gdp"]["value"] == float(src[c["code"]]["gdp_2019_100m_yuan"])


def test_cities_of_one_province(client: TestClient) -> None:
    resp = client.get("/api/v1/region/cities", params={"province": "340000"})
    assert resp.status_code == 200
    assert len(resp.json()) == 16


def test_unknown_city_is_404_problem_naming_the_code(client: TestClient) -> None:
    resp = client.get("/api/v1/region/cities/999999")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert "999999" in body["detail"]
    assert body["detail_zh"]
    assert body["status"] == 404


def test_malformed_parameters_are_422_listing_each_field(client: TestClient) -> None:
    resp = client.get(
        "/api/v1/region/statistics", params={"limit": "many", "offset": "-1", "year": "abc"}
    )
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
    locations = {e["location"] for e in resp.json()["errors"]}
    assert {"query.limit", "query.offset"} <= locations
    assert any(loc.startswith("query.year") for loc in locations)


def test_boundary_is_a_geojson_feature(client: TestClient) -> None:
    resp = client.get("/api/v1/region/cities/310000/boundary")
    assert resp.status_code == 200
    feature = resp.json()
    assert feature["type"] == "Feature"
    assert feature["properties"]["name_zh"] == "上海市"
    assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_statistics_paging_and_filters(client: TestClient) -> None:
    resp = client.get(
        "/api/v1/region/statistics",
        params=[
            ("indicator", "gdp"),
            ("indicator", "population_resident"),
            ("year", "2019"),
            ("province", "320000"),
            ("limit", "10"),
        ],
    )
    assert resp.status_code == 200
    page = resp.json()
    assert page["total"] == 26
    assert len(page["items"]) == 10
    assert all(i["recorded_by"] == "system" for i in page["items"])


def test_indicators_list_years(client: TestClient) -> None:
    resp = client.get("/api/v1/region/indicators")
    assert resp.status_code == 200
    by_code = {i["code"]: i for i in resp.json()}
    assert by_code["gdp"]["years"] == [2019]
    assert by_code["gdp"]["unit"] == "100m yuan"
    assert by_code["population_resident"]["name_zh"] == "常住人口"
