"""HTTP routes of the catalog: CRUD, versions, uploads, problems, CKAN subset, DCAT export."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pyshacl import validate
from rdflib import Graph

from tests.exchange.conftest import auth, table_payload

PROBLEM = "application/problem+json"
BASE = "/api/v1/catalog"
CSV = b"code,name,score,listed,since\nA1,Alice,1.5,true,2020-01-01\nA2,,2,false,\n"


@pytest.fixture
def api(authed_app: FastAPI) -> TestClient:
    """A client of the app that knows the test tokens."""
    return TestClient(authed_app, raise_server_exceptions=False)


def create(api: TestClient, **overrides: Any) -> dict[str, Any]:
    resp = api.post(f"{BASE}/resources", json=table_payload(**overrides), headers=auth("steward"))
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def upload(
    api: TestClient,
    ref: str,
    content: bytes,
    token: str = "steward",  # noqa: S107  # a fixture token name
) -> Any:
    return api.post(
        f"{BASE}/resources/{ref}/data",
        files={"file": ("data.csv", content, "text/csv")},
        headers=auth(token),
    )


def test_create_read_update_and_history(api: TestClient) -> None:
    created = create(api)
    assert created["version"] == 1
    resp = api.get(f"{BASE}/resources/{created['name']}")
    assert resp.status_code == 200
    assert resp.json()["id"] == created["id"]
    patch = api.patch(
        f"{BASE}/resources/{created['id']}",
        json={"title_en": "Credit", "expected_version": 1},
        headers=auth("steward"),
    )
    assert patch.status_code == 200
    assert patch.json()["version"] == 2
    versions = api.get(f"{BASE}/resources/{created['id']}/versions").json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["changed_fields"] == ["title_en"]
    one = api.get(f"{BASE}/resources/{created['id']}/versions/2").json()
    assert one["changes"]["title_en"]["new"] == "Credit"
    diff = api.get(f"{BASE}/resources/{created['id']}/diff", params={"from": 2, "to": 1}).json()
    assert diff["changes"]["title_en"] == {
        "old": "Credit",
        "new": "Enterprise credit information",
    }
    stale = api.patch(
        f"{BASE}/resources/{created['id']}",
        json={"title_en": "Again", "expected_version": 1},
        headers=auth("steward"),
    )
    assert stale.status_code == 409
    assert stale.headers["content-type"].startswith(PROBLEM)


def test_auth_problems(api: TestClient) -> None:
    anonymous = api.post(f"{BASE}/resources", json=table_payload())
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith(PROBLEM)
    assert anonymous.headers["www-authenticate"] == "Bearer"
    bad_token = api.post(f"{BASE}/resources", json=table_payload(), headers=auth("nobody"))
    assert bad_token.status_code == 401
    outsider = api.post(f"{BASE}/resources", json=table_payload(), headers=auth("outsider"))
    assert outsider.status_code == 403
    body = outsider.json()
    assert body["status"] == 403
    assert "data_steward" in body["detail"]
    assert body["detail_zh"]
    viewer = api.post(f"{BASE}/resources", json=table_payload(), headers=auth("viewer"))
    assert viewer.status_code == 403


def test_validation_and_not_found_problems(api: TestClient) -> None:
    bad = api.post(
        f"{BASE}/resources",
        json=table_payload(owner_member="nobody", themes=["NOPE"], contact_email="x"),
        headers=auth("steward"),
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith(PROBLEM)
    locations = {e["location"] for e in bad.json()["errors"]}
    assert {"body.owner_member", "body.contact_email"} <= locations
    assert any(loc.startswith("body.themes") for loc in locations)
    rule = api.post(
        f"{BASE}/resources", json=table_payload(sharing_class="not_shared"), headers=auth("steward")
    )
    assert rule.status_code == 422
    assert rule.json()["errors"][0]["location"] == "not_shared_reason"
    missing = api.get(f"{BASE}/resources/no-such-thing")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith(PROBLEM)
    assert "no-such-thing" in missing.json()["detail"]
    assert api.get(f"{BASE}/resources/{create(api)['id']}/versions/7").status_code == 404


def test_upload_errors_name_row_and_column_and_store_nothing(api: TestClient) -> None:
    res = create(api)
    bad = upload(api, res["id"], b"code,name,score\nA1,Alice,lots\nA1,Bob,2\n")
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith(PROBLEM)
    errors = bad.json()["errors"]
    assert [(e["location"], e.get("value")) for e in errors] == [
        ("row 1, column score", "lots"),
        ("row 2, column code", "A1"),
    ]
    assert all(e["message_zh"] for e in errors)
    assert api.get(f"{BASE}/resources/{res['id']}").json()["version"] == 1
    assert upload(api, res["id"], CSV, token="outsider").status_code == 403


def test_upload_then_read_data_and_quality(api: TestClient) -> None:
    res = create(api)
    ok = upload(api, res["id"], CSV)
    assert ok.status_code == 201
    assert ok.json()["row_count"] == 2
    again = upload(api, res["id"], CSV)
    assert again.status_code == 200
    page = api.get(f"{BASE}/resources/{res['id']}/data", headers=auth("viewer"))
    assert page.status_code == 200
    assert page.json()["rows"][1] == {
        "code": "A2",
        "name": None,
        "score": 2.0,
        "listed": False,
        "since": None,
    }
    csv_text = api.get(f"{BASE}/resources/{res['id']}/data.csv", headers=auth("viewer"))
    assert csv_text.headers["content-type"].startswith("text/csv")
    assert csv_text.text.splitlines() == [
        "code,name,score,listed,since",
        "A1,Alice,1.5,true,2020-01-01",
        "A2,,2.0,false,",
    ]
    # conditional data: a user of another member needs a grant
    denied = api.get(f"{BASE}/resources/{res['id']}/data", headers=auth("outsider"))
    assert denied.status_code == 403
    assert api.get(f"{BASE}/resources/{res['id']}/data").status_code == 401
    quality = api.get(f"{BASE}/resources/{res['id']}/quality").json()
    name = next(c for c in quality["columns"] if c["name"] == "name")
    assert name["completeness"] == 0.5
    assert quality["freshness"]["status"] == "fresh"
    open_res = create(api, name="open-data", sharing_class="unconditional")
    upload(api, open_res["id"], CSV)
    shared = api.get(f"{BASE}/resources/{open_res['id']}/data", headers=auth("outsider"))
    assert shared.status_code == 200


def test_check_reports_problems_and_quality_without_storing(api: TestClient) -> None:
    res = create(api)
    resp = api.post(
        f"{BASE}/resources/{res['id']}/data/check",
        files={"file": ("d.csv", b"code,name,score\nA1,Alice,1.5\nA2,,2\nA3,Bob,x\nA4,Bob,\n")},
        headers=auth("viewer"),
    )
    assert resp.status_code == 200
    report = resp.json()
    assert report["valid"] is False
    assert [p["location"] for p in report["problems"]] == ["row 3, column score"]
    assert report["quality"]["validity"] == pytest.approx(9 / 10)
    assert report["quality"]["completeness"] == pytest.approx(10 / 20)  # 5 declared columns
    assert api.get(f"{BASE}/resources/{res['id']}").json()["data"] is None


def test_search_endpoint_facets_and_paging(api: TestClient) -> None:
    create(api)
    create(
        api,
        name="second",
        title_zh="医疗机构名录",
        title_en="Hospitals",
        description_zh="医院名单。",
        themes=["HEAL"],
        keywords=["医院"],
        sharing_class="unconditional",
    )
    resp = api.get(f"{BASE}/resources", params={"q": "企业 信用"})
    assert resp.status_code == 200
    page = resp.json()
    assert page["items"][0]["name"] == "test-enterprise-credit"
    assert page["total"] == 1
    everything = api.get(f"{BASE}/resources", params={"limit": 1}).json()
    assert everything["total"] == 2
    assert len(everything["items"]) == 1
    assert {f["value"] for f in everything["facets"]["theme"]} == {"ECON", "HEAL"}
    heal = api.get(f"{BASE}/resources", params={"theme": "HEAL"}).json()
    assert [i["name"] for i in heal["items"]] == ["second"]
    by_title = api.get(f"{BASE}/resources", params={"sort": "title"}).json()
    assert [i["title_en"] for i in by_title["items"]] == [
        "Enterprise credit information",
        "Hospitals",
    ]
    assert api.get(f"{BASE}/resources", params={"limit": 0}).status_code == 422


def test_withdraw(api: TestClient) -> None:
    res = create(api)
    resp = api.delete(f"{BASE}/resources/{res['id']}", headers=auth("steward"))
    assert resp.status_code == 200
    assert resp.json()["status"] == "withdrawn"
    assert api.get(f"{BASE}/resources", params={"q": "信用"}).json()["total"] == 0
    again = api.delete(f"{BASE}/resources/{res['id']}", headers=auth("steward"))
    assert again.status_code == 409


# --- CKAN -------------------------------------------------------------------------------------


def test_ckan_package_search_envelope_and_fields(api: TestClient) -> None:
    create(api)
    resp = api.get(
        "/api/3/action/package_search",
        params={"q": "信用", "facet.field": '["organization","tags","groups"]', "rows": 5},
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["success"] is True
    assert body["help"].endswith("/api/3/action/help_show?name=package_search")
    result = body["result"]
    assert result["count"] == 1
    pkg = result["results"][0]
    assert pkg["name"] == "test-enterprise-credit"
    assert pkg["organization"]["name"] == "cn-yrd-gov-330000-scjgj"
    assert {t["name"] for t in pkg["tags"]} == {"信用", "credit"}
    orgs = result["search_facets"]["organization"]["items"]
    assert orgs == [
        {"name": "cn-yrd-gov-330000-scjgj", "display_name": "浙江省市场监督管理局", "count": 1}
    ]
    assert result["facets"]["tags"] == {"信用": 1, "credit": 1}


def test_ckan_fq_paging_and_post(api: TestClient) -> None:
    for i in range(3):
        create(api, name=f"ds-{i}", title_en=f"Dataset {i}")
    fq = api.get(
        "/api/3/action/package_search",
        params={
            "fq": "organization:cn-yrd-gov-330000-scjgj",
            "rows": 2,
            "start": 2,
            "sort": "name asc",
        },
    ).json()["result"]
    assert fq["count"] == 3
    assert [p["name"] for p in fq["results"]] == ["ds-2"]
    posted = api.post("/api/3/action/package_search", json={"fq": "tags:credit", "rows": 1}).json()
    assert posted["success"] is True
    assert posted["result"]["count"] == 3
    none = api.get("/api/3/action/package_search", params={"fq": "res_format:CSV"}).json()
    assert none["result"]["count"] == 0


def test_ckan_errors_are_4xx_with_ckan_error_objects(api: TestClient) -> None:
    missing = api.get("/api/3/action/package_show", params={"id": "nope"})
    assert missing.status_code == 404
    body = missing.json()
    assert body["success"] is False
    assert body["error"]["__type"] == "Not Found Error"
    assert "nope" in body["error"]["message"]
    no_id = api.get("/api/3/action/package_show")
    assert no_id.status_code == 422
    assert no_id.json()["error"]["__type"] == "Validation Error"
    assert no_id.json()["error"]["id"] == ["Missing value"]
    bad_fq = api.get("/api/3/action/package_search", params={"fq": "colour:red"})
    assert bad_fq.status_code == 400
    assert bad_fq.json()["error"]["__type"] == "Search Query Error"
    bad_rows = api.get("/api/3/action/package_search", params={"rows": "5000"})
    assert bad_rows.status_code == 400
    unknown = api.get("/api/3/action/package_create")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["__type"] == "Bad Request"
    bad_json = api.post(
        "/api/3/action/package_search",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert bad_json.status_code == 422
    assert bad_json.json()["success"] is False


def test_ckan_package_show_and_organizations(api: TestClient) -> None:
    res = create(api)
    shown = api.get("/api/3/action/package_show", params={"id": res["name"]}).json()
    assert shown["result"]["id"] == res["id"]
    assert shown["result"]["notes"] == "登记企业的信用等级。"
    names = api.get("/api/3/action/organization_list").json()["result"]
    assert names == ["cn-yrd-gov-330000-scjgj"]
    full = api.get("/api/3/action/organization_list", params={"all_fields": "true"}).json()
    assert full["result"][0]["package_count"] == 1
    org = api.get(
        "/api/3/action/organization_show",
        params={"id": "cn-yrd-gov-330000-scjgj", "include_datasets": "true"},
    ).json()["result"]
    assert [p["name"] for p in org["packages"]] == [res["name"]]
    assert api.get(f"{BASE}/organizations/nobody").status_code == 404
    assert api.get(f"{BASE}/organizations/cn-yrd-gov-330000-scjgj").json()["package_count"] == 1


# --- DCAT -------------------------------------------------------------------------------------


def test_dcat_export_of_the_samples_conforms_to_dcat_ap_3(
    api: TestClient, dcat_shapes: Graph, authed_app: FastAPI
) -> None:
    from sqlalchemy.orm import Session

    from dyrd.exchange import service

    factory = authed_app.state.session_factory
    with factory() as session:
        assert isinstance(session, Session)
        service.load_samples(session, clock=authed_app.state.clock)
    res = create(api)
    assert upload(api, res["id"], CSV).status_code == 201
    resp = api.get(f"{BASE}/dcat.ttl")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=resp.text, format="turtle")
    conforms, _, text = validate(graph, shacl_graph=dcat_shapes, inference="none")
    assert conforms, text
    assert "企业信用信息（样例）" in resp.text
    jsonld = api.get(f"{BASE}/dcat.jsonld")
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert '"@context"' in jsonld.text


def test_vocabularies(api: TestClient) -> None:
    vocab = api.get(f"{BASE}/vocabularies").json()
    econ = next(t for t in vocab["themes"] if t["code"] == "ECON")
    assert econ["uri"].endswith("/data-theme/ECON")
    assert econ["label_zh"] == "经济和金融"
    assert {s["label_zh"] for s in vocab["sharing_classes"]} == {
        "无条件共享",
        "有条件共享",
        "不予共享",
    }
