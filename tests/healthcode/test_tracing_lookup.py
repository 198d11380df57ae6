"""The co-visitor lookup service (the upstream behind a jurisdiction's gateway): it flags its
own residents and answers only counts and the asking jurisdiction's pseudonymous ids."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from dyrd import bootstrap
from dyrd.core.clock import Clock
from dyrd.healthcode import service
from dyrd.healthcode.models import ContactFlag
from dyrd.healthcode.schemas import ResidentCreate
from dyrd.healthcode.service.tracing import LookupParams, flag_source
from dyrd.healthcode.tracing_schemas import ScanCreate, VenueCreate
from tests.conftest import FIXED_NOW
from tests.healthcode.conftest import REGION_STEWARD, id_number

CASE = "5b0c1c9e-1111-4000-8000-000000000001"  # a Shanghai resident's id on Shanghai's node
SH_PEER = "5b0c1c9e-1111-4000-8000-000000000002"
JS_PEER = "5b0c1c9e-1111-4000-8000-000000000003"


def _lookup(engine: Engine, connection: Connection) -> TestClient:
    app = bootstrap.covisitor_lookup_app("330000", engine=engine, clock=lambda: FIXED_NOW)
    app.state.session_factory = lambda: Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    # The provider's gateway forwards the verified consumer member (Shanghai's here).
    return TestClient(app, headers={"X-Road-Client": "CN-YRD/GOV/310000"})


def _params() -> LookupParams:
    return LookupParams(
        case_ref=CASE,
        for_jurisdiction="310000",
        margin=timedelta(minutes=30),
        dwell=timedelta(minutes=60),
        since=FIXED_NOW - timedelta(days=14),
    )


def test_lookup_flags_own_residents_and_returns_only_the_askers(
    engine: Engine, connection: Connection, session: Session, clock: Clock
) -> None:
    zj = service.register_resident(
        session,
        ResidentCreate(
            id_number=id_number("33010619850101001"), initials="ZS", jurisdiction="330000"
        ),
        principal=REGION_STEWARD,
        clock=clock,
        secret=lambda: b"test-secret-" * 3,
    ).id
    venue = service.register_venue(
        session, "330000", VenueCreate(name="宁波南站", city_code="330200"),
        principal=REGION_STEWARD, clock=clock,
    ).id  # fmt: skip
    visit = FIXED_NOW - timedelta(days=1)
    for ref, home, minutes in (
        (CASE, "310000", 0),
        (SH_PEER, "310000", 10),
        (JS_PEER, "320000", 20),
        (zj, "330000", 50),
    ):
        service.record_scan(
            session,
            ScanCreate(
                venue_id=venue,
                resident_ref=ref,
                home_jurisdiction=home,
                entered_at=visit + timedelta(minutes=minutes),
            ),
            principal=REGION_STEWARD,
            clock=clock,
        )
    fields = ",".join(_params().fields())
    with _lookup(engine, connection) as client:
        r = client.get("/rows", params={"fields": fields, "limit": "1000", "offset": "0"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["columns"] == ["kind", "home_jurisdiction", "resident_ref", "count"]
        rows = {
            (x["kind"], x["home_jurisdiction"], x["resident_ref"], x["count"]) for x in body["rows"]
        }
        assert rows == {
            ("flagged", "330000", None, 1),
            ("other", "320000", None, 1),
            ("contact", "310000", SH_PEER, 1),
        }
        assert zj not in r.text
        assert JS_PEER not in r.text
        flags = session.scalars(select(ContactFlag).where(ContactFlag.resident_id == zj)).all()
        assert [f.source for f in flags] == [flag_source(CASE)]
        pushed = replace(_params(), pushed=(zj, "unknown-here")).fields()
        again = client.get("/rows", params={"fields": ",".join(pushed)})
        assert again.status_code == 200, again.text
        assert again.json()["rows"][0] == {
            "kind": "flagged",
            "home_jurisdiction": "330000",
            "resident_ref": None,
            "count": 1,  # flagged once, however often it is asked or pushed
        }
        too_many = replace(_params(), pushed=tuple(f"r{i}" for i in range(101))).fields()
        assert client.get("/rows", params={"fields": ",".join(too_many)}).status_code == 400
        for bad in (
            "",
            "fields=case.x",
            f"fields={fields}&limit=5000",
            f"fields={fields.replace('for.310000', 'for.990000')}",
        ):
            refused = client.get("/rows?" + bad)
            assert refused.status_code == 400, bad
            assert refused.json()["reason"] == "bad-query"
            assert refused.json()["detail_zh"].startswith("密接查询参数无效")
        # Jiangsu's gateway call cannot ask for Shanghai's residents (nor push flags for them).
        posing = client.get(
            "/rows", params={"fields": fields}, headers={"X-Road-Client": "CN-YRD/GOV/320000"}
        )
        assert posing.status_code == 400
        assert "CN-YRD/GOV/320000" in posing.json()["detail"]
