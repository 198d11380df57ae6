"""Trust use cases: members, users and roles, tokens, authentication, audit columns."""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import (
    AuthenticationRequired,
    ConflictError,
    NotFoundError,
    PermissionDenied,
    ValidationFailed,
)
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.trust import service
from dyrd.trust.models import ApiToken, Member, RoleAssignment, User
from dyrd.trust.schemas import TokenRead
from dyrd.trust.types import MemberKind, TokenStatus
from tests.conftest import FIXED_NOW
from tests.trust.conftest import JS, JS_WJW, ZJ, ZJ_DSJ, ZJ_WJW, Issue

SYSTEM = Actor.system()


def at(offset: timedelta) -> Clock:
    """A clock frozen ``offset`` after the test clock."""
    return lambda: FIXED_NOW + offset


def principal(session: Session, token: str, clock: Clock) -> Principal:
    return service.authenticate(session, token, clock=clock)


# --- members ---------------------------------------------------------------------------------


def test_defaults_are_loaded_with_kinds_parents_and_codes(session: Session) -> None:
    members = {m.id: m for m in service.list_members(session)}
    assert len(members) == 21
    assert members[REGION_MEMBER_ID].kind is MemberKind.REGION
    assert members[ZJ].parent_id == REGION_MEMBER_ID
    assert members[ZJ].jurisdiction_code == "330000"
    assert (members[ZJ].name_zh, members[ZJ].name_en) == ("浙江省", "Zhejiang")
    assert members[ZJ_DSJ].kind is MemberKind.DEPARTMENT
    assert members[ZJ_DSJ].parent_id == ZJ
    assert members[ZJ_DSJ].jurisdiction_code == "330000"
    assert all(
        (m.created_by, m.created_for, m.created_at) == ("system", REGION_MEMBER_ID, FIXED_NOW)
        for m in members.values()
    )


def test_loading_defaults_again_changes_nothing(session: Session, clock: Clock) -> None:
    report = service.load_default_members(session, clock=at(timedelta(days=1)))
    assert (report.created, report.existing) == (0, 21)
    assert len(service.list_members(session)) == 21
    assert service.get_member(session, ZJ).created_at == FIXED_NOW


def test_members_filter_by_parent_and_kind(session: Session) -> None:
    assert [m.id for m in service.list_members(session, parent_id=ZJ)] == [
        f"{ZJ}/DSJ",
        f"{ZJ}/FGW",
        f"{ZJ}/SCJG",
        f"{ZJ}/WJW",
    ]
    jurisdictions = service.list_members(session, kind="jurisdiction")
    assert [m.jurisdiction_code for m in jurisdictions] == ["310000", "320000", "330000", "340000"]
    assert service.list_members(session, parent_id=REGION_MEMBER_ID, kind="department") == []


def test_unknown_parent_filter_is_not_found_and_bad_kind_is_bilingual(session: Session) -> None:
    with pytest.raises(NotFoundError, match="CN-YRD/GOV/990000"):
        service.list_members(session, parent_id="CN-YRD/GOV/990000")
    with pytest.raises(ValidationFailed) as info:
        service.list_members(session, kind="province")
    assert info.value.errors[0].location == "kind"
    assert "未知类别" in info.value.errors[0].message_zh


def test_jurisdiction_admin_creates_a_department(
    session: Session, clock: Clock, issue: Issue
) -> None:
    admin = principal(session, issue("zj-admin", ZJ, "admin"), clock)
    created = service.create_member(
        session,
        member_id=f"{ZJ}/SJJ",
        name_zh=" 浙江省数据局 ",
        name_en="Zhejiang Data Bureau",
        by=admin,
        clock=clock,
    )
    assert (created.kind, created.parent_id, created.jurisdiction_code) == (
        MemberKind.DEPARTMENT,
        ZJ,
        "330000",
    )
    assert created.name_zh == "浙江省数据局"
    assert (created.created_by, created.created_for, created.created_at) == (
        "zj-admin",
        ZJ,
        FIXED_NOW,
    )


def test_creating_members_needs_admin_of_the_parent(
    session: Session, clock: Clock, issue: Issue
) -> None:
    js_admin = principal(session, issue("js-admin", JS, "admin"), clock)
    zj_steward = principal(session, issue("zj-steward", ZJ, "data_steward"), clock)
    for who in (js_admin, zj_steward):
        with pytest.raises(PermissionDenied, match="admin"):
            service.create_member(
                session,
                member_id=f"{ZJ}/SJJ",
                name_zh="数据局",
                name_en="Data",
                by=who,
                clock=clock,
            )
    assert service.list_members(session, parent_id=ZJ)[-1].id == ZJ_WJW


def test_member_creation_refuses_bad_duplicate_orphan_and_region_ids(
    session: Session, clock: Clock
) -> None:
    with pytest.raises(ValidationFailed) as info:
        service.create_member(
            session,
            member_id="CN-YRD/GOV/330000/dsj",
            name_zh="",
            name_en="x",
            by=SYSTEM,
            clock=clock,
        )
    locations = {e.location: e for e in info.value.errors}
    assert set(locations) == {"id", "name_zh"}
    assert "CN-YRD/GOV/<" in locations["id"].message
    assert "成员标识" in locations["id"].message_zh
    with pytest.raises(ConflictError, match="already exists"):
        service.create_member(
            session, member_id=ZJ_DSJ, name_zh="大数据局", name_en="Data", by=SYSTEM, clock=clock
        )
    with pytest.raises(NotFoundError, match="CN-YRD/GOV/990000"):
        service.create_member(
            session,
            member_id="CN-YRD/GOV/990000/DSJ",
            name_zh="大数据局",
            name_en="Data",
            by=SYSTEM,
            clock=clock,
        )
    with pytest.raises(ConflictError, match="loading the defaults") as region:
        service.create_member(
            session,
            member_id=REGION_MEMBER_ID,
            name_zh="区域",
            name_en="Region",
            by=SYSTEM,
            clock=clock,
        )
    assert "dyrd member load" in region.value.hint


# --- users and roles -------------------------------------------------------------------------


def test_operator_bootstraps_the_first_admin_as_the_system(session: Session, clock: Clock) -> None:
    user = service.create_user(
        session,
        username="root-admin",
        display_name="区域管理员",
        member_id=REGION_MEMBER_ID,
        role="admin",
        by=SYSTEM,
        clock=clock,
    )
    assert (user.display_name, user.active) == ("区域管理员", True)
    assert [(r.member_id, r.role) for r in user.roles] == [(REGION_MEMBER_ID, Role.ADMIN)]
    assert (user.created_by, user.created_for, user.created_at) == (
        "system",
        REGION_MEMBER_ID,
        FIXED_NOW,
    )


def test_a_role_in_a_jurisdiction_covers_its_departments(
    session: Session, clock: Clock, issue: Issue
) -> None:
    zj_admin = principal(session, issue("zj-admin", ZJ, "admin"), clock)
    user = service.create_user(
        session, username="nurse", member_id=ZJ_WJW, role="viewer", by=zj_admin, clock=clock
    )
    assert user.roles[0].created_for == ZJ_WJW
    grant = service.grant_role(
        session, "nurse", member_id=ZJ_DSJ, role="analyst", by=zj_admin, clock=clock
    )
    assert (grant.created_by, grant.created_for) == ("zj-admin", ZJ_DSJ)
    # ...but not the departments of another jurisdiction, nor the jurisdiction's parent.
    for member in (JS_WJW, REGION_MEMBER_ID):
        with pytest.raises(PermissionDenied):
            service.grant_role(
                session, "nurse", member_id=member, role="viewer", by=zj_admin, clock=clock
            )


def test_a_department_admin_cannot_act_on_its_jurisdiction(
    session: Session, clock: Clock, issue: Issue
) -> None:
    dept_admin = principal(session, issue("dsj-admin", ZJ_DSJ, "admin"), clock)
    service.create_user(
        session, username="clerk", member_id=ZJ_DSJ, role="viewer", by=dept_admin, clock=clock
    )
    with pytest.raises(PermissionDenied, match="CN-YRD/GOV/330000"):
        service.grant_role(
            session, "clerk", member_id=ZJ, role="viewer", by=dept_admin, clock=clock
        )


def test_a_region_admin_covers_every_member(session: Session, clock: Clock, issue: Issue) -> None:
    root = principal(session, issue("root", REGION_MEMBER_ID, "admin"), clock)
    service.create_user(
        session, username="multi", member_id=JS_WJW, role="viewer", by=root, clock=clock
    )
    for member in service.list_members(session):
        if member.id != JS_WJW:
            service.grant_role(
                session, "multi", member_id=member.id, role="viewer", by=root, clock=clock
            )
    assert len(service.get_user(session, "multi").roles) == 21


def test_a_viewer_cannot_create_users(session: Session, clock: Clock, issue: Issue) -> None:
    viewer = principal(session, issue("watcher", ZJ, "viewer"), clock)
    with pytest.raises(PermissionDenied) as info:
        service.create_user(
            session, username="intruder", member_id=ZJ, role="admin", by=viewer, clock=clock
        )
    assert info.value.message_zh
    with pytest.raises(NotFoundError):
        service.get_user(session, "intruder")


def test_user_creation_refuses_bad_input_bilingually(session: Session, clock: Clock) -> None:
    with pytest.raises(ValidationFailed) as info:
        service.create_user(
            session,
            username="Bad Name",
            member_id="CN-YRD/GOV/33",
            role="boss",
            display_name="a\nb",
            by=SYSTEM,
            clock=clock,
        )
    errors = {e.location: e for e in info.value.errors}
    assert set(errors) == {"username", "member_id", "role", "display_name"}
    assert "viewer, analyst, data_steward, admin" in errors["role"].message
    assert all(e.message_zh for e in errors.values())
    assert info.value.message_zh


def test_user_creation_refuses_duplicates_reserved_names_and_unknown_members(
    session: Session, clock: Clock, issue: Issue
) -> None:
    issue("taken")
    with pytest.raises(ConflictError, match="already exists"):
        service.create_user(
            session, username="taken", member_id=ZJ, role="viewer", by=SYSTEM, clock=clock
        )
    with pytest.raises(ConflictError, match="reserved"):
        service.create_user(
            session, username="system", member_id=ZJ, role="viewer", by=SYSTEM, clock=clock
        )
    with pytest.raises(NotFoundError, match="CN-YRD/GOV/330000/XYZ"):
        service.create_user(
            session, username="fresh", member_id=f"{ZJ}/XYZ", role="viewer", by=SYSTEM, clock=clock
        )


def test_granting_twice_conflicts_and_revoking_keeps_history(
    session: Session, clock: Clock, issue: Issue
) -> None:
    issue("analyst", ZJ_DSJ, "viewer")
    service.grant_role(session, "analyst", member_id=ZJ, role="analyst", by=SYSTEM, clock=clock)
    with pytest.raises(ConflictError, match="already holds"):
        service.grant_role(session, "analyst", member_id=ZJ, role="analyst", by=SYSTEM, clock=clock)
    zj_admin = principal(session, issue("zj-admin", ZJ, "admin"), clock)
    later = at(timedelta(hours=1))
    service.revoke_role(session, "analyst", member_id=ZJ, role="analyst", by=zj_admin, clock=later)
    assert [r.member_id for r in service.get_user(session, "analyst").roles] == [ZJ_DSJ]
    revoked = session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.username == "analyst", RoleAssignment.member_id == ZJ
        )
    ).one()
    assert (revoked.revoked_by, revoked.revoked_for, revoked.revoked_at) == (
        "zj-admin",
        ZJ,
        FIXED_NOW + timedelta(hours=1),
    )
    with pytest.raises(NotFoundError, match="holds no"):
        service.revoke_role(
            session, "analyst", member_id=ZJ, role="analyst", by=SYSTEM, clock=later
        )
    # A revoked grant is history, so the same role can be granted again.
    service.grant_role(session, "analyst", member_id=ZJ, role="analyst", by=SYSTEM, clock=later)
    assert len(service.get_user(session, "analyst").roles) == 2


def test_a_revoked_role_is_gone_from_the_next_authentication(
    session: Session, clock: Clock, issue: Issue
) -> None:
    token = issue("temp", ZJ, "data_steward")
    assert principal(session, token, clock).has_role(Role.DATA_STEWARD, ZJ_DSJ)
    service.revoke_role(session, "temp", member_id=ZJ, role="data_steward", by=SYSTEM, clock=clock)
    assert principal(session, token, clock).roles == {}


# --- tokens ----------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_only_its_digest_is_stored(
    session: Session, clock: Clock, issue: Issue
) -> None:
    issue("keeper")
    created = service.create_token(session, "keeper", days=7, name="laptop", by=SYSTEM, clock=clock)
    secret = created.token
    assert secret.startswith("dyrd_")
    assert len(secret) == 48
    assert created.expires_at == FIXED_NOW + timedelta(days=7)
    assert created.status is TokenStatus.ACTIVE
    row = session.get(ApiToken, created.id)
    assert row is not None
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.prefix == secret[:13]
    raw = session.execute(text("SELECT * FROM trust_api_token WHERE id = :id"), {"id": created.id})
    stored = [str(v) for v in raw.one()]
    assert not any(secret in v or secret[13:] in v for v in stored)
    listed = service.list_tokens(session, "keeper", by=SYSTEM, clock=clock)
    assert "token" not in TokenRead.model_fields
    assert "token_hash" not in TokenRead.model_fields
    assert not any(secret in t.model_dump_json() for t in listed)
    assert not any(row.token_hash in t.model_dump_json() for t in listed)


def test_token_lifetime_and_name_are_validated(
    session: Session, clock: Clock, issue: Issue
) -> None:
    issue("keeper")
    for days in (0, 3651):
        with pytest.raises(ValidationFailed) as info:
            service.create_token(session, "keeper", days=days, by=SYSTEM, clock=clock)
        assert info.value.errors[0].location == "days"
        assert "有效期" in info.value.errors[0].message_zh
    with pytest.raises(ValidationFailed):
        service.create_token(session, "keeper", days=1, name="x" * 65, by=SYSTEM, clock=clock)
    with pytest.raises(NotFoundError, match="nobody"):
        service.create_token(session, "nobody", days=1, by=SYSTEM, clock=clock)


def test_a_valid_token_authenticates_with_the_users_roles(
    session: Session, clock: Clock, issue: Issue
) -> None:
    token = issue("reader", ZJ, "analyst")
    service.grant_role(session, "reader", member_id=JS_WJW, role="viewer", by=SYSTEM, clock=clock)
    who = principal(session, token, clock)
    assert who.user == "reader"
    assert who.roles == {ZJ: frozenset({Role.ANALYST}), JS_WJW: frozenset({Role.VIEWER})}
    assert who.has_role(Role.ANALYST, ZJ_WJW)
    assert not who.has_role(Role.ANALYST, JS_WJW)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-token",
        "dyrd_" + "A" * 43,  # well formed, never issued
        "Bearer dyrd_" + "A" * 43,
    ],
)
def test_unknown_tokens_are_refused(session: Session, clock: Clock, token: str) -> None:
    with pytest.raises(AuthenticationRequired, match="Unknown"):
        principal(session, token, clock)


def test_an_expired_token_is_refused_from_its_expiry_on(
    session: Session, clock: Clock, issue: Issue
) -> None:
    token = issue("shortlived", days=1)
    assert principal(session, token, at(timedelta(hours=23, minutes=59))).user == "shortlived"
    with pytest.raises(AuthenticationRequired, match="expired") as info:
        principal(session, token, at(timedelta(days=1)))
    assert "过期" in info.value.message_zh
    listed = service.list_tokens(session, "shortlived", by=SYSTEM, clock=at(timedelta(days=2)))
    assert [t.status for t in listed] == [TokenStatus.EXPIRED]


def test_a_revoked_token_is_refused(session: Session, clock: Clock, issue: Issue) -> None:
    token = issue("holder")
    token_id = service.list_tokens(session, "holder", by=SYSTEM, clock=clock)[0].id
    holder = principal(session, token, clock)
    revoked = service.revoke_token(session, token_id, by=holder, clock=at(timedelta(minutes=5)))
    assert revoked.status is TokenStatus.REVOKED
    assert (revoked.revoked_by, revoked.revoked_at) == ("holder", FIXED_NOW + timedelta(minutes=5))
    with pytest.raises(AuthenticationRequired, match="revoked") as info:
        principal(session, token, clock)
    assert "吊销" in info.value.message_zh
    # Revoking again is harmless and keeps the first record.
    again = service.revoke_token(session, token_id, by=SYSTEM, clock=at(timedelta(days=1)))
    assert again.revoked_at == FIXED_NOW + timedelta(minutes=5)


def test_a_deactivated_users_token_is_refused_until_reactivated(
    session: Session, clock: Clock, issue: Issue
) -> None:
    token = issue("leaver", ZJ_DSJ)
    zj_admin = principal(session, issue("zj-admin", ZJ, "admin"), clock)
    user = service.set_user_active(session, "leaver", active=False, by=zj_admin, clock=clock)
    assert user.active is False
    row = session.get(User, "leaver")
    assert row is not None
    assert (row.updated_by, row.updated_for, row.updated_at) == ("zj-admin", ZJ_DSJ, FIXED_NOW)
    with pytest.raises(AuthenticationRequired, match="deactivated"):
        principal(session, token, clock)
    with pytest.raises(ConflictError, match="deactivated"):
        service.create_token(session, "leaver", days=1, by=SYSTEM, clock=clock)
    service.set_user_active(session, "leaver", active=True, by=SYSTEM, clock=clock)
    assert principal(session, token, clock).user == "leaver"


def test_only_admins_over_a_user_may_deactivate_them(
    session: Session, clock: Clock, issue: Issue
) -> None:
    issue("target", ZJ_DSJ)
    js_admin = principal(session, issue("js-admin", JS, "admin"), clock)
    with pytest.raises(PermissionDenied, match="target"):
        service.set_user_active(session, "target", active=False, by=js_admin, clock=clock)


def test_last_used_is_recorded_at_most_once_a_minute(
    session: Session, clock: Clock, issue: Issue
) -> None:
    token = issue("busy")

    def last_used() -> datetime | None:
        return service.list_tokens(session, "busy", by=SYSTEM, clock=clock)[0].last_used_at

    assert last_used() is None
    principal(session, token, clock)
    assert last_used() == FIXED_NOW
    principal(session, token, at(timedelta(seconds=59)))
    assert last_used() == FIXED_NOW
    principal(session, token, at(timedelta(minutes=1)))
    assert last_used() == FIXED_NOW + timedelta(minutes=1)


def test_tokens_are_personal_but_admins_over_the_owner_may_revoke_them(
    session: Session, clock: Clock, issue: Issue
) -> None:
    owner_token = issue("owner", ZJ_WJW)
    owner = principal(session, owner_token, clock)
    other = principal(session, issue("colleague", ZJ_WJW, "data_steward"), clock)
    js_admin = principal(session, issue("js-admin", JS, "admin"), clock)
    zj_admin = principal(session, issue("zj-admin", ZJ, "admin"), clock)
    with pytest.raises(PermissionDenied, match="personal"):
        service.create_token(session, "owner", days=1, by=zj_admin, clock=clock)
    token_id = service.list_tokens(session, "owner", by=owner, clock=clock)[0].id
    for who in (other, js_admin):
        with pytest.raises(PermissionDenied):
            service.list_tokens(session, "owner", by=who, clock=clock)
        with pytest.raises(PermissionDenied):
            service.revoke_token(session, token_id, by=who, clock=clock)
    revoked = service.revoke_token(session, token_id, by=zj_admin, clock=clock)
    assert (revoked.revoked_by, revoked.status) == ("zj-admin", TokenStatus.REVOKED)
    row = session.get(ApiToken, token_id)
    assert row is not None
    assert row.revoked_for == ZJ_WJW
    with pytest.raises(NotFoundError, match="999999"):
        service.revoke_token(session, 999999, by=zj_admin, clock=clock)


# --- audit columns ---------------------------------------------------------------------------


def test_every_write_records_who_for_whom_and_when(session: Session, issue: Issue) -> None:
    later = at(timedelta(hours=2))
    zj_admin = principal(session, issue("zj-admin", ZJ, "admin"), later)
    service.create_member(
        session, member_id=f"{ZJ}/SJJ", name_zh="数据局", name_en="Data", by=zj_admin, clock=later
    )
    service.create_user(
        session, username="staff", member_id=f"{ZJ}/SJJ", role="viewer", by=zj_admin, clock=later
    )
    service.grant_role(session, "staff", member_id=ZJ_DSJ, role="analyst", by=zj_admin, clock=later)
    staff = service.create_token(session, "staff", days=5, by=SYSTEM, clock=later)
    staff_principal = principal(session, staff.token, later)
    own = service.create_token(session, "staff", days=5, by=staff_principal, clock=later)
    service.revoke_token(session, own.id, by=staff_principal, clock=later)
    for model in (Member, User, RoleAssignment, ApiToken):
        for row in session.scalars(select(model)):
            assert row.created_by
            assert row.created_for
            assert isinstance(row.created_at, datetime)
            assert row.created_at.utcoffset() == timedelta(0)
    by_admin = [
        session.get(Member, f"{ZJ}/SJJ"),
        session.get(User, "staff"),
        *session.scalars(
            select(RoleAssignment)
            .where(RoleAssignment.username == "staff")
            .order_by(RoleAssignment.id)
        ),
    ]
    assert [(r.created_by, r.created_at) for r in by_admin if r is not None] == [
        ("zj-admin", FIXED_NOW + timedelta(hours=2))
    ] * 4
    assert [r.created_for for r in by_admin if r is not None] == [
        ZJ,
        f"{ZJ}/SJJ",
        f"{ZJ}/SJJ",
        ZJ_DSJ,
    ]
    own_row = session.get(ApiToken, own.id)
    assert own_row is not None
    assert (own_row.created_by, own_row.created_for) == ("staff", ZJ_DSJ)
    assert (own_row.revoked_by, own_row.revoked_for) == ("staff", ZJ_DSJ)


# --- property --------------------------------------------------------------------------------

_run = itertools.count()
URLSAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@settings(
    max_examples=15,
    deadline=None,
    # The examples share the test's rolled-back transaction; names are made unique per example.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    names=st.lists(st.from_regex(r"[a-z][a-z0-9]{1,8}", fullmatch=True), min_size=2, max_size=4),
    roles=st.lists(st.sampled_from(list(Role)), min_size=4, max_size=4),
    data=st.data(),
)
def test_a_token_authenticates_only_as_its_own_user(
    session: Session, clock: Clock, names: list[str], roles: list[Role], data: st.DataObject
) -> None:
    run = next(_run)
    owners: dict[str, tuple[str, Role]] = {}
    for i, name in enumerate(dict.fromkeys(names)):
        username = f"{name}-{run}-{i}"
        service.create_user(
            session, username=username, member_id=ZJ, role=roles[i], by=SYSTEM, clock=clock
        )
        token = service.create_token(session, username, days=1, by=SYSTEM, clock=clock).token
        owners[token] = (username, roles[i])
    for token, (username, role) in owners.items():
        who = principal(session, token, clock)
        assert who.user == username
        assert who.roles == {ZJ: frozenset({role})}
    # Anything else, including a token with one character changed, authenticates as nobody.
    victim = data.draw(st.sampled_from(sorted(owners)))
    position = data.draw(st.integers(min_value=0, max_value=len(victim) - 1))
    replacement = data.draw(st.sampled_from(URLSAFE))
    forged = data.draw(
        st.one_of(
            st.just(victim[:position] + replacement + victim[position + 1 :]),
            st.text(max_size=60),
        )
    )
    assume(forged not in owners)
    with pytest.raises(AuthenticationRequired):
        principal(session, forged, clock)
