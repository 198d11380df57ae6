"""Acceptance policies over HTTP (publish, list, show, history) and the checkpoint applying the
stored, signature-checked policy in force at the validation time."""

from __future__ import annotations

import copy
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dyrd.healthcode.models import PolicyVersion
from tests.healthcode.conftest import auth
from tests.healthcode.test_checkpoint_api import _check, _issue, _resident
from tests.healthcode.test_policies import TODAY, sh_v3

POLICIES = "/api/v1/healthcode/policies"


def test_publish_list_show_history_and_bad_requests(hc_app: FastAPI) -> None:
    tomorrow = TODAY + timedelta(days=1)
    with TestClient(hc_app) as client:
        body = {"document": sh_v3(tomorrow)}
        assert client.post(POLICIES, json=body).status_code == 401
        denied = client.post(POLICIES, json=body, headers=auth("sh"))  # a viewer
        assert denied.status_code == 403
        assert denied.headers["content-type"].startswith("application/problem+json")
        bad = client.post(
            POLICIES,
            json={"document": sh_v3(tomorrow) | {"valid_until": "2026-01-01"}},
            headers=auth("region"),
        )
        assert bad.status_code == 422
        assert bad.json()["type"] == "urn:dyrd:problem:healthcode-policy-invalid"
        assert any(e["location"] == "document.valid_until" for e in bad.json()["errors"])
        assert client.post(POLICIES, json={"doc": {}}, headers=auth("region")).status_code == 422
        published = client.post(POLICIES, json=body, headers=auth("region"))
        assert published.status_code == 201, published.text
        assert (published.json()["version"], published.json()["verified"]) == (3, True)
        again = client.post(POLICIES, json=body, headers=auth("region"))
        assert again.status_code == 409

        listed = client.get(POLICIES, params={"jurisdiction": "310000"}).json()
        assert [(p["policy_id"], p["version"]) for p in listed] == [
            ("SH-ACC-001", 1), ("SH-ACC-001", 2), ("SH-ACC-001", 3),
        ]  # fmt: skip
        assert client.get(POLICIES, params={"jurisdiction": "31"}).status_code == 422
        assert client.get(f"{POLICIES}/SH-ACC-001").json()["version"] == 3
        history = client.get(f"{POLICIES}/SH-ACC-001/history").json()
        assert [p["valid_from"] for p in history] == ["2020-02-24", "2020-06-01", str(tomorrow)]
        one = client.get(f"{POLICIES}/SH-ACC-001/versions/1").json()
        assert one["document"]["id"] == "SH-ACC-001"
        assert one["protected"]
        assert one["signature"]
        assert one["signed_by"] == "CN-YRD/GOV/310000"
        missing = client.get(f"{POLICIES}/SH-ACC-001/versions/7")
        assert missing.status_code == 404
        assert missing.json()["type"] == "urn:dyrd:problem:healthcode-policy-not-found"
        assert client.get(f"{POLICIES}/XX-ACC-404").status_code == 404


def test_the_checkpoint_applies_the_version_in_force_at_the_validation_time(
    hc_app: FastAPI,
) -> None:
    tomorrow = TODAY + timedelta(days=1)
    with TestClient(hc_app) as client:
        code = _issue(client, _resident(client))["text"]
        r = client.post(POLICIES, json={"document": sh_v3(tomorrow)}, headers=auth("region"))
        assert r.status_code == 201, r.text
        today = _check(client, code)
        assert (today["accepted"], today["policy_version"]) == (True, 2)
        assert today["policy_source"] == "stored"
        assert today["reason_zh"] == "接受：浙江绿码 (policy SH-ACC-001 v2)"
        # 17:00 UTC is 01:00 the next day in Shanghai, when version 3 takes effect (the code,
        # issued at 08:00 UTC for 24 hours, is still valid).
        later = _check(client, code, at="2026-11-26T17:00:00Z")
        assert (later["accepted"], later["policy_version"]) == (False, 3)
        assert later["steps"]["policy"] is False
        assert later["reason_zh"] == "拒绝：浙江绿码，仅接受本市码 (policy SH-ACC-001 v3)"
        listed = client.get("/api/v1/healthcode/checkpoint/policies").json()
        assert ("SH-ACC-001", 3) in {(p["policy_id"], p["version"]) for p in listed}


def test_the_checkpoint_refuses_to_decide_on_a_tampered_policy(
    hc_app: FastAPI, session: Session
) -> None:
    with TestClient(hc_app) as client:
        code = _issue(client, _resident(client))["text"]
        row = session.scalars(
            select(PolicyVersion).where(
                PolicyVersion.policy_id == "SH-ACC-001", PolicyVersion.version == 2
            )
        ).one()
        document = copy.deepcopy(row.document)
        document["requirements"][0]["reason_en"] = "Tampered: {issuer} {colour}"
        row.document = document
        session.commit()
        verdict = _check(client, code)
        assert verdict["accepted"] is False
        assert verdict["valid"] is False
        assert verdict["steps"]["signature"] is True  # the code is fine...
        assert verdict["steps"]["policy"] is False  # ...the policy is not
        assert "SH-ACC-001 v2" in verdict["reason"]
        assert "does not verify" in verdict["reason"]
        assert "签名验证失败" in verdict["reason_zh"]
        shown = client.get(f"{POLICIES}/SH-ACC-001/versions/2").json()
        assert shown["verified"] is False


def test_the_checkpoint_says_when_it_falls_back_to_the_bundled_sample(
    hc_app: FastAPI, session: Session
) -> None:
    session.execute(delete(PolicyVersion).where(PolicyVersion.jurisdiction == "310000"))
    session.commit()
    with TestClient(hc_app) as client:
        verdict = _check(client, _issue(client, _resident(client))["text"])
        assert verdict["accepted"] is True
        assert verdict["policy_source"] == "bundled-sample"
        assert verdict["reason"].endswith("bundled SAMPLE policy, none is published on this node")
        assert "内置示例策略" in verdict["reason_zh"]
