"""Access use cases: sharing classes, decisions, grants, the gateway check, escalation, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from dyrd.core.errors import NotFoundError, PermissionDenied
from dyrd.exchange import service
from dyrd.exchange.access_schemas import DecisionCreate, RevokeCreate
from dyrd.exchange.compute.access import AccessPolicy, GrantStatus
from dyrd.exchange.compute.workdays import WorkCalendar
from dyrd.exchange.errors import (
    AccessRequestDecided,
    AccessRequestInvalid,
    FieldNotGranted,
    GrantAlreadyRevoked,
    GrantExpired,
    GrantNotFound,
    GrantNotYetValid,
    GrantRevoked,
    GrantWrongConsumer,
    GrantWrongResource,
    NotAParty,
)
from dyrd.exchange.schemas import ResourceUpdate
from tests.exchange.access_support import (
    ANALYST,
    CONSUMER,
    CONSUMER_VIEWER,
    OUTSIDER,
    OWNER,
    OWNER_ANALYST,
    OWNER_STEWARD,
    POLICY,
    STRANGER,
    MovingClock,
    ledger_since,
    log_size,
    make_resource,
    request_model,
)


@pytest.fixture
def moving() -> MovingClock:
    return MovingClock()


def _approve(session: Session, rid: str, clock: MovingClock, **kw: object) -> str:
    read = service.decide(
        session,
        rid,
        DecisionCreate.model_validate({"decision": "approve", **kw}),
        principal=OWNER_STEWARD,
        clock=clock,
    )
    assert read.grant_id is not None
    return read.grant_id


# ---------------------------------------------------------------------------------------------
# Sharing classes


def test_unconditional_request_is_granted_at_once_and_audited(
    session: Session, moving: MovingClock
) -> None:
    res = make_resource(session, moving, "unconditional")
    start = log_size(session)
    read = service.request_access(
        session, request_model(res), principal=ANALYST, clock=moving, policy=POLICY
    )
    assert read.status == "granted"
    assert read.decision == "auto_grant"
    assert read.due_date is None
    assert read.grant_id is not None
    grant = service.get_grant(session, read.grant_id, principal=ANALYST, clock=moving)
    assert grant.fields == ["code", "score"]
    assert grant.purpose_code == "market_regulation"
    assert grant.valid_from == moving.now
    assert grant.valid_until == moving.now + timedelta(days=30)
    entries = ledger_since(session, start)
    assert [(e["kind"], e["subject"]) for e in entries] == [
        ("access.request", read.id),
        ("grant.decision", read.grant_id),
    ]
    assert entries[0]["actor"] == {"user": "sh.analyst", "member": CONSUMER}
    assert entries[1]["payload"]["decision"] == "auto_grant"
    assert entries[1]["payload"]["fields"] == ["code", "score"]


def test_not_shared_request_is_refused_with_the_stated_reason(
    session: Session, moving: MovingClock
) -> None:
    res = make_resource(session, moving, "not_shared")
    start = log_size(session)
    read = service.request_access(
        session, request_model(res), principal=ANALYST, clock=moving, policy=POLICY
    )
    assert read.status == "refused"
    assert read.decision == "auto_refuse"
    assert read.decision_reason == "涉及个人隐私 / contains personal data"
    assert read.grant_id is None
    kinds = [(e["kind"], e["payload"].get("decision")) for e in ledger_since(session, start)]
    assert kinds == [("access.request", None), ("grant.decision", "auto_refuse")]


def test_conditional_request_waits_with_a_working_day_deadline(
    session: Session, moving: MovingClock
) -> None:
    res = make_resource(session, moving, "conditional")
    read = service.request_access(
        session, request_model(res), principal=ANALYST, clock=moving, policy=POLICY
    )
    assert read.status == "pending"
    assert read.decision is None
    # Thursday 26 November 2026 + 10 working days.
    assert read.due_date == date(2026, 12, 10)
    assert read.due_at == datetime(2026, 12, 10, 16, tzinfo=UTC)
    assert not read.overdue
    policy = AccessPolicy(calendar=WorkCalendar(holidays=frozenset({date(2026, 12, 1)})))
    later = service.request_access(
        session, request_model(res), principal=ANALYST, clock=moving, policy=policy
    )
    assert later.due_date == date(2026, 12, 11)


def test_request_validation(session: Session, moving: MovingClock) -> None:
    res = make_resource(session, moving, "conditional")
    with pytest.raises(AccessRequestInvalid) as unknown:
        service.request_access(
            session,
            request_model(res, fields=["code", "salary", "iban"]),
            principal=ANALYST,
            clock=moving,
            policy=POLICY,
        )
    assert [e.value for e in unknown.value.errors] == ["salary", "iban"]
    with pytest.raises(AccessRequestInvalid, match="Name the columns"):
        service.request_access(
            session, request_model(res, fields=[]), principal=ANALYST, clock=moving, policy=POLICY
        )
    with pytest.raises(AccessRequestInvalid, match="at most 365 days"):
        service.request_access(
            session,
            request_model(res, duration_days=366),
            principal=ANALYST,
            clock=moving,
            policy=POLICY,
        )
    with pytest.raises(AccessRequestInvalid, match="belongs to the owner"):
        service.request_access(
            session,
            request_model(res, consumer_member=OWNER),
            principal=OWNER_STEWARD,
            clock=moving,
            policy=POLICY,
        )


def test_only_analysts_of_the_consumer_may_request(session: Session, moving: MovingClock) -> None:
    res = make_resource(session, moving, "conditional")
    for principal in (CONSUMER_VIEWER, OUTSIDER):
        with pytest.raises(PermissionDenied):
            service.request_access(
                session, request_model(res), principal=principal, clock=moving, policy=POLICY
            )


# ---------------------------------------------------------------------------------------------
# Decisions


def test_steward_approves_fewer_fields_for_less_time(session: Session, moving: MovingClock) -> None:
    res = make_resource(session, moving, "conditional")
    req = service.request_access(
        session,
        request_model(res, fields=["code", "name", "score"]),
        principal=ANALYST,
        clock=moving,
        policy=POLICY,
    )
    moving.advance(days=1)
    start = log_size(session)
    gid = _approve(session, req.id, moving, fields=["code", "score"], duration_days=7)
    grant = service.get_grant(session, gid, principal=OWNER_STEWARD, clock=moving)
    assert grant.fields == ["code", "score"]
    assert grant.valid_until - grant.valid_from == timedelta(days=7)
    assert grant.created_by == "zj.steward"
    read = service.get_request(session, req.id, principal=ANALYST, clock=moving)
    assert (read.status, read.decision, read.grant_id) == ("granted", "approve", gid)
    (entry,) = ledger_since(session, start)
    assert entry["kind"] == "grant.decision"
    assert entry["actor"] == {"user": "zj.steward", "member": OWNER}
    assert entry["payload"]["decision"] == "approve"
    assert entry["payload"]["fields"] == ["code", "score"]


def test_approval_can_only_narrow(session: Session, moving: MovingClock) -> None:
    res = make_resource(session, moving, "conditional")
    req = service.request_access(
        session, request_model(res), principal=ANALYST, clock=moving, policy=POLICY
    )
    with pytest.raises(AccessRequestInvalid, match="not requested"):
        _approve(session, req.id, moving, fields=["code", "name"])
    with pytest.raises(AccessRequestInvalid, match="longer than"):
        _approve(session, req.id, moving, duration_days=31)


def test_refusal_needs_a_reason_and_is_final(session: Session, moving: MovingClock) -> None:
    res = make_resource(session, moving, "conditional")
    req = service.request_access(
        session, request_model(res), principal=ANALYST, clock=moving, policy=POLICY
    )
    with pytest.raises(ValueError, match="needs a reason"):
        DecisionCreate.model_validate({"decision": "refuse"})
    start = log_size(session)
    read = service.decide(
        session,
        req.id,
        DecisionCreate(decision="refuse", reason="用途与数据无关 / purpose unrelated"),
        principal=OWNER_STEWARD,
        clock=moving,
    )
    assert (read.status, read.decision) == ("refused", "refuse")
    assert read.decision_reason == "用途与数据无关 / purpose unrelated"
    (entry,) = ledger_since(session, start)
    assert entry["payload"]["decision"] == "refuse"
    assert entry["payload"]["reason"] == "用途与数据无关 / purpose unrelated"
    with pytest.raises(AccessRequestDecided):
        _approve(session, req.id, moving)


def test_only_the_owners_steward_decides(session: Session, moving: MovingClock) -> None:
    res = make_resource(session, moving, "conditional")
    req = service.request_access(
        session, request_model(res), principal=ANALYST, clock=moving, policy=POLICY
    )
    for principal in (ANALYST, OWNER_ANALYST, OUTSIDER):
        with pytest.raises(PermissionDenied):
            service.decide(
                session,
                req.id,
                DecisionCreate(decision="approve"),
                principal=principal,
                clock=moving,
            )


# ---------------------------------------------------------------------------------------------
# The gateway's grant check


@pytest.fixture
def granted(session: Session, moving: MovingClock) -> tuple[str, str]:
    """(resource id, grant id) of an approved conditional request for code+score, 30 days."""
    res = make_resource(session, moving, "conditional")
    req = service.request_access(
        session, request_model(res), principal=ANALYST, clock=moving, policy=POLICY
    )
    return res, _approve(session, req.id, moving)


def test_check_grant_returns_fields_and_purpose(
    session: Session, moving: MovingClock, granted: tuple[str, str]
) -> None:
    res, gid = granted
    check = service.check_grant(
        session,
        grant_id=gid,
        consumer_member=CONSUMER,
        resource_id=res,
        fields=["score"],
        at=moving.now,
    )
    assert check.fields == ("score",)
    assert check.purpose_code == "market_regulation"
    assert check.purpose_zh == "跨省企业信用联合监管"
    assert check.legal_basis == "《政务数据共享条例》第十四条"
    every = service.check_grant(
        session,
        grant_id=gid,
        consumer_member=CONSUMER,
        resource_id=res,
        fields=[],
        at=moving.now,
    )
    assert every.fields == ("code", "score")


def test_check_grant_errors_are_distinct(
    session: Session, moving: MovingClock, granted: tuple[str, str]
) -> None:
    res, gid = granted
    other = make_resource(session, moving, "conditional", name="access-other")

    def check(**kw: object) -> None:
        args: dict[str, object] = {
            "grant_id": gid,
            "consumer_member": CONSUMER,
            "resource_id": res,
            "fields": ["code"],
            "at": moving.now,
        }
        args.update(kw)
        service.check_grant(session, **args)  # type: ignore[arg-type]

    with pytest.raises(GrantNotFound) as nf:
        check(grant_id="00000000-0000-0000-0000-000000000000")
    assert isinstance(nf.value, NotFoundError)
    with pytest.raises(GrantWrongConsumer):
        check(consumer_member=STRANGER)
    with pytest.raises(GrantWrongResource):
        check(resource_id=other)
    with pytest.raises(FieldNotGranted) as fng:
        check(fields=["code", "name"])
    assert [e.value for e in fng.value.errors] == ["name"]
    assert fng.value.message_zh
    with pytest.raises(GrantNotYetValid):
        check(at=moving.now - timedelta(seconds=1))
    for exc in (GrantWrongConsumer, GrantWrongResource, FieldNotGranted, GrantNotYetValid):
        assert issubclass(exc, PermissionDenied)


def test_grant_expires_exactly_at_valid_until(
    session: Session, moving: MovingClock, granted: tuple[str, str]
) -> None:
    res, gid = granted
    until = moving.now + timedelta(days=30)
    last = until - timedelta(microseconds=1)
    assert (
        service.check_grant(
            session,
            grant_id=gid,
            consumer_member=CONSUMER,
            resource_id=res,
            fields=["code"],
            at=last,
        ).valid_until
        == until
    )
    with pytest.raises(GrantExpired):
        service.check_grant(
            session,
            grant_id=gid,
            consumer_member=CONSUMER,
            resource_id=res,
            fields=["code"],
            at=until,
        )
    moving.now = until
    assert service.get_grant(session, gid, principal=ANALYST, clock=moving).status == "expired"
    page = service.list_grants(session, principal=ANALYST, clock=moving, status=GrantStatus.EXPIRED)
    assert [g.id for g in page.items] == [gid]
    active = service.list_grants(
        session, principal=ANALYST, clock=moving, status=GrantStatus.ACTIVE
    )
    assert active.total == 0


def test_revocation_needs_the_owners_steward_and_is_audited(
    session: Session, moving: MovingClock, granted: tuple[str, str]
) -> None:
    res, gid = granted
    with pytest.raises(PermissionDenied):
        service.revoke_grant(
            session, gid, RevokeCreate(reason="no"), principal=ANALYST, clock=moving
        )
    moving.advance(hours=1)
    start = log_size(session)
    read = service.revoke_grant(
        session,
        gid,
        RevokeCreate(reason="用途已结束 / purpose ended"),
        principal=OWNER_STEWARD,
        clock=moving,
    )
    assert read.status == "revoked"
    assert read.revoked_at == moving.now
    (entry,) = ledger_since(session, start)
    assert (entry["kind"], entry["subject"]) == ("grant.revocation", gid)
    assert entry["payload"]["reason"] == "用途已结束 / purpose ended"
    with pytest.raises(GrantRevoked, match="purpose ended"):
        service.check_grant(
            session,
            grant_id=gid,
            consumer_member=CONSUMER,
            resource_id=res,
            fields=["code"],
            at=moving.now,
        )
    with pytest.raises(GrantAlreadyRevoked):
        service.revoke_grant(
            session, gid, RevokeCreate(reason="again"), principal=OWNER_STEWARD, clock=moving
        )


# ---------------------------------------------------------------------------------------------
# Reads, overdue and escalation


def test_parties_see_requests_and_others_do_not(session: Session, moving: MovingClock) -> None:
    res = make_resource(session, moving, "conditional")
    req = service.request_access(
        session, request_model(res), principal=ANALYST, clock=moving, policy=POLICY
    )
    mine = service.list_requests(session, principal=ANALYST, clock=moving, side="consumer")
    assert [r.id for r in mine.items] == [req.id]
    assert service.list_requests(session, principal=ANALYST, clock=moving, side="owner").total == 0
    inbox = service.list_requests(session, principal=OWNER_STEWARD, clock=moving, side="owner")
    assert [r.id for r in inbox.items] == [req.id]
    assert service.list_requests(session, principal=OUTSIDER, clock=moving).total == 0
    with pytest.raises(NotAParty):
        service.get_request(session, req.id, principal=OUTSIDER, clock=moving)


def test_overdue_requests_are_flagged_and_escalated_once(
    session: Session, moving: MovingClock
) -> None:
    res = make_resource(session, moving, "conditional")
    req = service.request_access(
        session, request_model(res), principal=ANALYST, clock=moving, policy=POLICY
    )
    answered = service.request_access(
        session, request_model(res), principal=ANALYST, clock=moving, policy=POLICY
    )
    _approve(session, answered.id, moving)
    # Last moment of the due day (10 December, China time): not yet overdue.
    moving.now = datetime(2026, 12, 10, 15, 59, 59, tzinfo=UTC)
    assert service.escalate_overdue(session, clock=moving) == []
    flagged = service.list_requests(session, principal=OWNER_STEWARD, clock=moving, overdue=True)
    assert flagged.total == 0
    moving.now = datetime(2026, 12, 11, 1, tzinfo=UTC)  # 11 December 09:00 China time
    flagged = service.list_requests(session, principal=OWNER_STEWARD, clock=moving, overdue=True)
    assert [r.id for r in flagged.items] == [req.id]
    assert flagged.items[0].overdue
    start = log_size(session)
    done = service.escalate_overdue(session, clock=moving)
    assert [(e.request_id, e.escalated_to) for e in done] == [(req.id, "CN-YRD/GOV/330000")]
    (entry,) = ledger_since(session, start)
    assert (entry["kind"], entry["subject"]) == ("access.escalation", req.id)
    assert entry["payload"]["due_date"] == "2026-12-10"
    read = service.get_request(session, req.id, principal=ANALYST, clock=moving)
    assert read.escalated_to == "CN-YRD/GOV/330000"
    assert read.escalated_at == moving.now
    moving.advance(days=3)
    assert service.escalate_overdue(session, clock=moving) == []
    assert log_size(session) == start + 1
    # A late answer is still accepted; the request stops being overdue.
    _approve(session, req.id, moving)
    assert not service.get_request(session, req.id, principal=ANALYST, clock=moving).overdue


# ---------------------------------------------------------------------------------------------
# Catalog changes reach the ledger


def test_every_catalog_change_is_appended_to_the_ledger(
    session: Session, moving: MovingClock
) -> None:
    start = log_size(session)
    res = make_resource(session, moving, "conditional")
    service.update_resource(
        session,
        res,
        ResourceUpdate.model_validate({"title_en": "Credit", "expected_version": 1}),
        principal=OWNER_STEWARD,
        clock=moving,
    )
    from dyrd.exchange.compute.tabular import FileFormat

    service.upload_data(
        session,
        res,
        content=b"code,name,score,listed,since\nA1,Alice,1.5,true,2020-01-01\n",
        fmt=FileFormat.CSV,
        principal=OWNER_STEWARD,
        clock=moving,
    )
    service.withdraw_resource(session, res, principal=OWNER_STEWARD, clock=moving, reason="old")
    entries = ledger_since(session, start)
    assert [e["kind"] for e in entries] == ["catalog.change"] * 4
    assert {e["subject"] for e in entries} == {res}
    assert [e["payload"]["change_kind"] for e in entries] == [
        "create",
        "metadata",
        "data",
        "withdraw",
    ]
    assert [e["payload"]["version"] for e in entries] == [1, 2, 3, 4]
    assert entries[1]["payload"]["changed_fields"] == ["title_en"]
    assert entries[2]["payload"]["row_count"] == 1
    assert len(entries[2]["payload"]["data_sha256"]) == 64
    assert entries[3]["payload"]["status"] == "withdrawn"
    assert all(e["actor"] == {"user": "zj.steward", "member": OWNER} for e in entries)


# ---------------------------------------------------------------------------------------------
# A grant ends with its resource's sharing


def _check(session: Session, res: str, gid: str, moving: MovingClock) -> object:
    return service.check_grant(
        session, grant_id=gid, consumer_member=CONSUMER, resource_id=res, fields=[], at=moving.now
    )


def test_a_grant_stops_covering_a_withdrawn_resource(
    session: Session, moving: MovingClock, granted: tuple[str, str]
) -> None:
    from dyrd.exchange.errors import GrantDenied, GrantResourceWithdrawn

    res, gid = granted
    assert _check(session, res, gid, moving)
    service.withdraw_resource(session, res, principal=OWNER_STEWARD, clock=moving, reason="old")
    with pytest.raises(GrantResourceWithdrawn) as info:
        _check(session, res, gid, moving)
    assert isinstance(info.value, GrantDenied)
    assert info.value.code == "grant-resource-withdrawn"
    assert "withdrawn" in info.value.message
    assert "撤回" in info.value.message_zh


def test_a_grant_stops_covering_a_resource_no_longer_shared(
    session: Session, moving: MovingClock, granted: tuple[str, str]
) -> None:
    from dyrd.exchange.errors import GrantResourceNotShared

    res, gid = granted
    version = service.get_resource(session, res).version
    service.update_resource(
        session,
        res,
        ResourceUpdate.model_validate(
            {
                "sharing_class": "not_shared",
                "not_shared_reason": "涉及个人隐私 / personal data",
                "expected_version": version,
            }
        ),
        principal=OWNER_STEWARD,
        clock=moving,
    )
    with pytest.raises(GrantResourceNotShared) as info:
        _check(session, res, gid, moving)
    assert info.value.code == "not-shared"
    assert info.value.message_zh
    # Back to conditional: the grant (still valid, not revoked) covers it again.
    service.update_resource(
        session,
        res,
        ResourceUpdate.model_validate(
            {"sharing_class": "conditional", "expected_version": version + 1}
        ),
        principal=OWNER_STEWARD,
        clock=moving,
    )
    assert _check(session, res, gid, moving)


def test_escalated_requests_are_the_superiors_inbox(session: Session, moving: MovingClock) -> None:
    from dyrd.core.auth import Principal
    from dyrd.core.types import Role

    superior = Principal("zj.head", {"CN-YRD/GOV/330000": frozenset({Role.DATA_STEWARD})})
    res = make_resource(session, moving, "conditional")
    late = service.request_access(
        session, request_model(res), principal=ANALYST, clock=moving, policy=POLICY
    )
    moving.now = datetime(2026, 12, 11, 1, tzinfo=UTC)  # past the due day
    fresh = service.request_access(
        session, request_model(res), principal=ANALYST, clock=moving, policy=POLICY
    )
    inbox = service.list_requests(session, principal=superior, clock=moving, escalated=True)
    assert inbox.total == 0  # overdue, but not yet escalated
    service.escalate_overdue(session, clock=moving)
    inbox = service.list_requests(session, principal=superior, clock=moving, escalated=True)
    assert [r.id for r in inbox.items] == [late.id]
    assert inbox.items[0].escalated_to == "CN-YRD/GOV/330000"
    assert inbox.items[0].overdue
    # The superior still sees all its departments' requests without the filter.
    every = service.list_requests(session, principal=superior, clock=moving)
    assert {r.id for r in every.items} == {late.id, fresh.id}
    # Nothing was escalated to the owner department or to the consumer.
    for who in (OWNER_STEWARD, ANALYST):
        assert (
            service.list_requests(session, principal=who, clock=moving, escalated=True).total == 0
        )
