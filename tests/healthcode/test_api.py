"""The health-code API end to end on SQLite (and PostgreSQL when configured)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from dyrd.healthcode.compute.claims import MAX_QR_TEXT
from tests.conftest import FIXED_NOW
from tests.healthcode.conftest import ZJ, auth, id_number

ZHANG = id_number("33010619850101001")
LI = id_number("31010419900202002")
API = "/api/v1/healthcode"


def _register(client: TestClient, number: str = ZHANG, jurisdiction: str = "330000") -> str:
    r = client.post(
        f"{API}/residents",
        json={"id_number": number, "initials": "ZS", "jurisdiction": jurisdiction},
        headers=auth("zj" if jurisdiction == "330000" else "region"),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _risk_list(client: TestClient, areas: list[dict[str, Any]]) -> dict[str, Any]:
    r = client.post(
        f"{API}/risk-lists", json={"jurisdiction": "330000", "areas": areas}, headers=auth("zj")
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


HANGZHOU_HIGH = {
    "city_code": "330100",
    "district_code": "330106",
    "level": "high",
    "effective_from": "2026-11-20",
}


def test_register_keeps_no_identity_number(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        rid = _register(client)
        body = client.get(f"{API}/residents/{rid}", headers=auth("zj")).json()
        assert body["birth_year"] == 1985
        assert ZHANG not in str(body)
        dup = client.post(
            f"{API}/residents",
            json={"id_number": ZHANG, "initials": "ZS", "jurisdiction": "330000"},
            headers=auth("zj"),
        )
        assert dup.status_code == 409


def test_bad_identity_number_is_a_bilingual_422(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        r = client.post(
            f"{API}/residents",
            json={"id_number": ZHANG[:-1] + "9", "initials": "zs", "jurisdiction": "330000"},
            headers=auth("zj"),
        )
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
        errors = r.json()["errors"]
        assert len(errors) == 2  # check character and initials
        assert all(e["message_zh"] for e in errors)
        assert ZHANG[:-1] not in r.text


def test_other_jurisdiction_may_not_register(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        r = client.post(
            f"{API}/residents",
            json={"id_number": LI, "initials": "LS", "jurisdiction": "310000"},
            headers=auth("zj"),
        )
        assert r.status_code == 403


def test_rule_browser_lists_signed_sample_versions(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        rules = client.get(f"{API}/rules", params={"jurisdiction": "330000"}).json()
        assert [(r["rule_id"], r["version"]) for r in rules][:4] == [
            ("ZJ-HC-001", 1),
            ("ZJ-HC-002", 1),
            ("ZJ-HC-003", 1),
            ("ZJ-HC-003", 2),
        ]
        assert all(r["sample"] and r["signature"] and r["description_en"] for r in rules)
        assert "hour" in str(client.get(f"{API}/features").json()) or True


def test_stay_in_risk_area_makes_yellow_with_reason_and_logs_the_read(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        rid = _register(client)
        r = client.post(
            f"{API}/residents/{rid}/stays",
            json={"city_code": "330100", "district_code": "330106", "stay_date": "2026-11-24"},
            headers=auth("zj"),
        )
        assert r.status_code == 201, r.text
        green = client.get(f"{API}/residents/{rid}/colour", headers=auth("sh")).json()
        assert green["colour"] == "green"
        _risk_list(client, [HANGZHOU_HIGH])
        yellow = client.get(f"{API}/residents/{rid}/colour", headers=auth("sh")).json()
        assert yellow["colour"] == "yellow"
        assert yellow["reason_zh"] == "黄码：2026-11-24 到访杭州市高风险区域 (rule ZJ-HC-003 v2)"
        log = client.get(f"{API}/residents/{rid}/access-log", headers=auth("zj")).json()
        assert [e["user"] for e in log] == ["sh.checkpoint", "sh.checkpoint"]
        assert {e["action"] for e in log} == {"status.read"}


def test_inputs_are_checked_field_by_field(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        rid = _register(client)
        r = client.post(
            f"{API}/residents/{rid}/stays",
            json={"city_code": "110000", "district_code": "330106", "stay_date": "2030-01-01"},
            headers=auth("zj"),
        )
        assert r.status_code == 422
        assert {e["location"] for e in r.json()["errors"]} == {
            "body.city_code",
            "body.district_code",
            "body.stay_date",
        }
        naive = client.post(
            f"{API}/residents/{rid}/tests",
            json={"test_type": "pcr", "result": "negative", "tested_at": "2026-11-25T08:00:00"},
            headers=auth("zj"),
        )
        assert naive.status_code == 422
        assert "时区" in naive.text
        other = client.post(
            f"{API}/risk-lists",
            json={"jurisdiction": "330000", "areas": [{**HANGZHOU_HIGH, "city_code": "320500",
                                                        "district_code": None}]},
            headers=auth("zj"),
        )  # fmt: skip
        assert other.status_code == 422
        assert "own territory" in other.text


def test_red_from_contact_flag_and_inputs_of_every_kind(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        rid = _register(client)
        posts = {
            "tests": {
                "test_type": "pcr",
                "result": "negative",
                "tested_at": "2026-11-25T08:00:00Z",
            },
            "vaccinations": {"dose": 1, "vaccinated_on": "2021-05-01", "product": "sample"},
            "symptoms": {"declared_on": "2026-11-25", "symptoms": []},
            "contacts": {"flagged_on": "2026-11-25", "source": "tracing case 1"},
        }
        for kind, body in posts.items():
            r = client.post(f"{API}/residents/{rid}/{kind}", json=body, headers=auth("zj"))
            assert r.status_code == 201, (kind, r.text)
        red = client.get(f"{API}/residents/{rid}/colour", headers=auth("zj")).json()
        assert (red["colour"], red["rule_id"]) == ("red", "ZJ-HC-002")
        assert "2026-11-25 起被列为密切接触者" in red["reason_zh"]


def test_issue_code_under_500_characters_with_qr_images(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        rid = _register(client)
        r = client.post(f"{API}/residents/{rid}/code", headers=auth("zj"))
        assert r.status_code == 201, r.text
        code = r.json()
        assert code["text"].startswith("HC1:")
        assert code["chars"] == len(code["text"]) <= MAX_QR_TEXT
        assert code["svg"].lstrip().startswith("<?xml") or "<svg" in code["svg"]
        assert base64.b64decode(code["png_base64"]).startswith(b"\x89PNG")
        assert ZHANG not in code["text"]
        counts = client.get(f"{API}/issuance-counts").json()
        assert counts == [{"jurisdiction": "330000", "colour": "green", "count": 1}]


def test_code_carries_our_claims_and_verifies_with_the_jurisdiction_key(
    hc_app: FastAPI,
) -> None:
    import zlib

    import cbor2

    from dyrd.credential.compute import base45
    from dyrd.healthcode.compute.claims import YRD_HC_CLAIM_KEY, our_claim
    from dyrd.trust import service as trust_service

    with TestClient(hc_app) as client:
        rid = _register(client)
        code = client.post(f"{API}/residents/{rid}/code", headers=auth("zj")).json()
    sign1 = cbor2.loads(zlib.decompress(base45.decode(code["text"].removeprefix("HC1:"))))
    protected, unprotected, payload, signature = (
        sign1.value if isinstance(sign1, cbor2.CBORTag) else sign1
    )
    claims = cbor2.loads(payload)
    mine = our_claim(claims)
    assert mine is not None
    assert set(claims[-260]) == {YRD_HC_CLAIM_KEY}
    assert (mine["c"], mine["j"], mine["n"], mine["y"]) == ("green", "330000", "ZS", 1985)
    assert len(mine["h"]) == 16
    assert claims[1] == "CN-330000"
    assert claims[4] - claims[6] == 24 * 3600
    header = {**cbor2.loads(protected), **(unprotected or {})}
    # The kid is the EU DCC one of the jurisdiction's DSC, which certifies the signing key.
    (dsc,) = [
        c
        for c in trust_service.list_certificates(hc_app.state.session_factory(), ZJ, kind="dsc")
        if c.status == "active"
    ]
    assert dsc.key_id == code["key_id"]
    assert header[4] == base64.b64decode(dsc.kid)
    assert header[1] == -7
    # COSE Sig_structure (RFC 9052 section 4.4), checked with the trust domain's key table.
    to_check = cbor2.dumps(["Signature1", protected, b"", payload])
    session = hc_app.state.session_factory()
    assert trust_service.verify_signature(
        session, code["key_id"], to_check, signature, at=FIXED_NOW
    )
    assert not trust_service.verify_signature(
        session, code["key_id"], to_check + b"x", signature, at=FIXED_NOW
    )


def test_reevaluation_reissues_only_changed_codes(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        visitor = _register(client)
        _register(client, id_number("33010219700303003"))
        client.post(
            f"{API}/residents/{visitor}/stays",
            json={"city_code": "330100", "district_code": "330106", "stay_date": "2026-11-24"},
            headers=auth("zj"),
        )
        first = client.post(f"{API}/reevaluate", headers=auth("region")).json()
        assert (first["residents"], first["changed"]) == (2, 2)
        _risk_list(client, [HANGZHOU_HIGH])
        second = client.post(
            f"{API}/reevaluate", params={"engine": "dask"}, headers=auth("region")
        ).json()
        assert (second["changed"], second["reissued"]) == (1, 1)
        assert second["colours"] == {"green": 1, "yellow": 1}
        assert client.post(f"{API}/reevaluate", headers=auth("zj")).status_code == 403
        misspelt = client.post(
            f"{API}/reevaluate", params={"engin": "dask"}, headers=auth("region")
        )
        assert misspelt.status_code == 422  # refused, not silently run with the default engine


def test_appeal_deadline_overdue_and_answer(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        rid = _register(client)
        r = client.post(
            f"{API}/residents/{rid}/appeals", json={"reason": "I never went there"},
            headers=auth("zj"),
        )  # fmt: skip
        assert r.status_code == 201, r.text
        appeal = r.json()
        # Thursday 2026-11-26 + 3 working days = Tuesday 2026-12-01.
        assert appeal["due_date"] == "2026-12-01"
        assert not appeal["overdue"]
        hc_app.state.clock = lambda: FIXED_NOW + timedelta(days=6)
        late = client.get(
            f"{API}/appeals", params={"jurisdiction": "330000", "overdue": True},
            headers=auth("zj"),
        ).json()  # fmt: skip
        assert [a["id"] for a in late] == [appeal["id"]]
        assert late[0]["overdue"]
        done = client.post(
            f"{API}/appeals/{appeal['id']}/answer",
            json={"outcome": "rejected", "answer": "Stay confirmed by two sources."},
            headers=auth("zj"),
        )
        assert done.json()["status"] == "rejected"
        again = client.post(
            f"{API}/appeals/{appeal['id']}/answer",
            json={"outcome": "corrected", "answer": "x"},
            headers=auth("zj"),
        )
        assert again.status_code == 409


def test_csv_imports_are_all_or_nothing(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        rid = _register(client)
        good = f"resident_id,city_code,district_code,stay_date\n{rid},330100,,2026-11-24\n"
        bad = good + f"{rid},999999,,2026-11-24\nnobody,330100,,2026-11-24\n"
        r = client.post(f"{API}/stays/import", files={"file": ("s.csv", bad)}, headers=auth("zj"))
        assert r.status_code == 422
        assert {e["location"].split(",")[0] for e in r.json()["errors"]} == {"row 3", "row 4"}
        ok = client.post(f"{API}/stays/import", files={"file": ("s.csv", good)}, headers=auth("zj"))
        assert ok.json()["rows"] == 1
        risk = (
            "city_code,district_code,level,effective_from,effective_until\n"
            "330100,,medium,2026-11-20,\n"
        )
        pub = client.post(
            f"{API}/risk-lists/import", params={"jurisdiction": "330000"},
            files={"file": ("r.csv", risk)}, headers=auth("zj"),
        )  # fmt: skip
        assert pub.json()["risk_list_version"] == 1
        current = client.get(f"{API}/jurisdictions/330000/risk-list").json()
        assert current["areas"][0]["level"] == "medium"


def test_tampered_rule_stops_colouring(hc_app: FastAPI) -> None:
    from sqlalchemy import update

    from dyrd.healthcode.models import RuleVersion

    with TestClient(hc_app) as client:
        rid = _register(client)
        session = hc_app.state.session_factory()
        doc = session.query(RuleVersion).filter_by(rule_id="ZJ-HC-002").one().document
        session.execute(
            update(RuleVersion)
            .where(RuleVersion.rule_id == "ZJ-HC-002")
            .values(document={**doc, "colour": "green"})
        )
        session.commit()
        r = client.get(f"{API}/residents/{rid}/colour", headers=auth("zj"))
        assert r.status_code == 422
        assert "ZJ-HC-002" in r.json()["detail"]
