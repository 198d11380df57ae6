"""E-contracts: upload, sign with member keys, verify; tampering and revoked keys are invalid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from dyrd import ledger
from dyrd.core.actor import Actor
from dyrd.core.errors import PermissionDenied
from dyrd.market.compute import contract_report as cr
from dyrd.market.errors import MarketInputInvalid, SigningRefused
from dyrd.market.models import Contract, ContractSignature
from dyrd.market.service import contracts
from dyrd.trust import service as trust_service
from tests.fakes import InMemoryKeyStore
from tests.market.conftest import SH, SH_STEWARD, SH_VIEWER, ZJ, ZJ_STEWARD, MovableClock

TEXT = "采购合同 Purchase contract: 100 units at 12.50 CNY.\n".encode()


def _upload(session: Session, clock: MovableClock) -> str:
    row = contracts.upload_contract(
        session,
        title="Purchase 采购",
        media_type="text/plain",
        document=TEXT,
        parties=[SH, ZJ],
        principal=SH_STEWARD,
        clock=clock,
    )
    return row.id


def _sign_both(session: Session, keystore: InMemoryKeyStore, clock: MovableClock) -> str:
    cid = _upload(session, clock)
    clock.advance(timedelta(minutes=1))
    contracts.sign_contract(
        session, cid, party=SH, principal=SH_STEWARD, keystore=keystore, clock=clock
    )
    clock.advance(timedelta(minutes=1))
    contracts.sign_contract(
        session, cid, party=ZJ, principal=ZJ_STEWARD, keystore=keystore, clock=clock
    )
    return cid


def _failed(report: dict[str, object]) -> set[str]:
    checks = report["checks"]
    assert isinstance(checks, list)
    return {c["code"] for c in checks if c["outcome"] == "fail"}


def test_fully_signed_contract_verifies_and_each_signature_is_in_the_ledger(
    session: Session, keystore: InMemoryKeyStore, moving: MovableClock
) -> None:
    cid = _sign_both(session, keystore, moving)
    report = contracts.verify_contract(session, cid, clock=moving)
    assert report["valid"] is True, report["reasons"]
    assert report["missing_parties"] == []
    sigs = contracts.list_signatures(session, cid)
    assert [s.party for s in sigs] == [SH, ZJ]
    for sig in sigs:
        entry = ledger.service.get_entry(session, sig.ledger_seq)
        assert entry.kind == contracts.CONTRACT_SIGNED
        assert entry.timestamp == sig.signed_at
    # no signed checkpoint yet: time-stamp evidence pending, not failed
    outcomes = {c["outcome"] for c in report["checks"] if c["code"] == "signature.timestamp"}
    assert outcomes == {"pending"}


def test_a_signed_checkpoint_becomes_the_time_stamp_evidence(
    session: Session, keystore: InMemoryKeyStore, moving: MovableClock
) -> None:
    cid = _sign_both(session, keystore, moving)
    moving.advance(timedelta(minutes=5))
    signer = trust_service.region_signer(session, keystore=keystore, algorithm="ES256")
    head = ledger.sign_pending_head(session, signer=signer, clock=moving)
    assert head is not None
    session.commit()
    report = contracts.verify_contract(session, cid, clock=moving)
    stamps = [c for c in report["checks"] if c["code"] == "signature.timestamp"]
    assert {c["outcome"] for c in stamps} == {"pass"}
    assert all(head.timestamp.isoformat() in c["message"] for c in stamps)


def test_missing_party_makes_the_contract_not_yet_valid(
    session: Session, keystore: InMemoryKeyStore, moving: MovableClock
) -> None:
    cid = _upload(session, moving)
    contracts.sign_contract(
        session, cid, party=SH, principal=SH_STEWARD, keystore=keystore, clock=moving
    )
    report = contracts.verify_contract(session, cid, clock=moving)
    assert report["valid"] is False
    assert report["missing_parties"] == [ZJ]
    assert _failed(report) == {"parties.all_signed"}


def test_a_tampered_stored_document_is_reported_invalid(
    session: Session, keystore: InMemoryKeyStore, moving: MovableClock
) -> None:
    cid = _sign_both(session, keystore, moving)
    session.execute(
        update(Contract).where(Contract.id == cid).values(document=TEXT.replace(b"100", b"900"))
    )
    session.expire_all()
    report = contracts.verify_contract(session, cid, clock=moving)
    assert report["valid"] is False
    assert "document.unchanged" in _failed(report)
    assert any("篡改" in r for r in report["reasons_zh"])


def test_a_presented_copy_that_differs_is_not_the_signed_document(
    session: Session, keystore: InMemoryKeyStore, moving: MovableClock
) -> None:
    cid = _sign_both(session, keystore, moving)
    good = contracts.verify_contract(session, cid, clock=moving, presented=TEXT)
    assert good["valid"] is True
    bad = contracts.verify_contract(session, cid, clock=moving, presented=TEXT + b" ")
    assert _failed(bad) == {"document.presented"}


def test_a_key_revoked_before_signing_time_voids_the_signature(
    session: Session, keystore: InMemoryKeyStore, moving: MovableClock
) -> None:
    cid = _sign_both(session, keystore, moving)
    (zj_sig,) = [s for s in contracts.list_signatures(session, cid) if s.party == ZJ]
    moving.advance(timedelta(hours=1))
    trust_service.revoke_key(
        session,
        zj_sig.key_id,
        reason="key compromise",
        effective_at=zj_sig.signed_at - timedelta(seconds=1),
        by=Actor.system(),
        clock=moving,
    )
    report = contracts.verify_contract(session, cid, clock=moving)
    assert report["valid"] is False
    assert _failed(report) == {"signature.key_not_revoked", "signature.verifies"}
    assert any("revoked" in r for r in report["reasons"])


def test_a_revocation_after_signing_leaves_the_signature_valid(
    session: Session, keystore: InMemoryKeyStore, moving: MovableClock
) -> None:
    cid = _sign_both(session, keystore, moving)
    (zj_sig,) = [s for s in contracts.list_signatures(session, cid) if s.party == ZJ]
    moving.advance(timedelta(hours=1))
    trust_service.revoke_key(session, zj_sig.key_id, by=Actor.system(), clock=moving)
    assert contracts.verify_contract(session, cid, clock=moving)["valid"] is True


def test_a_changed_signature_row_fails_verification_and_the_ledger_cross_check(
    session: Session, keystore: InMemoryKeyStore, moving: MovableClock
) -> None:
    cid = _sign_both(session, keystore, moving)
    session.execute(
        update(ContractSignature)
        .where(ContractSignature.contract_id == cid, ContractSignature.party == SH)
        .values(signed_at=moving.now + timedelta(days=1))
    )
    session.expire_all()
    report = contracts.verify_contract(session, cid, clock=moving)
    assert {"signature.verifies", "signature.ledger"} <= _failed(report)


def test_signing_needs_the_signing_role_in_the_party(
    session: Session, keystore: InMemoryKeyStore, moving: MovableClock
) -> None:
    cid = _upload(session, moving)
    with pytest.raises(PermissionDenied):
        contracts.sign_contract(
            session, cid, party=SH, principal=SH_VIEWER, keystore=keystore, clock=moving
        )
    with pytest.raises(PermissionDenied):  # a Shanghai steward cannot sign for Zhejiang
        contracts.sign_contract(
            session, cid, party=ZJ, principal=SH_STEWARD, keystore=keystore, clock=moving
        )


def test_signing_twice_or_for_a_non_party_is_refused(
    session: Session, keystore: InMemoryKeyStore, moving: MovableClock
) -> None:
    cid = _upload(session, moving)
    contracts.sign_contract(
        session, cid, party=SH, principal=SH_STEWARD, keystore=keystore, clock=moving
    )
    with pytest.raises(SigningRefused, match="already signed"):
        contracts.sign_contract(
            session, cid, party=SH, principal=SH_STEWARD, keystore=keystore, clock=moving
        )
    with pytest.raises(SigningRefused, match="not a party"):
        contracts.sign_contract(
            session,
            cid,
            party="CN-YRD/GOV/340000",
            principal=SH_STEWARD,
            keystore=keystore,
            clock=moving,
        )


@pytest.mark.parametrize(
    ("media_type", "document", "parties"),
    [
        ("text/plain", b"", [SH]),
        ("application/pdf", b"not a pdf", [SH]),
        ("text/plain", b"\xff\xfe\x00bad", [SH]),
        ("image/png", b"x", [SH]),
        ("text/plain", b"ok", []),
        ("text/plain", b"ok", [SH, SH]),
        ("text/plain", b"ok", ["CN-YRD/GOV/999999"]),
    ],
)
def test_bad_uploads_are_refused(
    session: Session, moving: MovableClock, media_type: str, document: bytes, parties: list[str]
) -> None:
    with pytest.raises(MarketInputInvalid):
        contracts.upload_contract(
            session,
            title="t",
            media_type=media_type,
            document=document,
            parties=parties,
            principal=SH_STEWARD,
            clock=moving,
        )


def test_report_renders_as_bilingual_text_and_html(
    session: Session, keystore: InMemoryKeyStore, moving: MovableClock
) -> None:
    cid = _sign_both(session, keystore, moving)
    report = contracts.verify_contract(session, cid, clock=moving)
    text = cr.render_text(report)
    assert "VALID 有效" in text
    assert "电子合同验证报告" in text
    page = cr.render_html(report)
    assert "<script" not in page
    assert "http" not in page.replace("http-equiv", "")
    assert "Purchase 采购" in page
