"""Serving the signed credential trust list: full, or the changes since a version.

The list is a function of the change log (``trust_list_change``): the state at version V is
what the changes up to V leave. Documents are signed on request with the region's root key and
valid for ``validity`` (48 h by default), so a verifier that last synced within that window
works offline. The directory carries a pointer (version, digest, URL) so nodes learn of a new
version with their next directory poll.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError, NotFoundError
from dyrd.core.types import REGION_MEMBER_ID
from dyrd.trust.compute import trustlist as tl
from dyrd.trust.models import TrustCertificate, TrustListChange
from dyrd.trust.ports import KeyStore
from dyrd.trust.repository import CertificateRepository, TrustRepository
from dyrd.trust.schemas import TrustListInfo
from dyrd.trust.service._common import raise_if_any
from dyrd.trust.service.certificates import reconcile
from dyrd.trust.service.keys import root_key
from dyrd.trust.types import KeyAlgorithm, KeyStatus

log = logging.getLogger(__name__)

TRUST_LIST_PATH = "trust-list"
"""Where the trust list is, relative to the directory's URL (RFC 3986 §5.2): the directory at
``.../api/v1/trust/directory`` points at ``.../api/v1/trust/trust-list``."""

MAX_VALIDITY = timedelta(days=31)
"""Longest validity accepted, as for the directory."""


@dataclass(frozen=True, slots=True)
class SignedTrustList:
    """A signed trust-list document as served, and what it covers."""

    document: bytes
    version: int
    since: int | None

    @property
    def etag(self) -> str:
        """Weak entity tag: the same version and ``since`` mean the same content (re-signed)."""
        return (
            f'W/"dyrd-trust-list-{self.since if self.since is not None else "full"}-{self.version}"'
        )


def _entry(row: TrustCertificate, status: KeyStatus) -> tl.TrustListEntry:
    return tl.TrustListEntry(
        fingerprint=row.fingerprint,
        kid=base64.b64decode(row.kid),
        kind=tl.CertificateKind(row.kind),
        member_id=row.member_id,
        jurisdiction=row.jurisdiction_code,
        status=status,
        not_before=row.not_before,
        not_after=row.not_after,
        der=row.der,
    )


def _listed_entry(row: TrustCertificate) -> tl.TrustListEntry:
    # Listed rows are active or retired; a revoked row is never listed.
    return _entry(row, KeyStatus(row.status))


def _change(certs: CertificateRepository, change: TrustListChange) -> tl.TrustListChange:
    row = certs.certificate(change.fingerprint)
    assert row is not None  # noqa: S101  # a foreign key
    action = tl.ChangeAction(change.action)
    entry = None
    # Statuses only move active -> retired -> gone, so the action fixes the entry's status.
    if action is tl.ChangeAction.ADDED:
        entry = _entry(row, KeyStatus.ACTIVE)
    elif action is tl.ChangeAction.RETIRED:
        entry = _entry(row, KeyStatus.RETIRED)
    return tl.TrustListChange(
        version=change.version,
        action=action,
        fingerprint=change.fingerprint,
        at=change.created_at,
        entry=entry,
    )


def listed_entries(session: Session) -> list[tl.TrustListEntry]:
    """The trust list's entries as the table holds them now."""
    return [_listed_entry(r) for r in CertificateRepository(session).listed()]


def trust_list_version(session: Session) -> int:
    """The trust list's current version: it moves with every certificate added or removed."""
    return CertificateRepository(session).version()


def trust_list_info(session: Session) -> TrustListInfo:
    """Version, digest and counts of the trust list as it stands (read only)."""
    entries = listed_entries(session)
    return TrustListInfo(
        version=CertificateRepository(session).version(),
        entries_sha256=tl.entries_digest(entries),
        cscas=sum(1 for e in entries if e.kind is tl.CertificateKind.CSCA),
        dscs=sum(1 for e in entries if e.kind is tl.CertificateKind.DSC),
    )


def trust_list_pointer(session: Session) -> dict[str, Any] | None:
    """What the directory says about the trust list: version, digest, relative URL; None
    before the first certificate."""
    info = trust_list_info(session)
    if info.version == 0:
        return None
    return {
        "version": info.version,
        "entries_sha256": info.entries_sha256,
        "url": TRUST_LIST_PATH,
    }


def _validity_problem(validity: timedelta) -> None:
    if not timedelta(minutes=1) <= validity <= MAX_VALIDITY:
        raise_if_any(
            FieldError(
                "validity",
                f"A trust list is valid between one minute and {MAX_VALIDITY.days} days.",
                f"信任列表有效期须在 1 分钟至 {MAX_VALIDITY.days} 天之间。",
                str(validity),
            )
        )


def signed_trust_list(
    session: Session,
    *,
    since: int | None = None,
    keystore: KeyStore,
    clock: Clock,
    validity: timedelta = tl.DEFAULT_VALIDITY,
) -> SignedTrustList:
    """The trust list signed now: full without ``since``, else the changes after ``since``.

    Expiries and key-table changes are reconciled first (and committed), so the version served
    is current. ``since`` beyond the current version is refused (422): the caller holds a list
    this server never issued.
    """
    _validity_problem(validity)
    now = clock()
    if reconcile(session, at=now):
        session.commit()
    repo, certs = TrustRepository(session), CertificateRepository(session)
    version = certs.version()
    if since is not None and not 0 <= since <= version:
        raise_if_any(
            FieldError(
                "since",
                f"The trust list is at version {version}; 'since' must be between 0 and it. "
                "Fetch the full list (no 'since') and apply deltas from its version.",
                f"信任列表当前版本为 {version}，since 须在 0 与其之间；请先获取完整列表。",
                str(since),
            )
        )
    key = root_key(repo)
    if key is None:
        raise NotFoundError(
            f"The region {REGION_MEMBER_ID} has no root key, so there is no signed trust list.",
            f"区域 {REGION_MEMBER_ID} 尚无根密钥，因此没有签名信任列表。",
            hint="Run `dyrd key init` (after `dyrd member load`).",
        )
    issued_at = now.replace(microsecond=0)
    entries = listed_entries(session)
    if since is None:
        body = tl.full_payload(
            region=REGION_MEMBER_ID,
            version=version,
            issued_at=issued_at,
            expires_at=issued_at + validity,
            entries=entries,
        )
    else:
        body = tl.delta_payload(
            region=REGION_MEMBER_ID,
            since=since,
            version=version,
            issued_at=issued_at,
            expires_at=issued_at + validity,
            changes=[_change(certs, c) for c in certs.changes(after=since, upto=version)],
            entries_sha256=tl.entries_digest(entries),
        )
    document = tl.sign_document(
        body,
        key_id=key.kid,
        algorithm=KeyAlgorithm(key.algorithm),
        sign=lambda data: keystore.sign(key.kid, data),
    )
    return SignedTrustList(document=document, version=version, since=since)


LOCAL_VALIDITY = timedelta(minutes=5)
"""How long a trust list read from the local database is taken as current (the embedded
default re-reads the table after this, so a revoked DSC stops verifying within minutes)."""


def current_trust_list(
    session: Session, *, clock: Clock, validity: timedelta = LOCAL_VALIDITY
) -> tl.TrustList:
    """The trust list as this database holds it now, for a verifier on the same node (read only).

    What the embedded default verifies against instead of fetching its own signed document:
    the listed certificates whose ``not_after`` has not passed (expiries are left for the next
    reconciliation to record), valid for ``validity`` from now.
    """
    now = clock()
    entries = [e for e in listed_entries(session) if e.not_after > now]
    return tl.TrustList.of(
        region=REGION_MEMBER_ID,
        version=CertificateRepository(session).version(),
        issued_at=now,
        expires_at=now + validity,
        entries=entries,
    )
