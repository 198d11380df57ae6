"""Catalog use cases on a real database: versions, diffs, uploads, search, samples."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.core.errors import PermissionDenied
from dyrd.exchange import service
from dyrd.exchange.compute.search import Filter
from dyrd.exchange.compute.tabular import FileFormat
from dyrd.exchange.errors import (
    DataInvalid,
    MetadataInvalid,
    NameTaken,
    ResourceWithdrawn,
    VersionConflict,
    VersionNotFound,
)
from dyrd.exchange.models import ResourceRow, ResourceVersion
from dyrd.exchange.schemas import ResourceCreate, ResourceUpdate
from tests.exchange.conftest import OUTSIDER, STEWARD, table_payload

CSV = (
    b"code,name,score,listed,since\n"
    b"A1,Alice,1.5,true,2020-01-01\n"
    b"A2,,2,false,\n"
    b"A3,Bob,3,,2021-05-06\n"
)


def create(session: Session, clock: Clock, **overrides: object) -> str:
    res = service.create_resource(
        session, ResourceCreate(**table_payload(**overrides)), principal=STEWARD, clock=clock
    )
    return res.id


def counts(session: Session) -> tuple[int, int]:
    versions = session.scalar(select(func.count()).select_from(ResourceVersion)) or 0
    rows = session.scalar(select(func.count()).select_from(ResourceRow)) or 0
    return versions, rows


def test_create_writes_version_one_with_the_fields_set(session: Session, clock: Clock) -> None:
    rid = create(session, clock)
    res = service.get_resource(session, rid)
    assert (res.version, res.jurisdiction, res.status) == (1, "330000", "active")
    assert res.theme_uris == ["http://publications.europa.eu/resource/authority/data-theme/ECON"]
    v1 = service.get_version(session, rid, 1)
    assert v1.change_kind == "create"
    assert v1.created_by == "zj.steward"
    assert v1.created_for == "CN-YRD/GOV/330000/SCJGJ"
    assert v1.changes["title_zh"] == {"old": None, "new": "企业信用信息"}
    assert "department" not in v1.changes  # not set, so not part of the first diff


def test_every_change_is_a_new_version_with_a_diff(session: Session, clock: Clock) -> None:
    rid = create(session, clock)
    later: Clock = lambda: clock() + timedelta(hours=1)  # noqa: E731
    res, changed = service.update_resource(
        session,
        rid,
        ResourceUpdate(title_en="Enterprise credit", keywords=["信用", "企业"]),
        principal=STEWARD,
        clock=later,
    )
    assert changed
    assert res.version == 2
    assert res.modified_at == later()
    v2 = service.get_version(session, rid, 2)
    assert v2.changes == {
        "keywords": {
            "old": ["信用", "credit"],
            "new": ["信用", "企业"],
            "added": ["企业"],
            "removed": ["credit"],
        },
        "title_en": {"old": "Enterprise credit information", "new": "Enterprise credit"},
    }
    assert v2.summary == "Changed keywords, title_en."
    service.update_resource(
        session,
        rid,
        ResourceUpdate(sharing_class="not_shared", not_shared_reason="含个人信息"),
        principal=STEWARD,
        clock=later,
    )
    history = service.list_versions(session, rid)
    assert [v.version for v in history] == [1, 2, 3]
    assert history[2].changed_fields == ["not_shared_reason", "sharing_class"]
    d13 = service.diff_versions(session, rid, 1, 3)
    assert set(d13.changes) == {"keywords", "title_en", "sharing_class", "not_shared_reason"}
    d31 = service.diff_versions(session, rid, 3, 1)
    assert d31.changes["sharing_class"] == {"old": "not_shared", "new": "conditional"}
    # v1 is unchanged by later edits: versions are immutable
    assert service.get_version(session, rid, 1).metadata["title_en"] == (
        "Enterprise credit information"
    )


def test_no_change_writes_no_version(session: Session, clock: Clock) -> None:
    rid = create(session, clock)
    _, changed = service.update_resource(
        session, rid, ResourceUpdate(title_zh="企业信用信息"), principal=STEWARD, clock=clock
    )
    assert not changed
    assert len(service.list_versions(session, rid)) == 1


def test_stale_expected_version_is_a_conflict(session: Session, clock: Clock) -> None:
    rid = create(session, clock)
    service.update_resource(
        session, rid, ResourceUpdate(title_en="A"), principal=STEWARD, clock=clock
    )
    with pytest.raises(VersionConflict):
        service.update_resource(
            session,
            rid,
            ResourceUpdate(title_en="B", expected_version=1),
            principal=STEWARD,
            clock=clock,
        )


def test_metadata_rules_spanning_fields(session: Session, clock: Clock) -> None:
    with pytest.raises(MetadataInvalid) as info:
        create(
            session,
            clock,
            sharing_class="not_shared",
            temporal_start="2024-02-01",
            temporal_end="2024-01-01",
        )
    assert {e.location for e in info.value.errors} == {"not_shared_reason", "temporal_end"}
    with pytest.raises(MetadataInvalid):
        create(session, clock, columns=[])
    with pytest.raises(MetadataInvalid):
        create(session, clock, kind="service", columns=[])  # no base URL
    rid = create(
        session, clock, sharing_class="not_shared", not_shared_reason="个人信息", title_zh=" 企业 "
    )
    assert service.get_resource(session, rid).title_zh == "企业"  # text is stored trimmed
    res, _ = service.update_resource(
        session, rid, ResourceUpdate(sharing_class="conditional"), principal=STEWARD, clock=clock
    )
    assert res.not_shared_reason is None  # the reason only applies to not_shared


def test_names_are_unique_or_derived(session: Session, clock: Clock) -> None:
    create(session, clock)
    with pytest.raises(NameTaken):
        create(session, clock)
    first = service.get_resource(session, create(session, clock, name=None))
    second = service.get_resource(session, create(session, clock, name=None))
    assert first.name == "enterprise-credit-information"
    assert second.name.startswith("enterprise-credit-information-")


def test_writes_need_the_steward_role_of_the_owner(session: Session, clock: Clock) -> None:
    with pytest.raises(PermissionDenied):
        service.create_resource(
            session, ResourceCreate(**table_payload()), principal=OUTSIDER, clock=clock
        )
    rid = create(session, clock)
    with pytest.raises(PermissionDenied):
        service.update_resource(
            session, rid, ResourceUpdate(title_en="x"), principal=OUTSIDER, clock=clock
        )


def test_withdrawn_resources_keep_history_but_leave_search(session: Session, clock: Clock) -> None:
    rid = create(session, clock)
    cache = service.SearchIndexCache()
    assert service.search_catalog(session, query="信用", cache=cache).total == 1
    res = service.withdraw_resource(session, rid, principal=STEWARD, clock=clock, reason="合并")
    assert res.status == "withdrawn"
    assert service.search_catalog(session, query="信用", cache=cache).total == 0
    assert service.list_versions(session, rid)[-1].change_kind == "withdraw"
    with pytest.raises(ResourceWithdrawn):
        service.update_resource(
            session, rid, ResourceUpdate(title_en="x"), principal=STEWARD, clock=clock
        )
    with pytest.raises(VersionNotFound):
        service.get_version(session, rid, 9)


def test_upload_creates_a_version_with_rows_and_quality(session: Session, clock: Clock) -> None:
    rid = create(session, clock)
    ver, created = service.upload_data(
        session, rid, content=CSV, fmt=FileFormat.CSV, principal=STEWARD, clock=clock
    )
    assert created
    assert (ver.version, ver.change_kind, ver.row_count, ver.data_version) == (2, "data", 3, 2)
    assert ver.changed_fields == ["data"]
    assert ver.quality is not None
    name = next(c for c in ver.quality["columns"] if c["name"] == "name")
    assert name["completeness"] == pytest.approx(2 / 3)
    page = service.read_data(session, rid, principal=STEWARD)
    assert page.rows[0] == {
        "code": "A1",
        "name": "Alice",
        "score": 1.5,
        "listed": True,
        "since": "2020-01-01",
    }
    assert page.total == 3
    # identical content again: no new version
    _, again = service.upload_data(
        session, rid, content=CSV, fmt=FileFormat.CSV, principal=STEWARD, clock=clock
    )
    assert not again
    assert len(service.list_versions(session, rid)) == 2
    # a metadata change carries the data forward without copying rows
    before = counts(session)
    res, _ = service.update_resource(
        session, rid, ResourceUpdate(title_en="New"), principal=STEWARD, clock=clock
    )
    assert res.data is not None
    assert res.data.version == 2
    assert counts(session)[1] == before[1]
    quality = service.quality(session, rid, clock=clock)
    assert quality.freshness.status == "fresh"
    stale = service.quality(session, rid, clock=lambda: clock() + timedelta(days=32))
    assert stale.freshness.status == "stale"


def test_failed_upload_lists_every_problem_and_writes_nothing(
    session: Session, clock: Clock
) -> None:
    rid = create(session, clock)
    before = counts(session)
    bad = b"code,name,score\nA1,Alice,x\n,Bob,2\nA1,Carol,3\n"
    with pytest.raises(DataInvalid) as info:
        service.upload_data(
            session, rid, content=bad, fmt=FileFormat.CSV, principal=STEWARD, clock=clock
        )
    assert [e.location for e in info.value.errors] == [
        "row 1, column score",
        "row 2, column code",
        "row 3, column code",
    ]
    assert counts(session) == before
    assert service.get_resource(session, rid).version == 1


def test_row_diff_between_uploads(session: Session, clock: Clock) -> None:
    rid = create(session, clock)
    service.upload_data(
        session, rid, content=CSV, fmt=FileFormat.CSV, principal=STEWARD, clock=clock
    )
    new = b"code,name,score\nA1,Alice,1.5\nA2,Ann,2\nA4,Dan,4\n"
    service.upload_data(
        session, rid, content=new, fmt=FileFormat.CSV, principal=STEWARD, clock=clock
    )
    d = service.diff_versions(session, rid, 2, 3, include_rows=True)
    assert d.data is not None
    assert d.data.key == "code"
    assert (d.data.added, d.data.removed, d.data.changed) == (1, 1, 2)
    assert d.changes["data"]["new"]["rows"] == 3
    assert service.diff_versions(session, rid, 2, 3).data is None


def test_column_changes_recheck_stored_data(session: Session, clock: Clock) -> None:
    rid = create(session, clock)
    service.upload_data(
        session, rid, content=CSV, fmt=FileFormat.CSV, principal=STEWARD, clock=clock
    )
    cols = table_payload()["columns"]
    required_name = [dict(c, required=True) if c["name"] == "name" else c for c in cols]
    with pytest.raises(DataInvalid) as info:
        service.update_resource(
            session, rid, ResourceUpdate(columns=required_name), principal=STEWARD, clock=clock
        )
    assert [e.location for e in info.value.errors] == ["row 2, column name"]
    res, _ = service.update_resource(
        session,
        rid,
        ResourceUpdate(columns=required_name),
        principal=STEWARD,
        clock=clock,
        drop_data=True,
    )
    assert res.data is None
    # a compatible type change re-types the stored values in a new data version
    rid2 = create(session, clock, name="second")
    service.upload_data(
        session, rid2, content=CSV, fmt=FileFormat.CSV, principal=STEWARD, clock=clock
    )
    as_text = [dict(c, type="string") if c["name"] == "score" else c for c in cols]
    res2, _ = service.update_resource(
        session, rid2, ResourceUpdate(columns=as_text), principal=STEWARD, clock=clock
    )
    assert res2.data is not None
    assert res2.data.version == 3
    assert service.read_data(session, rid2, principal=STEWARD).rows[0]["score"] == "1.5"


def test_search_with_samples_chinese_english_and_facets(session: Session, clock: Clock) -> None:
    report = service.load_samples(session, clock=clock)
    assert report.created == 5
    cache = service.SearchIndexCache()
    page = service.search_catalog(session, query="企业 信用", cache=cache)
    assert page.items[0].name == "zj-enterprise-credit-sample"
    assert service.search_catalog(session, query="air quality", cache=cache).items[0].name == (
        "ah-air-quality-monitoring-sample"
    )
    all_items = service.search_catalog(session, cache=cache)
    assert all_items.total == 5
    sharing = {f.value: f.count for f in all_items.facets["sharing_class"]}
    assert sharing == {"unconditional": 2, "conditional": 2, "not_shared": 1}
    labels = {f.value: f.label for f in all_items.facets["jurisdiction"]}
    assert set(labels) == {"310000", "320000", "330000", "340000"}
    js = service.search_catalog(
        session, filters=Filter(include={"jurisdiction": {"320000"}}), cache=cache
    )
    assert js.total == 2
    assert all(i.is_sample and "样例" in i.title_zh for i in all_items.items)


def test_load_samples_is_idempotent(session: Session, clock: Clock) -> None:
    service.load_samples(session, clock=clock)
    before = counts(session)
    again = service.load_samples(session, clock=clock)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert counts(session) == before
