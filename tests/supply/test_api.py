"""HTTP API /api/v1/supply: authenticated writes, problem bodies, the whole flow."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.fakes import FakeAuthenticator
from tests.supply.support import API, CODES, FIRMS, LINKS, RULES, TOKENS, auth


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    """A client of the app with the test tokens."""
    app.state.authenticator = FakeAuthenticator(dict(TOKENS))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _firm(i: int) -> dict[str, Any]:
    code, zh, en, city, industry, final = FIRMS[i]
    return {
        "code": code,
        "name_zh": zh,
        "name_en": en,
        "city_code": city,
        "industry": industry,
        "credit_grade": "A",
        "final_demand_per_day": final,
    }


def _seed(api: TestClient) -> None:
    for i in range(len(FIRMS)):
        assert (
            api.post(f"{API}/enterprises", json=_firm(i), headers=auth("steward")).status_code
            == 201
        )
    for s, c, cls, value in LINKS:
        r = api.post(
            f"{API}/links",
            json={
                "supplier_code": CODES[s],
                "customer_code": CODES[c],
                "product_class": cls,
                "value_per_day": value,
            },
            headers=auth("steward"),
        )
        assert r.status_code == 201, r.text


def test_writes_need_a_steward(api: TestClient) -> None:
    assert api.post(f"{API}/enterprises", json=_firm(0)).status_code == 401
    r = api.post(f"{API}/enterprises", json=_firm(0), headers=auth("viewer"))
    assert r.status_code == 403
    assert api.get(f"{API}/enterprises").json() == []


def test_bad_codes_get_problem_bodies(api: TestClient) -> None:
    bad = _firm(0) | {"code": CODES[0][:-1] + ("0" if CODES[0][-1] != "0" else "1")}
    r = api.post(f"{API}/enterprises", json=bad, headers=auth("steward"))
    assert r.status_code == 422
    body = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert body["errors"][0]["location"] == "code"
    assert "校验码" in body["detail_zh"]
    r = api.post(f"{API}/enterprises", json=_firm(0) | {"city_code": "31"}, headers=auth("steward"))
    assert r.status_code == 422
    assert api.get(f"{API}/enterprises/123").status_code == 422
    assert api.get(f"{API}/chains/Nope!").status_code == 422
    assert api.get(f"{API}/chains/nope").status_code == 404
    _seed(api)
    r = api.post(
        f"{API}/products",
        json={
            "gtin": "4006381333932",
            "name": "x",
            "product_class": "C3670",
            "enterprise_code": CODES[1],
        },
        headers=auth("steward"),
    )
    assert r.status_code == 422
    assert "GTIN" in r.json()["detail"]
    r = api.post(f"{API}/enterprises", json=_firm(0), headers=auth("steward"))
    assert r.status_code == 409
    r = api.post(
        f"{API}/chains",
        json={
            "id": "c1",
            "name_zh": "链",
            "name_en": "c",
            "product_class": "C36",
            "rules": {"join": []},
        },
        headers=auth("steward"),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["location"] == "rules.join"


def test_chain_match_and_disruption_flow(api: TestClient) -> None:
    _seed(api)
    h = auth("steward")
    r = api.post(
        f"{API}/products",
        json={
            "gtin": "4006381333931",
            "name": "ECU",
            "product_class": "C3670",
            "enterprise_code": CODES[1],
        },
        headers=h,
    )
    assert r.json()["gtin"] == "04006381333931"
    chain = {
        "id": "yrd-auto",
        "name_zh": "汽车零部件",
        "name_en": "Auto parts",
        "product_class": "C36",
        "rules": RULES,
    }
    assert api.post(f"{API}/chains", json=chain, headers=h).status_code == 201
    cert = {"name": "IATF 16949", "valid_from": "2025-01-01", "valid_until": "2028-01-01"}
    assert (
        api.post(f"{API}/enterprises/{CODES[1]}/certifications", json=cert, headers=h).status_code
        == 201
    )
    r = api.post(f"{API}/chains/yrd-auto/join", json={"enterprise_code": CODES[1]}, headers=h)
    assert r.status_code == 201
    decision = r.json()
    assert decision["outcome"] == "admitted"
    assert decision["ledger_seq"] >= 0
    assert len(decision["results"]) == len(RULES["join"])
    r = api.post(f"{API}/chains/yrd-auto/join", json={"enterprise_code": CODES[3]}, headers=h)
    assert r.json()["outcome"] == "refused"
    listed = api.get(f"{API}/decisions", params={"chain": "yrd-auto"}).json()
    assert [d["outcome"] for d in listed] == ["refused", "admitted"]
    assert api.get(f"{API}/chains/yrd-auto").json()["cities"] == ["320500"]

    offer = {
        "enterprise_code": CODES[1],
        "product_class": "C3670",
        "quantity": 10,
        "unit": "pcs",
        "lead_days": 1,
    }
    need = {
        "enterprise_code": CODES[0],
        "product_class": "C36",
        "quantity": 4,
        "unit": "pcs",
        "max_lead_days": 3,
        "max_km": 200,
    }
    assert api.post(f"{API}/offers", json=offer, headers=h).status_code == 201
    assert api.post(f"{API}/needs", json=need, headers=h).status_code == 201
    assert api.post(f"{API}/needs", json=need | {"max_km": -1}, headers=h).status_code == 422
    matches = api.get(f"{API}/matches").json()["matches"]
    assert [(m["supplier"], m["buyer"], m["quantity"]) for m in matches] == [
        (CODES[1], CODES[0], 4)
    ]

    scenario = {
        "name": "Wuxi",
        "start": "2020-02-01",
        "days": 30,
        "restrictions": [
            {"city": "320200", "start": "2020-02-01", "end": "2020-02-20", "share": 1}
        ],
    }
    r = api.post(f"{API}/disruption/run", json=scenario)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["direct"] > 0
    assert report["indirect"] > 0
    assert report["chains"][0]["key"] == "yrd-auto"
    bad = scenario | {
        "restrictions": [{"city": "320200", "start": "2020-02-20", "end": "2020-02-01", "share": 1}]
    }
    assert api.post(f"{API}/disruption/run", json=bad).status_code == 422
    assert api.post(f"{API}/scenarios", json={"id": "wuxi", "spec": scenario}).status_code == 401
    assert (
        api.post(f"{API}/scenarios", json={"id": "wuxi", "spec": scenario}, headers=h).status_code
        == 201
    )
    assert api.get(f"{API}/scenarios/wuxi/run").json()["total"] == report["total"]
    assert api.get(f"{API}/scenarios/none/run").status_code == 404
