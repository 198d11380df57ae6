"""Issuing health codes: colour now -> our claim set -> HC1 text signed by the jurisdiction -> QR.

The signing key is the one certified by the jurisdiction member's active document-signer
certificate (DSC) in the trust domain, and the COSE ``kid`` is that DSC's EU DCC key id (the first
8 bytes of SHA-256 over its DER), so any checkpoint finds the certificate in the credential trust
list and verifies offline. A member without a DSC cannot issue: the error says to run
`dyrd trust cert issue --member ...`. Each issuance is counted in ``healthcode_issuance`` (never
the text: the holder has it), with the trust key id that signed it.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dyrd import ledger, trust
from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.types import Role
from dyrd.healthcode.compute.claims import (
    DEFAULT_VALIDITY,
    MAX_QR_TEXT,
    CodeClaims,
    cwt_claims,
    issuer_of,
)
from dyrd.healthcode.errors import IssuanceUnavailable
from dyrd.healthcode.models import Issuance, Resident
from dyrd.healthcode.ports import CredentialCodec
from dyrd.healthcode.repository import HealthcodeRepository
from dyrd.healthcode.schemas import CodeRead, IssuanceCount
from dyrd.healthcode.service import audit
from dyrd.healthcode.service._common import acting, member_of, require_resident
from dyrd.healthcode.service.colours import _store_status, record_access, verdict_of
from dyrd.healthcode.service.rules import verified_rules
from dyrd.healthcode.types import ColourVerdict

COSE_ALGORITHMS = {"ES256": -7, "EdDSA": -8}
"""COSE algorithm numbers (RFC 9053) of the trust domain's key algorithms."""


def _encode(
    session: Session,
    resident: Resident,
    verdict: ColourVerdict,
    *,
    at: datetime,
    validity: timedelta,
    keystore: trust.KeyStore,
    codec: CredentialCodec | None,
    reason: str,
    actor: Actor,
) -> tuple[str, CodeClaims, str, ledger.NewEntry]:
    if codec is None:
        raise IssuanceUnavailable(
            "No credential codec is wired: codes cannot be issued.",
            "未配置凭证编码器，无法签发健康码。",
            hint="Build the app with dyrd.bootstrap.build_app.",
        )
    dsc = trust.document_signer(session, member_of(resident.jurisdiction), keystore=keystore, at=at)
    signer = dsc.signer
    code = CodeClaims(
        colour=verdict.colour,
        jurisdiction=resident.jurisdiction,
        initials=resident.initials,
        birth_year=resident.birth_year,
        id_hash_hex=resident.id_hash,
        rule_id=verdict.rule.rule_id,
        rule_version=verdict.rule.version,
        issued_at=at,
        expires_at=at + validity,
        negative_test_at=HealthcodeRepository(session).last_negative_test(resident.id, before=at),
    )
    text = codec.encode(
        cwt_claims(code, issuer=issuer_of(resident.jurisdiction)),
        sign=signer.sign,
        alg=COSE_ALGORITHMS[signer.algorithm],
        kid=dsc.kid,
    )
    if len(text) > MAX_QR_TEXT:  # a bug, not an input problem: the claim set is fixed-size
        raise IssuanceUnavailable(
            f"The code text has {len(text)} characters, more than {MAX_QR_TEXT}.",
            f"健康码文本超过 {MAX_QR_TEXT} 个字符。",
        )
    HealthcodeRepository(session).add(
        Issuance(
            resident_id=resident.id,
            jurisdiction=resident.jurisdiction,
            colour=verdict.colour.value,
            rule_id=verdict.rule.rule_id,
            rule_version=verdict.rule.version,
            issued_at=at,
            expires_at=code.expires_at,
            key_id=signer.key_id,
            chars=len(text),
            reason=reason,
            created_by="system" if reason == "reeval" else "api",
            created_for=member_of(resident.jurisdiction),
            created_at=at,
        )
    )
    entry = audit.issued_entry(
        resident_id=resident.id,
        jurisdiction=resident.jurisdiction,
        colour=verdict.colour.value,
        rule_id=verdict.rule.rule_id,
        rule_version=verdict.rule.version,
        kid=dsc.kid,
        reason=reason,
        actor=actor,
        at=at,
    )
    return text, code, signer.key_id, entry


def issue_code(
    session: Session,
    resident_id: str,
    *,
    principal: Principal,
    clock: Clock,
    keystore: trust.KeyStore,
    codec: CredentialCodec | None,
    validity: timedelta = DEFAULT_VALIDITY,
) -> CodeRead:
    """Evaluate the resident now and issue a signed code (data steward of their jurisdiction)."""
    repo = HealthcodeRepository(session)
    resident = require_resident(repo, resident_id)
    actor = acting(principal, Role.DATA_STEWARD, resident.jurisdiction)
    now = clock()
    verdict = verdict_of(session, resident_id, verified_rules(session), now)
    _store_status(repo, resident_id, verdict, now)
    text, code, key_id, entry = _encode(
        session, resident, verdict, at=now, validity=validity, keystore=keystore, codec=codec,
        reason="request", actor=actor,
    )  # fmt: skip
    record_access(session, resident_id, actor=actor, action="code.issue", at=now)
    audit.record_issued(session, [entry], clock=clock)
    session.commit()
    assert codec is not None  # noqa: S101  # _encode refused None
    return CodeRead(
        resident_id=resident_id,
        text=text,
        chars=len(text),
        colour=verdict.colour,
        jurisdiction=resident.jurisdiction,
        rule_id=verdict.rule.rule_id,
        rule_version=verdict.rule.version,
        issued_at=now,
        expires_at=code.expires_at,
        key_id=key_id,
        svg=codec.render(text, "svg").decode("utf-8"),
        png_base64=base64.b64encode(codec.render(text, "png")).decode("ascii"),
    )


def reissuer(
    *,
    keystore: trust.KeyStore,
    codec: CredentialCodec | None,
    validity: timedelta = DEFAULT_VALIDITY,
) -> Callable[[Session, list[str], datetime], int]:
    """A ``reissue`` callback for batch re-evaluation: new codes for changed residents."""

    def reissue(session: Session, resident_ids: list[str], at: datetime) -> int:
        rules = verified_rules(session)
        repo = HealthcodeRepository(session)
        entries = []
        for rid in resident_ids:
            resident = require_resident(repo, rid)
            verdict = verdict_of(session, rid, rules, at)
            *_, entry = _encode(
                session, resident, verdict, at=at, validity=validity, keystore=keystore,
                codec=codec, reason="reeval", actor=Actor.system(),
            )  # fmt: skip
            entries.append(entry)
        audit.record_issued(session, entries, clock=lambda: at)
        return len(resident_ids)

    return reissue


def issuance_counts(session: Session) -> list[IssuanceCount]:
    """Codes issued per jurisdiction and colour (public counts, no personal data)."""
    return [
        IssuanceCount(jurisdiction=j, colour=c, count=n)
        for j, c, n in HealthcodeRepository(session).issuance_counts()
    ]
