"""Acceptance policies as data: parsing, effective dates, decisions, signatures."""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import NotFoundError
from dyrd.healthcode import service
from dyrd.healthcode.adapters.credential_codec import HcertCodec
from dyrd.healthcode.bundled import sample_policies
from dyrd.healthcode.compute import acceptance
from dyrd.healthcode.compute.claims import check_claim
from dyrd.healthcode.compute.ruleset import protected_header as rule_header
from dyrd.healthcode.schemas import ResidentCreate
from dyrd.healthcode.service import checkpoint
from dyrd.trust import kid_of
from dyrd.trust import service as trust_service
from tests.fakes import InMemoryKeyStore
from tests.healthcode.conftest import ZJ_STEWARD, id_number

AT = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def _data(colour: str, *, tested: datetime | None = None, issuer: str = "330000") -> Any:
    claim: dict[str, Any] = {"c": colour, "j": issuer}
    if tested is not None:
        claim["t"] = int(tested.timestamp())
    return acceptance.policy_data(
        claim, issued_at=AT.timestamp(), expires_at=AT.timestamp() + 86400,
        checkpoint="310000", at=AT,
    )  # fmt: skip


def test_samples_are_labelled_and_versioned() -> None:
    policies = sample_policies()
    assert {p.jurisdiction for p in policies} == {"310000", "320000", "330000", "340000"}
    assert all(p.sample for p in policies)
    assert all("示例" in p.description_zh and "Sample" in p.description_en for p in policies)
    sh_2020 = acceptance.in_force(policies, "310000", date(2020, 3, 1))
    sh_now = acceptance.in_force(policies, "310000", date(2026, 11, 26))
    assert sh_2020 is not None
    assert sh_now is not None
    assert (sh_2020.label, sh_now.label) == ("SH-ACC-001 v1", "SH-ACC-001 v2")
    assert acceptance.in_force(policies, "310000", date(2020, 1, 1)) is None  # before any


@pytest.mark.parametrize(
    ("colour", "tested", "accepted", "failed"),
    [
        ("green", None, True, None),
        ("red", None, False, 0),
        ("yellow", None, False, 1),
        ("yellow", datetime(2026, 11, 24, 8, 0, tzinfo=UTC), True, None),  # exactly 48 h
        ("yellow", datetime(2026, 11, 24, 7, 59, tzinfo=UTC), False, 1),
        ("purple", None, True, None),  # the schema step refuses unknown colours before this
    ],
)
def test_shanghai_decisions(
    colour: str, tested: datetime | None, accepted: bool, failed: int | None
) -> None:
    policy = acceptance.in_force(sample_policies(), "310000", AT.date())
    assert policy is not None
    decision = acceptance.decide(policy, _data(colour, tested=tested))
    assert (decision.accepted, decision.failed) == (accepted, failed)
    assert decision.reason_zh.endswith("(policy SH-ACC-001 v2)")


def test_policies_differ_by_jurisdiction() -> None:
    tested = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # 60 h before
    by = {p.jurisdiction: p for p in sample_policies() if p.in_force(AT.date())}
    outcomes = {
        j: acceptance.decide(p, _data("yellow", tested=tested)).accepted for j, p in by.items()
    }
    assert outcomes == {"310000": False, "320000": True, "330000": False, "340000": False}


def test_bad_documents_are_refused_with_every_problem() -> None:
    good = acceptance.policy_document(sample_policies()[0])
    policy, problems = acceptance.parse_policy(good)
    assert policy == sample_policies()[0]
    assert not problems
    bad = {
        **good,
        "id": "ZJ-ACC-001",  # another jurisdiction's prefix
        "version": 0,
        "valid_until": "2020-01-01",  # before valid_from
        "requirements": [{"logic": {"eval": "rm -rf"}, "reason_zh": "x", "reason_en": "y"}],
        "accept_zh": "{nobody}",
        "extra": 1,
    }
    policy, problems = acceptance.parse_policy(bad, location="p")
    assert policy is None
    where = {p.location.split("[")[0] for p in problems}
    assert {
        "p.id",
        "p.version",
        "p.valid_until",
        "p.requirements",
        "p.accept_zh",
        "p.extra",
    } <= where
    assert acceptance.parse_policy([])[0] is None


def test_claim_check_is_strict() -> None:
    ok = {"v": "1.0", "c": "green", "j": "330000", "n": "ZS", "y": 1985, "h": b"\0" * 16,
          "r": "ZJ-HC-009", "rv": 1}  # fmt: skip
    assert check_claim(ok)[0]
    assert check_claim({**ok, "t": 1_700_000_000})[0]
    for broken in (
        {**ok, "c": "purple"}, {**ok, "j": "110000"}, {**ok, "h": b"\0" * 8}, {**ok, "v": "2.0"},
        {**ok, "y": True}, {**ok, "t": "yesterday"}, {k: v for k, v in ok.items() if k != "r"},
        "not a map",
    ):  # fmt: skip
        passed, reason, reason_zh = check_claim(broken)
        assert not passed
        assert reason
        assert reason_zh


def test_signed_policies_verify_only_as_signed(
    session: Session, clock: Clock, keystore: InMemoryKeyStore
) -> None:
    book = checkpoint.load_sample_policies(session, keystore=keystore, clock=clock)
    held = book.policies()
    assert len(held) == len(sample_policies())
    one = held[0]
    assert checkpoint.verify_policy(session, one)
    # A changed document, another jurisdiction's signer, or a colour rule's typ: refused.
    changed = dict(one.document, accept_zh="接受一切")
    assert not checkpoint.verify_policy(session, dataclasses.replace(one, document=changed))
    assert not checkpoint.verify_policy(
        session, dataclasses.replace(one, signed_by="CN-YRD/GOV/320000")
    )
    as_rule = rule_header(key_id=one.key_id, algorithm="ES256")
    assert not checkpoint.verify_policy(session, dataclasses.replace(one, protected=as_rule))
    # A node without a jurisdiction's key signs only the policies it can.
    sh_only = checkpoint.load_sample_policies(
        session, keystore=InMemoryKeyStore(), clock=clock, jurisdictions=["310000"]
    )
    assert sh_only.policies() == ()
    assert sh_only.in_force("310000", AT.date()) is None


def test_issuing_needs_an_active_dsc_and_says_how_to_get_one(
    session: Session, clock: Clock, keystore: InMemoryKeyStore
) -> None:
    zj = "CN-YRD/GOV/330000"
    signer = trust_service.document_signer(session, zj, keystore=keystore, at=clock())
    (dsc,) = [
        c for c in trust_service.list_certificates(session, zj, kind="dsc") if c.status == "active"
    ]
    assert signer.kid == base64.b64decode(dsc.kid)
    assert signer.kid == kid_of(base64.b64decode(dsc.der))  # the EU DCC rule
    assert signer.signer.key_id == dsc.key_id
    trust_service.revoke_certificate(session, dsc.fingerprint, by=Actor.system(), clock=clock)
    resident = service.register_resident(
        session,
        ResidentCreate(
            id_number=id_number("33010619850101001"), initials="ZS", jurisdiction="330000"
        ),
        principal=ZJ_STEWARD,
        clock=clock,
        secret=lambda: b"policy-secret" * 3,
    )
    with pytest.raises(NotFoundError) as refused:
        service.issue_code(
            session, resident.id, principal=ZJ_STEWARD, clock=clock, keystore=keystore,
            codec=HcertCodec(),
        )  # fmt: skip
    assert f"dyrd trust cert issue --member {zj}" in (refused.value.hint or "")
    assert "签名证书" in refused.value.message_zh
