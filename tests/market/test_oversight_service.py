"""OCDS import/export, red flags, screens and the risk monitor through the services."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.market.errors import MarketInputInvalid, MarketNotFound, OcdsInvalid, UnknownEnterprise
from dyrd.market.schemas import RiskEventCreate
from dyrd.market.service import oversight, risk

OCDS = Path(__file__).resolve().parents[1] / "external" / "ocds"
SAMPLE = OCDS / "sample-fictional-1.1" / "ocds-213czf-000-00001.json"
ACTOR = Actor(user="analyst", member="CN-SH")


def _sample() -> Any:
    return json.loads(SAMPLE.read_text("utf-8"))


def test_import_then_export_gives_the_published_record(session: Session, clock: Clock) -> None:
    result = oversight.import_ocds(session, _sample(), actor=ACTOR, clock=clock)
    assert (result.imported, result.unchanged) == (6, 0)
    again = oversight.import_ocds(session, _sample(), actor=ACTOR, clock=clock)
    assert (again.imported, again.unchanged) == (0, 6)
    package = oversight.export_record_package(
        session, "ocds-213czf-000-00001", published=clock(), uri="https://x/r", publisher="t"
    )
    published = json.loads((SAMPLE.parent / "record" / SAMPLE.name).read_text("utf-8"))
    compiled = package["records"][0]["compiledRelease"]
    assert compiled == published["records"][0]["compiledRelease"]
    assert oversight.validate_ocds(package).valid
    assert oversight.stored_ocids(session) == ["ocds-213czf-000-00001"]


def test_invalid_ocds_is_refused_with_paths_and_nothing_is_stored(
    session: Session, clock: Clock
) -> None:
    bad = _sample()
    bad["releases"][2]["tender"]["value"]["amount"] = "many"
    with pytest.raises(OcdsInvalid) as info:
        oversight.import_ocds(session, bad, actor=ACTOR, clock=clock)
    assert [e.location for e in info.value.errors] == ["/releases/2/tender/value/amount"]
    assert oversight.stored_ocids(session) == []


def test_a_changed_release_with_the_same_id_is_refused(session: Session, clock: Clock) -> None:
    oversight.import_ocds(session, _sample(), actor=ACTOR, clock=clock)
    changed = _sample()
    changed["releases"][0]["tender"]["title"] = "something else"
    with pytest.raises(MarketInputInvalid, match="immutable"):
        oversight.import_ocds(session, changed, actor=ACTOR, clock=clock)


def test_unknown_export_is_404(session: Session, clock: Clock) -> None:
    with pytest.raises(MarketNotFound):
        oversight.export_record_package(session, "nope", published=clock(), uri="u", publisher="p")


def test_parse_reports_the_reason() -> None:
    with pytest.raises(OcdsInvalid, match="Not JSON"):
        oversight.parse_ocds("{not json")
    lines = oversight.parse_ocds('{"ocid": "a"}\n{"ocid": "b"}\n')
    assert [d["ocid"] for d in lines] == ["a", "b"]


def test_red_flag_report_explains_what_fired() -> None:
    text = (OCDS / "cardinal-fixtures" / "R028.jsonl").read_text("utf-8")
    report = oversight.red_flag_report(oversight.parse_ocds(text))
    assert report.processes == 9
    assert "R028" in {f.code for f in report.flags}
    assert any("相同" in f.title_zh for f in report.flags)


def _tender(ocid: str, prices: list[float]) -> dict[str, Any]:
    return {
        "ocid": ocid,
        "bids": {
            "details": [
                {
                    "id": str(i),
                    "status": "valid",
                    "value": {"amount": p, "currency": "CNY"},
                    "tenderers": [{"id": f"T{i}"}],
                }
                for i, p in enumerate(prices)
            ]
        },
    }


def test_screen_report_skips_what_cannot_be_screened() -> None:
    docs = [_tender("a", [100, 103, 104, 105, 107]), _tender("b", [10, 20])]
    report = oversight.screen_report(docs)
    assert [t.ocid for t in report.tenders] == ["a"]
    assert "3" in report.skipped["b"]
    assert report.tenders[0].screens["cv"] == pytest.approx(0.024937, abs=1e-6)


def _event(eid: str, kind: str, clock: Clock, days: int = 0) -> RiskEventCreate:
    return RiskEventCreate(enterprise_id=eid, kind=kind, occurred_at=clock() - timedelta(days=days))


def test_risk_events_scores_and_alerts(session: Session, clock: Clock) -> None:
    for kind in ("quality_failure", "complaint", "ip_infringement"):
        risk.record_event(session, _event("91310000MA1", kind, clock), actor=ACTOR, clock=clock)
    risk.record_event(session, _event("91320000MA2", "complaint", clock), actor=ACTOR, clock=clock)
    scores = risk.risk_scores(session, clock=clock)
    assert [(s.enterprise_id, s.level) for s in scores] == [
        ("91310000MA1", "alert"),
        ("91320000MA2", "watch"),
    ]
    alerts = risk.raise_alerts(session, actor=ACTOR, clock=clock)
    assert {a.enterprise_id for a in alerts} == {"91310000MA1", "91320000MA2"}
    # Nothing changed: no new alert.
    assert risk.raise_alerts(session, actor=ACTOR, clock=clock) == []
    assert len(risk.list_alerts(session)) == 2
    heavy = {
        "weights": {
            "quality_failure": 0,
            "complaint": 5,
            "ip_infringement": 0,
            "overdue_payment": 0,
            "chain_exit": 0,
            "red_flag": 0,
        },
        "half_life_days": None,
        "watch_at": 1,
        "alert_at": 3,
    }
    one = risk.enterprise_risk(session, "91320000MA2", clock=clock, weights=heavy)
    assert one.score == pytest.approx(5.0)
    with pytest.raises(UnknownEnterprise):
        risk.enterprise_risk(session, "nobody", clock=clock)


def test_red_flags_become_risk_events(session: Session, clock: Clock) -> None:
    text = (OCDS / "cardinal-fixtures" / "R028.jsonl").read_text("utf-8")
    report = oversight.red_flag_report(oversight.parse_ocds(text))
    events = risk.record_red_flags(session, report.results, actor=ACTOR, clock=clock)
    flagged = {(t, code) for t, codes in report.results["Tenderer"].items() for code in codes}
    assert {(e.enterprise_id, e.reference) for e in events} == flagged
    assert {("D", "R028"), ("V", "R028")} <= flagged
    assert {s.enterprise_id for s in risk.risk_scores(session, clock=clock)} == {"D", "V"}


def test_bad_kind_and_bad_weights_are_refused(session: Session, clock: Clock) -> None:
    with pytest.raises(MarketInputInvalid, match="Unknown risk event kind"):
        risk.record_event(session, _event("x", "rumour", clock), actor=ACTOR, clock=clock)
    with pytest.raises(MarketInputInvalid):
        risk.risk_scores(session, clock=clock, weights={"weights": {}})
