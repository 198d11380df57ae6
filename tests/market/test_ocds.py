"""OCDS export from views: releases and record packages validate, merge, and feed the red flags."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dyrd.market.bundled import ocds_validator, release_schema
from dyrd.market.compute.ocds import build_release, record_package, release_package
from dyrd.market.compute.ocds_validate import OcdsKind
from dyrd.market.compute.red_flags import Flag, red_flags
from dyrd.market.types import (
    AwardView,
    BidStatus,
    BidView,
    ContractView,
    OcdsInputError,
    PartyView,
    TenderView,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BUYER = PartyView("CN-USCC-11310000MB2F0001X", "上海市某区政府采购中心")
A = PartyView("CN-USCC-91310000MA1FL0001A", "甲公司")
B = PartyView("CN-USCC-91320000MA1FL0002B", "乙公司")


def _view(**over: object) -> TenderView:
    base = TenderView(
        ocid="ocds-dyrd-000-0001",
        tender_id="T-0001",
        title="道路养护工程",
        status="active",
        buyer=BUYER,
        amount=1_000_000.0,
        currency="CNY",
        tender_period_start=T0,
        tender_period_end=T0 + timedelta(days=20),
        tenderers=(A, B),
        bids=(
            BidView("b1", (A.id,), BidStatus.VALID, 950_000.0, "CNY", T0 + timedelta(days=5)),
            BidView("b2", (B.id,), BidStatus.VALID, 950_000.0, "CNY", T0 + timedelta(days=6)),
        ),
    )
    return replace(base, **over)  # type: ignore[arg-type]


def _steps() -> list[dict[str, object]]:
    tender = build_release(_view(), date=T0)
    award = AwardView("a1", "active", (A.id,), 950_000.0, "CNY", T0 + timedelta(days=25))
    awarded = build_release(_view(awards=(award,)), date=T0 + timedelta(days=25))
    contract = ContractView("c1", "a1", "active", 950_000.0, "CNY", T0 + timedelta(days=30))
    signed = build_release(
        _view(awards=(award,), contracts=(contract,), status="complete"),
        date=T0 + timedelta(days=30),
    )
    return [tender, awarded, signed]


def test_each_release_validates_with_the_bids_extension() -> None:
    for release in _steps():
        assert ocds_validator().validate(release, OcdsKind.RELEASE) == []
    assert [r["tag"] for r in _steps()] == [["tender"], ["award"], ["contract"]]


def test_packages_validate_and_the_record_compiles() -> None:
    package = release_package(
        _steps(), uri="https://dyrd.example/ocds/1", published=T0, publisher="Digital YRD"
    )
    assert ocds_validator().validate(package) == []
    records = record_package(
        _steps(), release_schema(), uri="https://dyrd.example/r/1", published=T0, publisher="x"
    )
    assert ocds_validator().validate(records) == []
    compiled = records["records"][0]["compiledRelease"]
    assert compiled["tender"]["status"] == "complete"
    assert compiled["contracts"][0]["awardID"] == "a1"
    assert {p["id"]: p["roles"] for p in compiled["parties"]}[A.id] == ["supplier", "tenderer"]


def test_exported_bids_feed_the_red_flags() -> None:
    compiled = record_package(_steps(), release_schema(), uri="u", published=T0, publisher="x")[
        "records"
    ][0]["compiledRelease"]
    flags = red_flags([compiled], flags=[Flag.R028])
    assert flags["OCID"] == {"ocds-dyrd-000-0001": {"R028": 1.0}}


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(OcdsInputError, match="time zone"):
        build_release(_view(), date=datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test
