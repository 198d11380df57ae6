"""The market oversight page: red flags and screens over imported OCDS, enterprise risk."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.market.schemas import RiskEventCreate
from dyrd.market.service import oversight, risk

SAMPLE = (
    Path(__file__).resolve().parents[1]
    / "external"
    / "ocds"
    / "sample-fictional-1.1"
    / "ocds-213czf-000-00001.json"
)
ACTOR = Actor(user="steward", member="CN-SH")


def _rigged_package() -> dict[str, Any]:
    """The sample's award release, re-issued as a new process whose two bids share one price."""
    package = json.loads(SAMPLE.read_text("utf-8"))
    release = copy.deepcopy(package["releases"][3])
    release["ocid"] = "ocds-213czf-000-00002"
    release["id"] = "ocds-213czf-000-00002-award"
    release["bids"] = {
        "details": [
            {
                "id": str(i),
                "status": "valid",
                "value": {"amount": 500.0, "currency": "GBP"},
                "tenderers": [{"id": tid, "name": tid}],
            }
            for i, tid in enumerate(["GB-COH-1", "GB-COH-2"])
        ]
    }
    package["releases"] = [release]
    return package


def test_empty_page_says_how_to_start(client: TestClient) -> None:
    zh = client.get("/market")
    assert zh.status_code == 200
    assert "dyrd market ocds import" in zh.text
    assert "市场监管" in zh.text
    en = client.get("/market?lang=en")
    assert "Market oversight" in en.text
    assert not re.search(r"<script[^>]+src=\"https?://", en.text)


def test_page_shows_flags_screens_and_risk(
    client: TestClient, session: Session, clock: Clock
) -> None:
    oversight.import_ocds(session, json.loads(SAMPLE.read_text("utf-8")), actor=ACTOR, clock=clock)
    oversight.import_ocds(session, _rigged_package(), actor=ACTOR, clock=clock)
    for kind in ("quality_failure", "complaint", "ip_infringement"):
        body = RiskEventCreate(enterprise_id="913100001", kind=kind, occurred_at=clock())
        risk.record_event(session, body, actor=ACTOR, clock=clock)
    page = client.get("/market").text
    assert 'data-ocid="ocds-213czf-000-00002" data-flag="R028"' in page
    assert "投标报价完全相同" in page
    assert 'data-enterprise="913100001" data-level="alert"' in page
    assert "知识产权侵权判决" in page
    english = client.get("/market?lang=en").text
    assert "Identical bid prices" in english
    assert "ip_infringement" in english
