"""The EPCIS benchmark, run tiny: structure and correctness only, never timings."""

from __future__ import annotations

import json

import pytest

from bench import supply
from dyrd.supply import epcis_artefacts
from dyrd.supply.compute.epcis_validate import validate
from tests.supply.epcis.conftest import EPCIS_DIR, needs_suite

pytestmark = needs_suite


def test_tiny_run_reports_every_figure() -> None:
    r = supply.measure(events=400, capture_events=200, batch=100, repeats=1, artefacts=EPCIS_DIR)
    assert r.stored_events == 400
    assert r.capture_events == 200
    assert r.capture_events_per_s > 0
    assert r.bulk_insert_rows_per_s > 0
    assert r.ratio == pytest.approx(r.capture_events_per_s / r.bulk_insert_rows_per_s, rel=0.01)
    assert r.query_p95_ms_at_1m >= r.query_p50_ms > 0
    # Eight queries, and a second page for those with more than one page of answers.
    assert r.queries >= 8
    assert "events/s" in supply.render(r)


def test_synthetic_events_are_valid_epcis() -> None:
    doc = json.loads(supply._document(list(supply.synthetic_events(50, seed=3))))
    assert validate(doc, epcis_artefacts.load(EPCIS_DIR)) == []


def test_json_has_the_issue_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bench drops and recreates the public schema of DYRD_TEST_DATABASE_URL when it is set:
    # never the suite's database. SQLite here.
    monkeypatch.delenv("DYRD_TEST_DATABASE_URL", raising=False)
    lines: list[str] = []
    argv = ["--events", "200", "--capture-events", "100", "--batch", "50", "--repeats", "1"]
    assert supply.main([*argv, "--artefacts", str(EPCIS_DIR), "--json"], out=lines.append) == 0
    keys = set(json.loads(lines[0]))
    assert {"capture_events_per_s", "bulk_insert_rows_per_s", "ratio", "query_p95_ms_at_1m"} <= keys
