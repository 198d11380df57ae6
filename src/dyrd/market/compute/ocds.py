"""Build OCDS 1.1.5 releases, release packages and record packages (bids extension) from views.

The tendering service maps its rows to the frozen views of ``dyrd.market.types``; this module turns
a view into the OCDS JSON a portal publishes. One release per lifecycle step (tag), all with the
same ``ocid``; records embed the releases and their compiled release (``compute.merge``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from dyrd.market.compute.merge import compile_record
from dyrd.market.types import (
    AwardView,
    BidView,
    ContractView,
    OcdsInputError,
    PartyView,
    TenderView,
)

OCDS_VERSION = "1.1"
"""The ``version`` a 1.1.x package declares (OCDS 1.1.5 release-package schema)."""

BIDS_EXTENSION_URL = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "d62ff4b0ba393d823ca8113a9039b12edf7acb8f/extension.json"
)
"""The bids extension's extension.json at the commit bundled in data/ocds/extension-bids."""


def ocds_datetime(value: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``; naive datetimes are refused (their zone is unknown)."""
    if value.tzinfo is None:
        raise OcdsInputError(
            f"datetime without a time zone: {value.isoformat()}",
            f"日期时间缺少时区：{value.isoformat()}",
        )
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _value(amount: float | None, currency: str | None) -> dict[str, Any] | None:
    if amount is None:
        return None
    out: dict[str, Any] = {"amount": amount}
    if currency:
        out["currency"] = currency
    return out


def _ref(party: PartyView) -> dict[str, str]:
    return {"id": party.id, "name": party.name}


def _parties(view: TenderView) -> list[dict[str, Any]]:
    roles: dict[str, set[str]] = {}
    names: dict[str, str] = {}

    def add(party: PartyView, *more: str) -> None:
        names.setdefault(party.id, party.name)
        roles.setdefault(party.id, set()).update(party.roles, more)

    add(view.buyer, "buyer", "procuringEntity")
    for tenderer in view.tenderers:
        add(tenderer, "tenderer")
    for party in view.extra_parties:
        add(party)
    for award in view.awards:
        for supplier in award.supplier_ids:
            if supplier in names and award.status == "active":
                roles[supplier].add("supplier")
    return [{"id": pid, "name": names[pid], "roles": sorted(roles[pid])} for pid in names]


def _bid(bid: BidView, names: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": bid.id,
        "status": bid.status.value,
        "tenderers": [{"id": t, "name": names.get(t, t)} for t in bid.tenderer_ids],
    }
    if bid.date is not None:
        out["date"] = ocds_datetime(bid.date)
    value = _value(bid.amount, bid.currency)
    if value is not None:
        out["value"] = value
    return out


def _award(award: AwardView, names: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": award.id,
        "status": award.status,
        "suppliers": [{"id": s, "name": names.get(s, s)} for s in award.supplier_ids],
    }
    if award.date is not None:
        out["date"] = ocds_datetime(award.date)
    value = _value(award.amount, award.currency)
    if value is not None:
        out["value"] = value
    if award.related_bids:
        out["relatedBids"] = list(award.related_bids)
    return out


def _contract(contract: ContractView) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": contract.id,
        "awardID": contract.award_id,
        "status": contract.status,
    }
    if contract.title:
        out["title"] = contract.title
    if contract.date_signed is not None:
        out["dateSigned"] = ocds_datetime(contract.date_signed)
    value = _value(contract.amount, contract.currency)
    if value is not None:
        out["value"] = value
    return out


def default_tags(view: TenderView) -> list[str]:
    """The releaseTag of a view's latest step: tender, award or contract."""
    if view.contracts:
        return ["contract"]
    if view.awards:
        return ["award"]
    return ["tender"]


def build_release(
    view: TenderView, *, date: datetime, tags: Sequence[str] | None = None, release_id: str = ""
) -> dict[str, Any]:
    """One OCDS release describing ``view`` as it stood at ``date``."""
    tag = list(tags) if tags else default_tags(view)
    names = {p.id: p.name for p in (view.buyer, *view.tenderers, *view.extra_parties)}
    tender: dict[str, Any] = {
        "id": view.tender_id,
        "title": view.title,
        "status": view.status,
        "procuringEntity": _ref(view.buyer),
        "procurementMethod": view.procurement_method,
        "awardCriteria": view.award_criteria,
        "numberOfTenderers": len({t for b in view.bids for t in b.tenderer_ids}),
    }
    if view.description:
        tender["description"] = view.description
    if view.procurement_method_details:
        tender["procurementMethodDetails"] = view.procurement_method_details
    if view.main_category:
        tender["mainProcurementCategory"] = view.main_category
    value = _value(view.amount, view.currency)
    if value is not None:
        tender["value"] = value
    period: dict[str, str] = {}
    if view.tender_period_start is not None:
        period["startDate"] = ocds_datetime(view.tender_period_start)
    if view.tender_period_end is not None:
        period["endDate"] = ocds_datetime(view.tender_period_end)
    if period:
        tender["tenderPeriod"] = period
    if view.tenderers:
        tender["tenderers"] = [_ref(t) for t in view.tenderers]
    stamp = ocds_datetime(date)
    release: dict[str, Any] = {
        "ocid": view.ocid,
        "id": release_id or f"{view.ocid}-{tag[0]}-{stamp}",
        "date": stamp,
        "tag": tag,
        "initiationType": "tender",
        "language": "zh",
        "parties": _parties(view),
        "buyer": _ref(view.buyer),
        "tender": tender,
    }
    if view.bids:
        release["bids"] = {"details": [_bid(b, names) for b in view.bids]}
    if view.awards:
        release["awards"] = [_award(a, names) for a in view.awards]
    if view.contracts:
        release["contracts"] = [_contract(c) for c in view.contracts]
    return release


def _package_head(uri: str, published: datetime, publisher: str) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": [BIDS_EXTENSION_URL],
        "publishedDate": ocds_datetime(published),
        "publisher": {"name": publisher},
    }


def release_package(
    releases: Sequence[Mapping[str, Any]], *, uri: str, published: datetime, publisher: str
) -> dict[str, Any]:
    """A release package holding ``releases``."""
    return {**_package_head(uri, published, publisher), "releases": [dict(r) for r in releases]}


def record_package(
    releases: Sequence[Mapping[str, Any]],
    schema: Mapping[str, Any],
    *,
    uri: str,
    published: datetime,
    publisher: str,
) -> dict[str, Any]:
    """A record package: one record per ocid, each with its compiled release."""
    by_ocid: dict[str, list[Mapping[str, Any]]] = {}
    for release in releases:
        by_ocid.setdefault(str(release.get("ocid")), []).append(release)
    records = [compile_record(group, schema) for group in by_ocid.values()]
    return {**_package_head(uri, published, publisher), "records": records}
