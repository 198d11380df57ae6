"""Acceptance policies as stored, signed, versioned data: publish, list, history, tampering,
effective dates, and the bundled fallback."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.core.errors import ConflictError, PermissionDenied
from dyrd.healthcode import service
from dyrd.healthcode.bundled import sample_policies
from dyrd.healthcode.compute import acceptance
from dyrd.healthcode.errors import PolicyInvalid, PolicyNotFound
from dyrd.healthcode.models import PolicyVersion
from tests.fakes import InMemoryKeyStore
from tests.healthcode.conftest import REGION_STEWARD, SH_VIEWER, ZJ_STEWARD

TODAY = date(2026, 11, 26)  # the test clock's day in China Standard Time


def sh_v3(valid_from: date) -> dict[str, Any]:
    """Shanghai's SAMPLE policy as version 3 that admits no partner code at all."""
    newest = acceptance.in_force(sample_policies(), "310000", TODAY)
    assert newest is not None
    document = acceptance.policy_document(newest)
    document |= {
        "version": 3,
        "valid_from": valid_from.isoformat(),
        "sample": False,
        "requirements": [
            {
                "logic": {"!": [{"var": "external.partner"}]},
                "reason_zh": "拒绝：{issuer}{colour}，仅接受本市码",
                "reason_en": "Refused: {issuer} {colour}, local codes only",
            }
        ],
    }
    return document


def test_samples_are_stored_signed_and_loaded_once(
    session: Session, clock: Clock, keystore: InMemoryKeyStore
) -> None:
    stored = service.stored_policies(session)
    assert len(stored) == len(sample_policies())
    assert all(p.verified and p.source == "stored" and p.sample for p in stored)
    assert {p.signed_by for p in stored} == {
        f"CN-YRD/GOV/{j}" for j in ("310000", "320000", "330000", "340000")
    }
    assert service.store_sample_policies(session, keystore=keystore, clock=clock) == 0
    history = service.policy_history(session, "SH-ACC-001")
    assert [p.version for p in history] == [1, 2]
    assert service.show_policy(session, "SH-ACC-001").version == 2
    assert service.show_policy(session, "SH-ACC-001", 1).valid_until == date(2020, 6, 1)
    with pytest.raises(PolicyNotFound):
        service.show_policy(session, "SH-ACC-001", 9)
    with pytest.raises(PolicyNotFound):
        service.policy_history(session, "SH-ACC-404")


def test_a_future_dated_version_is_not_in_force_until_its_day(
    session: Session, clock: Clock, keystore: InMemoryKeyStore
) -> None:
    tomorrow = TODAY + timedelta(days=1)
    out = service.publish_policy(
        session, sh_v3(tomorrow), principal=REGION_STEWARD, clock=clock, keystore=keystore
    )
    assert (out.version, out.verified, out.source) == (3, True, "stored")
    assert out.signed_by == "CN-YRD/GOV/310000"
    assert out.signed_at == clock()
    book = service.checkpoint_policies(session, keystore=keystore, clock=clock)
    today_policy = book.in_force("310000", TODAY)
    tomorrow_policy = book.in_force("310000", tomorrow)
    assert today_policy is not None
    assert tomorrow_policy is not None
    assert today_policy.policy.label == "SH-ACC-001 v2"
    assert tomorrow_policy.policy.label == "SH-ACC-001 v3"
    assert tomorrow_policy.source == "stored"


def test_publishing_checks_role_document_version_and_date(
    session: Session, clock: Clock, keystore: InMemoryKeyStore
) -> None:
    def publish(document: dict[str, Any], principal: Any = REGION_STEWARD) -> Any:
        return service.publish_policy(
            session, document, principal=principal, clock=clock, keystore=keystore
        )

    with pytest.raises(PermissionDenied):
        publish(sh_v3(TODAY), SH_VIEWER)
    with pytest.raises(PermissionDenied):
        publish(sh_v3(TODAY), ZJ_STEWARD)  # another jurisdiction's steward
    with pytest.raises(PolicyInvalid) as past:
        publish(sh_v3(TODAY - timedelta(days=1)))
    assert [e.location for e in past.value.errors] == ["document.valid_from"]
    broken = sh_v3(TODAY) | {"requirements": [{"logic": {"eval": 1}}], "extra": True}
    with pytest.raises(PolicyInvalid) as bad:
        publish(broken)
    assert {e.location.split("[")[0] for e in bad.value.errors} >= {
        "document.extra",
        "document.requirements",
    }
    with pytest.raises(ConflictError):
        publish(sh_v3(TODAY) | {"version": 2})
    assert publish(sh_v3(TODAY)).version == 3
    assert [p.version for p in service.policy_history(session, "SH-ACC-001")] == [1, 2, 3]


def test_a_tampered_stored_policy_is_refused_not_replaced_by_an_older_one(
    session: Session, clock: Clock, keystore: InMemoryKeyStore
) -> None:
    row = session.scalars(
        select(PolicyVersion).where(
            PolicyVersion.policy_id == "SH-ACC-001", PolicyVersion.version == 2
        )
    ).one()
    document = copy.deepcopy(row.document)
    document["requirements"] = document["requirements"][:1]  # drop the 48-hour test rule
    row.document = document
    session.flush()
    listed = {(p.policy_id, p.version): p.verified for p in service.stored_policies(session)}
    assert listed[("SH-ACC-001", 2)] is False
    assert listed[("SH-ACC-001", 1)] is True
    book = service.checkpoint_policies(session, keystore=keystore, clock=clock)
    assert book.in_force("310000", TODAY) is None  # the forged version is never applied
    refused = book.refused_in_force("310000", TODAY)
    assert refused is not None
    assert refused.policy.label == "SH-ACC-001 v2"
    # Before v2 took effect the genuine v1 still decides.
    assert book.refused_in_force("310000", date(2020, 3, 1)) is None
    old = book.in_force("310000", date(2020, 3, 1))
    assert old is not None
    assert old.policy.label == "SH-ACC-001 v1"


def test_a_jurisdiction_with_nothing_stored_falls_back_to_the_bundled_sample(
    session: Session, clock: Clock, keystore: InMemoryKeyStore
) -> None:
    session.execute(delete(PolicyVersion).where(PolicyVersion.jurisdiction == "310000"))
    session.flush()
    book = service.checkpoint_policies(session, keystore=keystore, clock=clock)
    sh = book.in_force("310000", TODAY)
    zj = book.in_force("330000", TODAY)
    assert sh is not None
    assert zj is not None
    assert (sh.source, zj.source) == ("bundled-sample", "stored")


def test_the_cache_sees_a_publish_and_expires(session: Session, keystore: InMemoryKeyStore) -> None:
    now = [datetime(2026, 11, 26, 8, 0, tzinfo=UTC)]
    cache = service.PolicyCache(keystore=keystore, clock=lambda: now[0])
    first = cache.book(session)
    assert cache.book(session) is first  # nothing changed
    service.publish_policy(
        session, sh_v3(TODAY), principal=REGION_STEWARD, clock=lambda: now[0], keystore=keystore
    )
    second = cache.book(session)
    assert second is not first
    in_force = second.in_force("310000", TODAY)
    assert in_force is not None
    assert in_force.policy.version == 3
    now[0] += service.PolicyCache.max_age
    assert cache.book(session) is not second  # rebuilt (and re-verified) after max_age
