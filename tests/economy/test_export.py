"""The composite index as CSV and XLSX: read back, the same figures as the JSON endpoint."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from dyrd.economy.types import Concept

PARAMS: dict[str, Any] = {
    "year": [2019],
    "normalisation": "vector",
    "aggregation": "linear",
    "stability": 20,
    "seed": 7,
}


def _json(client: TestClient) -> dict[str, Any]:
    r = client.get("/api/v1/economy/index", params=PARAMS)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert body["cities"]
    return body


def _check_row(row: dict[str, Any], city: dict[str, Any], body: dict[str, Any]) -> None:
    def num(v: Any) -> float | None:
        return None if v in ("", None) else float(v)

    assert row["city_code"] == city["city_code"]
    assert row["name_zh"] == city["name_zh"]
    assert int(row["year"]) == city["year"]
    assert int(row["rank"]) == city["rank"]
    assert num(row["score"]) == pytest.approx(city["score"], rel=1e-12)
    for concept in Concept:
        got = num(row[f"sub_{concept.value}"])
        want = city["sub_indices"].get(concept.value)
        # A concept without data stays empty: never written as zero.
        assert (got is None) == (want is None)
        if want is not None:
            assert got == pytest.approx(want, rel=1e-12)
    assert num(row["rank_p05"]) == pytest.approx(city["stability"]["rank_p05"])
    assert num(row["rank_p95"]) == pytest.approx(city["stability"]["rank_p95"])
    assert row["aggregation"] == body["method"]["aggregation"] == "linear"
    assert row["normalisation"] == body["method"]["normalisation"] == "vector"
    assert row["weights"] == body["method"]["weights"]
    assert int(row["stability_draws"]) == body["stability_draws"] == 20
    assert int(row["stability_seed"]) == 7


def test_index_csv_matches_json(client: TestClient) -> None:
    body = _json(client)
    r = client.get("/api/v1/economy/index.csv", params=PARAMS)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8"))))
    assert len(rows) == len(body["cities"])
    for row, city in zip(rows, body["cities"], strict=True):
        _check_row(row, city, body)
    assert sorted(int(r["rank"]) for r in rows) == list(range(1, len(rows) + 1))
    if body["concepts_without_data"]:
        missing = body["concepts_without_data"][0]
        assert all(row[f"sub_{missing}"] == "" for row in rows)


def test_index_xlsx_matches_json(client: TestClient) -> None:
    body = _json(client)
    r = client.get("/api/v1/economy/index.xlsx", params=PARAMS)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    assert book.sheetnames == ["index", "method", "indicators"]
    values = list(book["index"].iter_rows(values_only=True))
    header = [str(h) for h in values[0]]
    rows = [dict(zip(header, v, strict=True)) for v in values[1:]]
    assert len(rows) == len(body["cities"])
    for row, city in zip(rows, body["cities"], strict=True):
        _check_row(row, city, body)
    method = dict(book["method"].iter_rows(min_row=2, values_only=True))
    assert method["aggregation"] == "linear"
    assert method["years"] == "2019"
    assert method["entropy_convention"] == body["method"]["entropy_convention"]
    weights = list(book["indicators"].iter_rows(min_row=2, values_only=True))
    assert len(weights) == len(body["indicators"])
    first = body["indicators"][0]
    assert weights[0][0] == first["code"]
    assert weights[0][5] == pytest.approx(first["weight"][0])


def test_index_exports_validate_like_json(client: TestClient) -> None:
    for suffix in (".csv", ".xlsx", ""):
        r = client.get(f"/api/v1/economy/index{suffix}", params={"year": 2019, "weights": "nope"})
        assert r.status_code == 422, suffix
        r = client.get(f"/api/v1/economy/index{suffix}")
        assert r.status_code == 422, suffix
