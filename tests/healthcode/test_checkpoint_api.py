"""Mutual recognition through the API: a Shanghai checkpoint checks Zhejiang-issued codes.

The embedded default: the checkpoint verifies against the trust list of its own database (every
jurisdiction's DSC), its standing revocations, and Shanghai's signed SAMPLE acceptance policy.
"""

from __future__ import annotations

import zlib
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dyrd import credential
from dyrd.credential.compute import base45, qr
from tests.healthcode.conftest import ZJ, auth, id_number

API = "/api/v1/healthcode"
CHECKPOINT = f"{API}/checkpoint/verify"
ZHANG = id_number("33010619850101001")
STEPS = [
    "prefix", "base45", "zlib", "cose", "cbor", "signature", "key_usage", "expiry", "schema",
    "revocation", "policy",
]  # fmt: skip


def _resident(client: TestClient) -> str:
    r = client.post(
        f"{API}/residents",
        json={"id_number": ZHANG, "initials": "ZS", "jurisdiction": "330000"},
        headers=auth("zj"),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _issue(client: TestClient, rid: str) -> dict[str, Any]:
    r = client.post(f"{API}/residents/{rid}/code", headers=auth("zj"))
    assert r.status_code == 201, r.text
    return dict(r.json())


def _make_yellow(client: TestClient, rid: str) -> None:
    r = client.post(
        f"{API}/risk-lists",
        json={
            "jurisdiction": "330000",
            "areas": [
                {"city_code": "330100", "district_code": "330106", "level": "high",
                 "effective_from": "2026-11-20"},
            ],
        },
        headers=auth("zj"),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    r = client.post(
        f"{API}/residents/{rid}/stays",
        json={"city_code": "330100", "district_code": "330106", "stay_date": "2026-11-24"},
        headers=auth("zj"),
    )
    assert r.status_code == 201, r.text


def _check(client: TestClient, text: str, **extra: Any) -> dict[str, Any]:
    r = client.post(
        CHECKPOINT, json={"text": text, "jurisdiction": "310000", **extra}, headers=auth("sh")
    )
    assert r.status_code == 200, r.text
    body = dict(r.json())
    assert list(body["steps"]) == STEPS
    return body


def _tampered(text: str) -> str:
    """The same signature over a payload whose colour was changed to green."""
    sign1 = cbor2.loads(zlib.decompress(base45.decode(text.removeprefix("HC1:"))))
    protected, unprotected, payload, signature = sign1.value
    claims = cbor2.loads(payload)
    claims[-260][-65537]["c"] = "green" if claims[-260][-65537]["c"] != "green" else "yellow"
    forged = cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature])
    return "HC1:" + base45.encode(zlib.compress(cbor2.dumps(forged)))


def _unknown_kid(text: str) -> str:
    """The same claims signed by a key no trust list has heard of."""
    sign1 = cbor2.loads(zlib.decompress(base45.decode(text.removeprefix("HC1:"))))
    claims = cbor2.loads(sign1.value[2])
    key = ec.generate_private_key(ec.SECP256R1())

    def sign(data: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    return credential.encode_hc1(claims, sign=sign, alg=-7, kid=b"\x01\x02\x03\x04\x05\x06\x07\x08")


def test_shanghai_accepts_a_zhejiang_green_code_and_logs_the_check(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        rid = _resident(client)
        code = _issue(client, rid)
        verdict = _check(client, code["text"])
        assert verdict["accepted"] is True, verdict
        assert verdict["valid"] is True
        assert all(verdict["steps"][s] is True for s in STEPS if s != "key_usage")
        assert verdict["reason_zh"] == "接受：浙江绿码 (policy SH-ACC-001 v2)"
        assert verdict["reason"] == "Accepted: Zhejiang green code (policy SH-ACC-001 v2)"
        assert (verdict["colour"], verdict["issuing_jurisdiction"]) == ("green", "330000")
        assert (verdict["policy_id"], verdict["policy_version"]) == ("SH-ACC-001", 2)
        assert verdict["rule_id"] == code["rule_id"]
        assert verdict["holder"] == {"initials": "ZS", "birth_year": 1985}
        assert verdict["trust_list"]["state"] == "valid"
        assert verdict["revocation_checked"] is True
        assert verdict["logged"] is True
        log = client.get(f"{API}/residents/{rid}/access-log", headers=auth("zj")).json()
        assert any(
            e["action"] == "checkpoint.verify" and e["user"] == "sh.checkpoint"
            and e["member"] == "CN-YRD/GOV/310000"
            for e in log
        ), log  # fmt: skip


def test_yellow_needs_a_negative_test_within_48_hours(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        rid = _resident(client)
        _make_yellow(client, rid)
        code = _issue(client, rid)
        assert code["colour"] == "yellow"
        refused = _check(client, code["text"])
        assert refused["accepted"] is False
        assert refused["valid"] is True  # a genuine code, refused by policy
        assert refused["steps"]["policy"] is False
        assert refused["steps"]["signature"] is True
        assert refused["reason_zh"] == (
            "拒绝：浙江黄码，48 小时内无阴性检测 (policy SH-ACC-001 v2)"
        )
        # A negative test three days ago, carried in the re-issued code: too old.
        _negative_test(client, rid, "2026-11-23T08:00:00Z")
        old = _check(client, _issue(client, rid)["text"])
        assert (old["accepted"], old["steps"]["policy"]) == (False, False)
        assert old["negative_test_at"] == "2026-11-23T08:00:00Z"
        # One the day before: accepted.
        _negative_test(client, rid, "2026-11-25T08:00:00Z")
        tested = _issue(client, rid)
        assert tested["colour"] == "yellow"
        accepted = _check(client, tested["text"])
        assert accepted["accepted"] is True, accepted
        assert accepted["reason_zh"] == "接受：浙江黄码 (policy SH-ACC-001 v2)"
        assert accepted["negative_test_at"] == "2026-11-25T08:00:00Z"


def _negative_test(client: TestClient, rid: str, at: str) -> None:
    r = client.post(
        f"{API}/residents/{rid}/tests",
        json={"test_type": "pcr", "result": "negative", "tested_at": at},
        headers=auth("zj"),
    )
    assert r.status_code == 201, r.text


def test_a_revoked_code_is_refused(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        rid = _resident(client)
        code = _issue(client, rid)
        r = client.post(
            "/api/v1/credential/revocations",
            json={"issuer_member": ZJ, "reason": "re-issued", "credential": code["text"]},
            headers=auth("zj"),
        )
        assert r.status_code == 201, r.text
        verdict = _check(client, code["text"])
        assert verdict["accepted"] is False
        assert verdict["steps"]["signature"] is True
        assert verdict["steps"]["revocation"] is False
        assert verdict["steps"]["policy"] is None
        assert "吊销" in verdict["reason_zh"]
        assert "revoked" in verdict["reason"]


def test_tampered_and_unknown_key_codes_fail_at_the_signature(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        rid = _resident(client)
        _make_yellow(client, rid)
        code = _issue(client, rid)
        forged = _check(client, _tampered(code["text"]))
        assert forged["accepted"] is False
        assert forged["steps"]["signature"] is False
        assert forged["colour"] is None  # nothing unverified is shown
        assert forged["logged"] is False
        stranger = _check(client, _unknown_kid(code["text"]))
        assert stranger["steps"]["signature"] is False
        assert "0102030405060708" in stranger["reason"]
        assert stranger["accepted"] is False
        for junk in ("", "HC1:", "HC1:%%%", "hello", "HC1:" + "A" * 5000):
            bad = _check(client, junk)
            assert bad["accepted"] is False
            assert False in bad["steps"].values()


def test_image_upload_other_policies_and_bad_requests(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        rid = _resident(client)
        code = _issue(client, rid)
        png = qr.render_qr(code["text"], "png")
        r = client.post(
            CHECKPOINT,
            files={"image": ("code.png", png, "image/png")},
            data={"jurisdiction": "310000"},
            headers=auth("sh"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["accepted"] is True
        r = client.post(
            CHECKPOINT,
            files={"image": ("x.png", b"not an image", "image/png")},
            data={"jurisdiction": "310000"},
            headers=auth("sh"),
        )
        assert (r.status_code, r.json()["steps"]["prefix"]) == (200, False)
        # The home jurisdiction's own policy (ZJ-ACC-001) for its own code.
        r = client.post(
            CHECKPOINT, json={"text": code["text"], "jurisdiction": "330000"}, headers=auth("zj")
        )
        assert r.json()["policy_id"] == "ZJ-ACC-001"
        assert r.json()["reason_zh"] == "接受：浙江绿码 (policy ZJ-ACC-001 v1)"
        # A Shanghai viewer may not check in Jiangsu's name; no token at all is refused.
        r = client.post(
            CHECKPOINT, json={"text": code["text"], "jurisdiction": "320000"}, headers=auth("sh")
        )
        assert r.status_code == 403
        assert client.post(CHECKPOINT, json={"text": code["text"], "jurisdiction": "310000"})\
            .status_code == 401  # fmt: skip
        for body in ({"text": "x"}, {"text": "x", "jurisdiction": "999999"}):
            r = client.post(CHECKPOINT, json=body, headers=auth("region"))
            assert r.status_code == 422, r.text
        r = client.post(
            CHECKPOINT, json={"text": "x", "jurisdiction": "310000", "at": "yesterday"},
            headers=auth("sh"),
        )  # fmt: skip
        assert r.status_code == 422
        listed = client.get(f"{API}/checkpoint/policies", params={"jurisdiction": "310000"})
        assert [(p["policy_id"], p["version"]) for p in listed.json()] == [
            ("SH-ACC-001", 1),
            ("SH-ACC-001", 2),
        ]
        assert all(p["sample"] and p["signature"] for p in listed.json())
