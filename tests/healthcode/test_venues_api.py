"""Venues, venue codes, scans and a local trace through the API (SQLite, and PostgreSQL when
configured): co-visitors are flagged and turn red on their next evaluation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from dyrd.healthcode.errors import VenueCodeInvalid
from dyrd.healthcode.service.tracing import flag_source
from dyrd.healthcode.service.venues import verify_venue_code
from tests.conftest import FIXED_NOW
from tests.fakes import InMemoryKeyStore
from tests.healthcode.conftest import auth, id_number

API = "/api/v1/healthcode"
CASE = id_number("33010619850101001")
NEAR = id_number("33010219900303003")
LATER = id_number("33010419920404004")
VISITOR = id_number("31010419900202002")


def _resident(client: TestClient, number: str, jurisdiction: str = "330000") -> str:
    r = client.post(
        f"{API}/residents",
        json={"id_number": number, "initials": "ZS", "jurisdiction": jurisdiction},
        headers=auth("zj" if jurisdiction == "330000" else "region"),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _venue(client: TestClient, name: str = "湖滨银泰 in77") -> dict[str, Any]:
    r = client.post(
        f"{API}/jurisdictions/330000/venues",
        json={"name": name, "city_code": "330100", "kind": "retail"},
        headers=auth("zj"),
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def _scan(client: TestClient, **body: Any) -> Any:
    return client.post(f"{API}/scans", json=body, headers=auth("zj"))


def test_venue_code_is_signed_and_scannable(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        venue = _venue(client)
        code = client.get(f"{API}/venues/{venue['id']}/code").json()
        assert code["text"].startswith("YRDV1:")
        assert code["chars"] < 500
        assert code["svg"].lstrip().startswith("<")
        assert code["png_base64"]
        rid = _resident(client, CASE)
        scan = _scan(
            client,
            venue_code=code["text"],
            resident_ref=rid,
            home_jurisdiction="330000",
            entered_at="2026-11-25T10:00:00+08:00",
        )
        assert scan.status_code == 201, scan.text
        assert scan.json()["venue_id"] == venue["id"]
        body, _, sig = code["text"].partition(".")
        forged = body + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
        bad = _scan(
            client,
            venue_code=forged,
            resident_ref=rid,
            home_jurisdiction="330000",
            entered_at="2026-11-25T10:00:00+08:00",
        )
        assert bad.status_code == 422
        assert bad.json()["detail_zh"].startswith("场所码无效")
        listed = client.get(f"{API}/venues", params={"jurisdiction": "330000"}).json()
        assert [v["id"] for v in listed] == [venue["id"]]


def test_bad_venues_and_scans_are_bilingual_422s(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        r = client.post(
            f"{API}/jurisdictions/330000/venues",
            json={"name": "外滩", "city_code": "310000"},
            headers=auth("zj"),
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["message_zh"] == "各省市只能登记本辖区的场所。"
        other = client.post(
            f"{API}/jurisdictions/330000/venues",
            json={"name": "x", "city_code": "330100"},
            headers=auth("sh"),
        )
        assert other.status_code == 403
        venue = _venue(client)
        both = _scan(
            client,
            venue_id=venue["id"],
            venue_code="YRDV1:x.y",
            resident_ref="abc",
            home_jurisdiction="330000",
            entered_at="2026-11-25T10:00:00+08:00",
        )
        assert both.status_code == 422
        wrong = _scan(
            client,
            venue_id=venue["id"],
            resident_ref="abc",
            home_jurisdiction="990000",
            entered_at="2026-11-25T10:00:00",
            left_at="2026-11-27T10:00:00+08:00",
        )
        assert wrong.status_code == 422
        where = sorted(e["location"] for e in wrong.json()["errors"])
        assert where == ["body.entered_at", "body.home_jurisdiction"]
        late = _scan(
            client,
            venue_id=venue["id"],
            resident_ref="abc",
            home_jurisdiction="330000",
            entered_at="2026-11-25T10:00:00+08:00",
            left_at="2026-11-27T10:00:00+08:00",
        )
        assert late.status_code == 422
        assert late.json()["errors"][0]["location"] == "body.left_at"
        missing = _scan(
            client,
            venue_id="no-such-venue",
            resident_ref="abc",
            home_jurisdiction="330000",
        )
        assert missing.status_code == 422
        unknown = _scan(
            client,
            venue_id="no-such-venue",
            resident_ref="abc",
            home_jurisdiction="330000",
            entered_at="2026-11-25T10:00:00+08:00",
        )
        assert unknown.status_code == 404


def test_local_trace_flags_co_visitors_and_they_turn_red(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        case, near, later = (_resident(client, n) for n in (CASE, NEAR, LATER))
        visitor = _resident(client, VISITOR, "310000")
        venue = _venue(client)["id"]
        for ref, home, entered, left in (
            (case, "330000", "2026-11-24T12:00:00+08:00", "2026-11-24T13:00:00+08:00"),
            (near, "330000", "2026-11-24T13:20:00+08:00", None),  # within the 30 min margin
            (visitor, "310000", "2026-11-24T11:30:00+08:00", "2026-11-24T12:10:00+08:00"),
            (later, "330000", "2026-11-24T15:00:00+08:00", None),
            ("not-on-this-node", "320000", "2026-11-24T12:30:00+08:00", None),
        ):
            body = {"venue_id": venue, "resident_ref": ref, "home_jurisdiction": home}
            body |= {"entered_at": entered} | ({"left_at": left} if left else {})
            assert _scan(client, **body).status_code == 201
        for rid in (near, later):
            before = client.get(f"{API}/residents/{rid}/colour", headers=auth("zj")).json()
            assert before["colour"] == "green"
        r = client.post(f"{API}/residents/{case}/trace", json={}, headers=auth("zj"))
        assert r.status_code == 200, r.text
        out = r.json()
        assert (out["local_visits"], out["local_co_visitors"], out["flagged_here"]) == (1, 3, 2)
        assert out["unresolved"] == {"320000": 1}  # no lookup of Jiangsu was asked
        assert out["remotes"] == []
        again = client.post(f"{API}/residents/{case}/trace", json={}, headers=auth("zj")).json()
        assert again["flagged_here"] == 2  # already flagged: no second flag
        red = client.get(f"{API}/residents/{near}/colour", headers=auth("zj")).json()
        assert (red["colour"], red["rule_id"]) == ("red", "ZJ-HC-002")
        still = client.get(f"{API}/residents/{later}/colour", headers=auth("zj")).json()
        assert still["colour"] == "green"
        sh = client.get(f"{API}/residents/{visitor}/colour", headers=auth("sh")).json()
        assert sh["colour"] == "red"
        narrow = client.post(
            f"{API}/residents/{case}/trace", json={"margin_minutes": 0}, headers=auth("zj")
        ).json()
        assert narrow["local_co_visitors"] == 2  # only the overlapping visitors
        assert CASE not in r.text


def test_flag_source_does_not_name_the_case() -> None:
    source = flag_source("9f1c0d7e-0000-4000-8000-000000000001")
    assert "9f1c0d7e" not in source
    assert source == flag_source("9f1c0d7e-0000-4000-8000-000000000001")


def test_trace_needs_the_cases_steward(hc_app: FastAPI) -> None:
    with TestClient(hc_app) as client:
        case = _resident(client, CASE)
        r = client.post(f"{API}/residents/{case}/trace", json={}, headers=auth("sh"))
        assert r.status_code == 403
        gone = client.post(f"{API}/residents/nobody/trace", json={}, headers=auth("zj"))
        assert gone.status_code == 404


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # read-only use of the session
)
@given(
    text=st.one_of(
        st.text(max_size=300),
        st.builds(lambda b: "YRDV1:" + b, st.text(alphabet="ABCxyz019-_.=", max_size=200)),
        st.builds(
            lambda p, s: f"YRDV1:{p}.{s}",
            st.sampled_from(["e30", "eyJ2IjoxfQ", "bnVsbA", "WzEsMl0"]),  # {}, {"v":1}, null, [1,2]
            st.text(alphabet="ABCxyz019-_", max_size=90),
        ),
    )
)
def test_hostile_venue_codes_get_a_clear_verdict(
    session: Session, keystore: InMemoryKeyStore, text: str
) -> None:
    with pytest.raises(VenueCodeInvalid) as caught:
        verify_venue_code(session, text, at=FIXED_NOW)
    assert caught.value.message_zh.startswith("场所码无效")
