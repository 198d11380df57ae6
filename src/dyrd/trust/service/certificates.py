"""Credential certificates: the region CSCA and members' document-signer certificates (DSCs).

The region's root key is the trust anchor: it is the CSCA's key, and it signs every DSC and the
trust list. A DSC certifies a member's signing key (only its public half is needed, so keys of
federated nodes qualify). Issuing a new DSC for a member and algorithm retires the old one,
which stays on the trust list until its ``not_after`` so the codes it signed keep verifying;
revoking removes a certificate from the list at once.

The key table leads: when a certified key is rotated (``dyrd key rotate``) its DSC is retired,
when it is revoked its DSC is revoked, at the next reconciliation (every issue, revocation and
trust-list request). Audit: the trust domain may not import the ledger (import-linter's
independence contract), so, like key events, certificate events go to the structured log.
"""

from __future__ import annotations

import base64
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.trust.compute import jose
from dyrd.trust.compute import x509 as certs_x509
from dyrd.trust.compute.trustlist import CertificateKind, ChangeAction
from dyrd.trust.models import Member, TrustCertificate, TrustKey
from dyrd.trust.ports import KeyStore
from dyrd.trust.repository import CertificateRepository, TrustRepository
from dyrd.trust.schemas import (
    MAX_CERTIFICATE_DAYS,
    CertificateRead,
    CertificateRotation,
)
from dyrd.trust.service._common import (
    Caller,
    acting,
    member_id_problem,
    member_not_found,
    raise_if_any,
    require_member,
    text_problem,
)
from dyrd.trust.service.keys import root_key
from dyrd.trust.service.signing import KeySigner
from dyrd.trust.types import KeyAlgorithm, KeyStatus

log = logging.getLogger(__name__)

DEFAULT_USAGES = (certs_x509.CredentialUsage.HEALTH_CODE,)
"""What a DSC may sign unless told otherwise: YRD health codes."""

_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
_KID_B64 = re.compile(r"^[A-Za-z0-9+/]{11}=$")


def kid_text(kid: bytes) -> str:
    """A DCC kid as trust lists and the table write it: standard base64 of its 8 bytes."""
    return base64.b64encode(kid).decode("ascii")


def certificate_read(row: TrustCertificate) -> CertificateRead:
    """The listed form of a certificate row."""
    info = certs_x509.read_certificate(row.der)
    return CertificateRead(
        fingerprint=row.fingerprint,
        kid=row.kid,
        kind=row.kind,
        member_id=row.member_id,
        jurisdiction_code=row.jurisdiction_code,
        key_id=row.key_id,
        algorithm=KeyAlgorithm(row.algorithm),
        status=KeyStatus(row.status),
        subject=info.subject,
        not_before=row.not_before,
        not_after=row.not_after,
        retired_at=row.retired_at,
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
        revocation_reason=row.revocation_reason,
        listed=row.removed_in is None,
        der=base64.b64encode(row.der).decode("ascii"),
        created_by=row.created_by,
        created_for=row.created_for,
        created_at=row.created_at,
    )


def _serial() -> int:
    # 127 random bits, never 0: unique per issuer with overwhelming probability (RFC 5280
    # §4.1.2.2 allows 20 octets; CA/Browser Forum BR §7.1 asks for at least 64 random bits).
    return secrets.randbits(127) | 1


def _row(
    der: bytes,
    *,
    kind: CertificateKind,
    member: Member,
    key: TrustKey,
    actor: Actor,
    at: datetime,
) -> TrustCertificate:
    info = certs_x509.read_certificate(der)
    return TrustCertificate(
        fingerprint=info.fingerprint,
        kid=kid_text(info.kid),
        kind=kind.value,
        member_id=member.id,
        jurisdiction_code=member.jurisdiction_code,
        key_id=key.kid,
        algorithm=key.algorithm,
        der=der,
        not_before=info.not_before,
        not_after=info.not_after,
        status=KeyStatus.ACTIVE.value,
        created_by=actor.user,
        created_for=actor.member,
        created_at=at,
    )


def _change(
    certs: CertificateRepository,
    row: TrustCertificate,
    action: ChangeAction,
    *,
    actor: Actor,
    at: datetime,
) -> None:
    change = certs.add_change(row.fingerprint, action.value, actor=actor, at=at)
    if action in {ChangeAction.REVOKED, ChangeAction.EXPIRED}:
        row.removed_in = change.version
    extra = {
        "fingerprint": row.fingerprint,
        "kid": row.kid,
        "member": row.member_id,
        "trust_list_version": change.version,
    }
    log.info("certificate %s %s", row.kid, action.value, extra=extra)


def _retire(
    certs: CertificateRepository, row: TrustCertificate, *, actor: Actor, at: datetime
) -> None:
    row.status = KeyStatus.RETIRED.value
    row.retired_at = at
    _change(certs, row, ChangeAction.RETIRED, actor=actor, at=at)


def _revoke(
    certs: CertificateRepository,
    row: TrustCertificate,
    *,
    reason: str,
    actor: Actor,
    at: datetime,
) -> None:
    row.status = KeyStatus.REVOKED.value
    row.stamp_revoked(actor, at)
    row.revocation_reason = reason
    if row.removed_in is None:
        _change(certs, row, ChangeAction.REVOKED, actor=actor, at=at)


def _revoke_cascading(
    certs: CertificateRepository,
    row: TrustCertificate,
    *,
    reason: str,
    actor: Actor,
    at: datetime,
) -> None:
    """Revoke ``row``; a CSCA takes every listed DSC it issued with it."""
    if row.kind == CertificateKind.CSCA.value:
        for dsc in certs.listed():
            if dsc.kind != CertificateKind.DSC.value:
                continue
            try:
                certs_x509.verify_dsc(dsc.der, row.der)
            except certs_x509.X509Rejected:
                continue
            _revoke(certs, dsc, reason=f"CSCA revoked: {reason}"[:256], actor=actor, at=at)
    _revoke(certs, row, reason=reason, actor=actor, at=at)


def reconcile(session: Session, *, at: datetime) -> int:
    """Bring listed certificates in line with time and the key table; return the changes made.

    Expired certificates leave the list; a DSC whose key was retired is retired, one whose key
    was revoked is revoked. Flushes; the caller commits.
    """
    repo, certs = TrustRepository(session), CertificateRepository(session)
    actor = Actor.system()
    before = certs.version()
    for row in certs.listed():
        key = repo.key(row.key_id)
        if row.removed_in is not None:
            continue  # removed above, with the CSCA that issued it
        if key is not None and key.status == KeyStatus.REVOKED.value:
            _revoke_cascading(certs, row, reason="key revoked", actor=actor, at=at)
        elif row.not_after <= at:
            _change(certs, row, ChangeAction.EXPIRED, actor=actor, at=at)
        elif (
            row.kind == CertificateKind.DSC.value
            and row.status == KeyStatus.ACTIVE.value
            and key is not None
            and key.status == KeyStatus.RETIRED.value
        ):
            _retire(certs, row, actor=actor, at=at)
    return certs.version() - before


def _root_or_404(repo: TrustRepository) -> TrustKey:
    key = root_key(repo)
    if key is None:
        raise NotFoundError(
            f"The region {REGION_MEMBER_ID} has no root key to act as the trust anchor.",
            f"区域 {REGION_MEMBER_ID} 尚无根密钥，无法作为信任锚。",
            hint="Run `dyrd key init` (after `dyrd member load`).",
        )
    return key


def ensure_csca(
    session: Session, *, keystore: KeyStore, actor: Actor, at: datetime
) -> TrustCertificate:
    """The active CSCA of the region's current root key, issuing one if there is none.

    After a root key rotation the old CSCA is retired (still listed, so the DSCs it issued keep
    chaining until they expire) and a new one is issued. Flushes; the caller commits.
    """
    repo, certs = TrustRepository(session), CertificateRepository(session)
    root = _root_or_404(repo)
    current = None
    for row in certs.certificates(member_id=REGION_MEMBER_ID, kind=CertificateKind.CSCA.value):
        if row.status != KeyStatus.ACTIVE.value:
            continue
        # Renewed once it could no longer cover a full-length DSC (DSCs are clipped to it).
        if row.key_id == root.kid and row.not_after >= at + certs_x509.DSC_VALIDITY:
            current = row
        else:
            _retire(certs, row, actor=actor, at=at)
    if current is not None:
        return current
    region = repo.member(REGION_MEMBER_ID)
    if region is None:  # pragma: no cover  # root_key found a key of this member
        raise member_not_found(REGION_MEMBER_ID)
    algorithm = KeyAlgorithm(root.algorithm)
    start = at.replace(microsecond=0)
    der = certs_x509.build_csca(
        spki_der=jose.spki_of_jwk(root.public_jwk),
        algorithm=algorithm,
        subject=certs_x509.Subject(
            common_name=f"{region.name_en} Health Credential CSCA",
            organization=REGION_MEMBER_ID,
        ),
        serial=_serial(),
        not_before=start,
        not_after=start + certs_x509.CSCA_VALIDITY,
        sign=lambda data: keystore.sign(root.kid, data),
    )
    row = certs.add(
        _row(der, kind=CertificateKind.CSCA, member=region, key=root, actor=actor, at=at)
    )
    _change(certs, row, ChangeAction.ADDED, actor=actor, at=at)
    return row


def _member_key(repo: TrustRepository, member: Member, key_id: str | None) -> TrustKey:
    if key_id is None:
        key = repo.active_key(member.id, KeyAlgorithm.ES256.value)
        if key is None:
            raise NotFoundError(
                f"Member {member.id!r} has no active ES256 key to certify.",
                f"成员 {member.id} 没有可签发证书的有效 ES256 密钥。",
                hint=f"Create one with `dyrd key create {member.id} --alg ES256`, or name a "
                "key with --key.",
            )
        return key
    key = repo.key(key_id) if jose.is_key_id(key_id) else None
    if key is None or key.member_id != member.id:
        raise NotFoundError(
            f"Member {member.id!r} has no key {key_id!r}.",
            f"成员 {member.id} 没有密钥 {key_id}。",
            hint=f"List its keys with `dyrd key list {member.id}`.",
        )
    if key.status != KeyStatus.ACTIVE.value:
        raise ConflictError(
            f"Key {key_id} is {key.status}; only an active key gets a certificate.",
            f"密钥 {key_id} 状态为 {key.status}，只有有效密钥可签发证书。",
            hint=f"Rotate the member's key with `dyrd key rotate {member.id} --alg "
            f"{key.algorithm}` and certify the new one.",
        )
    return key


def issue_certificate(
    session: Session,
    member_id: str,
    *,
    key_id: str | None = None,
    days: int | None = None,
    usages: Sequence[certs_x509.CredentialUsage] = DEFAULT_USAGES,
    keystore: KeyStore,
    by: Caller,
    clock: Clock,
) -> CertificateRotation:
    """Issue a DSC for a member's key, signed by the region CSCA; needs the region's admin.

    The member's previous active DSC for the same algorithm is retired, not revoked.
    """
    repo, certs = TrustRepository(session), CertificateRepository(session)
    problems: list[FieldError | None] = [member_id_problem(member_id, "member_id")]
    if days is not None and not 1 <= days <= MAX_CERTIFICATE_DAYS:
        problems.append(
            FieldError(
                "days",
                f"A DSC is valid between 1 and {MAX_CERTIFICATE_DAYS} days.",
                f"DSC 有效期须在 1 至 {MAX_CERTIFICATE_DAYS} 天之间。",
                str(days),
            )
        )
    if not usages:
        problems.append(FieldError("usages", "Name at least one usage.", "至少指定一种用途。"))
    raise_if_any(*problems)
    require_member(repo, member_id)
    member = repo.member(member_id)
    assert member is not None  # noqa: S101  # checked just above
    if member.jurisdiction_code is None:
        raise ValidationFailed(
            f"{member_id} is the region itself; its root key is the CSCA, not a document signer.",
            f"{member_id} 是区域本身，其根密钥即 CSCA，不签发健康码。",
            hint="Issue DSCs to jurisdictions or departments, e.g. CN-YRD/GOV/330000.",
        )
    actor = acting(by, Role.ADMIN, REGION_MEMBER_ID)
    key = _member_key(repo, member, key_id)
    now = clock()
    reconcile(session, at=now)
    csca = ensure_csca(session, keystore=keystore, actor=actor, at=now)
    old = certs.active(member_id, CertificateKind.DSC.value, key.algorithm)
    if old is not None:
        # Retire first: the database allows one active DSC per member and algorithm. One that
        # has just expired left the list above, so it changes status without a list change
        # (a second change for a removed entry would make verifiers' copies diverge).
        if old.removed_in is None:
            _retire(certs, old, actor=actor, at=now)
        else:
            old.status = KeyStatus.RETIRED.value
            old.retired_at = now
    start = now.replace(microsecond=0)
    validity = certs_x509.DSC_VALIDITY if days is None else timedelta(days=days)
    csca_key = repo.key(csca.key_id)
    assert csca_key is not None  # noqa: S101  # a foreign key
    der = certs_x509.build_dsc(
        spki_der=jose.spki_of_jwk(key.public_jwk),
        subject=certs_x509.Subject(
            common_name=f"{member.name_en} DSC",
            organization=member.id,
            organizational_unit=member.jurisdiction_code,
        ),
        usages=usages,
        serial=_serial(),
        not_before=start,
        not_after=start + validity,
        csca_der=csca.der,
        csca_algorithm=KeyAlgorithm(csca.algorithm),
        sign=lambda data: keystore.sign(csca_key.kid, data),
    )
    row = certs.add(
        _row(der, kind=CertificateKind.DSC, member=member, key=key, actor=actor, at=now)
    )
    _change(certs, row, ChangeAction.ADDED, actor=actor, at=now)
    session.commit()
    return CertificateRotation(
        active=certificate_read(row), retired=None if old is None else certificate_read(old)
    )


def find_certificate(session: Session, ref: str) -> TrustCertificate:
    """A certificate by SHA-256 fingerprint (hex) or DCC kid (base64); 404 or 409 if ambiguous."""
    certs = CertificateRepository(session)
    text = ref.strip()
    if _FINGERPRINT.fullmatch(text.lower()):
        row = certs.certificate(text.lower())
        rows = [] if row is None else [row]
    elif _KID_B64.fullmatch(text):
        rows = certs.with_kid(text)
    else:
        raise_if_any(
            FieldError(
                "certificate",
                "Name a certificate by its SHA-256 fingerprint (64 hex digits) or its kid "
                "(12 base64 characters).",
                "请用证书的 SHA-256 指纹（64 位十六进制）或 kid（12 位 base64）指明证书。",
                text[:80],
            )
        )
        rows = []
    if not rows:
        raise NotFoundError(
            f"No certificate {text!r}.",
            f"没有证书 {text}。",
            hint="List certificates with `dyrd trust cert list` or GET /api/v1/trust/certificates.",
        )
    if len(rows) > 1:
        raise ConflictError(
            f"Several certificates share kid {text}.",
            f"多个证书的 kid 均为 {text}。",
            hint="Name it by its fingerprint instead.",
        )
    return rows[0]


def revoke_certificate(
    session: Session, ref: str, *, reason: str = "", by: Caller, clock: Clock
) -> CertificateRead:
    """Revoke a certificate: it leaves the trust list and nothing it signed verifies.

    Needs the admin role in the certificate's member (a region admin covers all). Revoking the
    CSCA revokes every listed DSC it issued. Revoking again changes nothing.
    """
    raise_if_any(text_problem(reason, "reason", 256, required=False))
    row = find_certificate(session, ref)
    actor = acting(by, Role.ADMIN, row.member_id)
    if row.status == KeyStatus.REVOKED.value:
        return certificate_read(row)
    certs, now = CertificateRepository(session), clock()
    reconcile(session, at=now)
    if row.status == KeyStatus.REVOKED.value:  # its key had been revoked: reconciled just now
        session.commit()
        return certificate_read(row)
    why = reason.strip() or "unspecified"
    _revoke_cascading(certs, row, reason=why, actor=actor, at=now)
    session.commit()
    log.warning(
        "certificate %s revoked",
        row.kid,
        extra={"fingerprint": row.fingerprint, "member": row.member_id, "reason": why},
    )
    return certificate_read(row)


def list_certificates(
    session: Session, member_id: str | None = None, *, kind: str | None = None
) -> list[CertificateRead]:
    """Certificates with status and validity; all, or one member's; all kinds or one."""
    if member_id is not None:
        raise_if_any(member_id_problem(member_id, "member_id"))
        require_member(TrustRepository(session), member_id)
    if kind is not None and kind not in set(CertificateKind):
        raise_if_any(FieldError("kind", "Choose csca or dsc.", "类别可选 csca 或 dsc。", kind[:20]))
    rows = CertificateRepository(session).certificates(member_id=member_id, kind=kind)
    return [certificate_read(r) for r in rows]


@dataclass(frozen=True, slots=True)
class DocumentSigner:
    """A member's signer for credentials: its active DSC's key, and that DSC's DCC kid."""

    signer: KeySigner
    kid: bytes
    """First 8 bytes of SHA-256 over the DSC's DER (EU DCC), what the COSE ``kid`` carries."""
    fingerprint: str


def document_signer(
    session: Session,
    member_id: str,
    *,
    keystore: KeyStore,
    at: datetime,
    algorithm: str = "ES256",
) -> DocumentSigner:
    """The signer a member issues credentials with: the key certified by its active DSC.

    Verifiers find the DSC by its kid in the trust list, so a member without an active,
    unexpired DSC on an active key cannot issue (404, telling the operator what to run).
    """
    repo, certs = TrustRepository(session), CertificateRepository(session)
    raise_if_any(member_id_problem(member_id, "member_id"))
    require_member(repo, member_id)
    row = certs.active(member_id, CertificateKind.DSC.value, algorithm)
    key = None if row is None else repo.key(row.key_id)
    if (
        row is None
        or row.removed_in is not None
        or key is None
        or key.status != KeyStatus.ACTIVE.value
        or not row.not_before <= at < row.not_after
    ):
        raise NotFoundError(
            f"Member {member_id!r} has no active {algorithm} document-signer certificate "
            "(DSC), so verifiers could not find its codes' key.",
            f"成员 {member_id} 没有有效的 {algorithm} 签名证书（DSC），验证方无法识别其签发的码。",
            hint=f"Run `dyrd trust cert issue --member {member_id}` (after `dyrd key init`).",
        )
    return DocumentSigner(
        signer=KeySigner(keystore, key.kid, KeyAlgorithm(key.algorithm)),
        kid=base64.b64decode(row.kid),
        fingerprint=row.fingerprint,
    )
