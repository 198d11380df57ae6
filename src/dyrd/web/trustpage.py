"""Page model of the credential trust list and revocation status.

Everything shown is public: the trust list (version, digest, CSCA and DSCs with kid, validity and
status) as ``GET /api/v1/trust/trust-list`` serves it, and each issuer's revocation list in brief
(version, standing count, partitions) as ``GET /api/v1/credential/revocation`` serves it. Reasons
and who revoked stay on the issuer's node. A federated node also shows its sync of other
issuers' lists; an embedded node checks the local lists directly and says so.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from dyrd import trust
from dyrd.core.clock import Clock
from dyrd.core.errors import DyrdError
from dyrd.credential.service import revocation
from dyrd.trust import service as trust_service
from dyrd.trust.schemas import CertificateRead
from dyrd.web.common import Kpi, local_date, local_time
from dyrd.web.healthcodepage import jurisdiction_name
from dyrd.web.i18n import Lang, t

PATH = "/healthcode/trust"


@dataclass(frozen=True, slots=True)
class CertificateRow:
    """One certificate of the trust list (or one that left it)."""

    kind: str
    jurisdiction: str
    member: str
    kid_hex: str
    algorithm: str
    not_before: str
    not_after: str
    status: str
    status_label: str
    listed: bool
    subject: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class RevocationRow:
    """One issuer's revocation list in brief."""

    issuer: str
    version: int
    standing: int
    partitions: str
    updated: str


@dataclass(frozen=True, slots=True)
class SyncRow:
    """This node's copy of one issuer's list."""

    issuer: str
    version: int
    entries: int
    last_success: str
    last_error: str
    ignored_foreign: int
    """Entries not honoured: the trust list does not give their kid to this issuer."""


@dataclass(frozen=True, slots=True)
class SyncView:
    """This node's revocation sync (None on an embedded node)."""

    state: str
    state_label: str
    interval: str
    issuers: tuple[SyncRow, ...]
    ignored_foreign: int


@dataclass(frozen=True, slots=True)
class TrustListCopy:
    """A federated node's synced copy of the signed trust list (None on an embedded node)."""

    state: str
    version: str
    expires_at: str
    last_success: str
    last_error: str


@dataclass(frozen=True, slots=True)
class TrustPage:
    """Everything the trust-list and revocation page shows."""

    kpis: tuple[Kpi, ...]
    version: int
    digest: str
    cscas: tuple[CertificateRow, ...]
    dscs: tuple[CertificateRow, ...]
    revocations: tuple[RevocationRow, ...]
    sync: SyncView | None
    copy: TrustListCopy | None


def kid_hex(kid_b64: str) -> str:
    """A DCC kid as the table writes it (standard base64 of 8 bytes) in hex."""
    try:
        return base64.b64decode(kid_b64, validate=True).hex()
    except ValueError:
        return kid_b64


def _row(c: CertificateRead, lang: Lang) -> CertificateRow:
    status = c.status.value
    return CertificateRow(
        kind=c.kind,
        jurisdiction=jurisdiction_name(c.jurisdiction_code, lang) if c.jurisdiction_code else "",
        member=c.member_id,
        kid_hex=kid_hex(c.kid),
        algorithm=c.algorithm.value,
        not_before=local_date(c.not_before),
        not_after=local_date(c.not_after),
        status=status,
        status_label=t(f"status.{status}", lang),
        listed=c.listed,
        subject=c.subject,
        fingerprint=c.fingerprint,
    )


def _partitions(
    session: Session, issuer: str, *, keystore: trust.KeyStore | None, clock: Clock
) -> str:
    """How many partitions the issuer's full list has, from the document the node serves."""
    if keystore is None:
        return "—"
    try:
        signed = revocation.revocation_document(
            session, issuer, since=0, keystore=keystore, clock=clock
        )
    except DyrdError:  # no active key for the issuer, member gone: the page still renders
        return "—"
    return str(signed.partitions)


def _sync(client: Any, lang: Lang) -> SyncView | None:
    if client is None:
        return None
    status = client.status()
    rows = tuple(
        SyncRow(
            issuer=i.issuer,
            version=i.version,
            entries=i.entries,
            last_success=local_time(i.last_success_at, seconds=True),
            last_error=i.last_error or "",
            ignored_foreign=int(getattr(i, "ignored_foreign", 0) or 0),
        )
        for i in status.issuers
    )
    return SyncView(
        state=status.state,
        state_label=t(f"sync.{status.state}", lang)
        if status.state in ("fresh", "stale", "empty")
        else status.state,
        interval=f"{status.interval:g}",
        issuers=rows,
        ignored_foreign=sum(r.ignored_foreign for r in rows),
    )


def _copy(holder: Any) -> TrustListCopy | None:
    """The synced copy's status when ``holder`` is a trust-list client (it has ``status()``)."""
    status = getattr(holder, "status", None)
    if not callable(status):
        return None  # the embedded node reads its own certificate table: nothing to sync
    s = status()
    return TrustListCopy(
        state=str(getattr(s.state, "value", s.state)),
        version=str(s.version) if s.version is not None else "—",
        expires_at=local_time(s.expires_at, seconds=True),
        last_success=local_time(s.last_success_at, seconds=True),
        last_error=s.last_error or "",
    )


def trust_page(
    session: Session,
    *,
    lang: Lang,
    clock: Clock,
    keystore: trust.KeyStore | None,
    sync_client: Any = None,
    trust_list: Any = None,
) -> TrustPage:
    """Trust-list version, CSCA and DSCs; revocation lists per issuer; this node's syncs.

    ``sync_client``: the revocation client of a federated node; ``trust_list``: the trust list
    the node's checkpoints verify against (a client with ``status()`` when it is a synced copy).
    """
    info = trust_service.trust_list_info(session)
    certs = [_row(c, lang) for c in trust.list_certificates(session)]
    order = {"active": 0, "retired": 1, "revoked": 2}
    certs.sort(key=lambda r: (r.member, order.get(r.status, 3), r.not_after))
    cscas = tuple(r for r in certs if r.kind == "csca")
    dscs = tuple(r for r in certs if r.kind != "csca")
    lists = revocation.list_status(session)
    rows = tuple(
        RevocationRow(
            issuer=r.issuer_member,
            version=r.version,
            standing=r.standing,
            partitions=_partitions(session, r.issuer_member, keystore=keystore, clock=clock),
            updated=local_time(r.updated_at, seconds=True),
        )
        for r in lists
    )
    kpis = (
        Kpi(
            label=t("tl.version", lang),
            value=str(info.version) if info.version else "—",
            note="" if info.version else t("tl.version.none", lang),
        ),
        Kpi(label=t("tl.cscas", lang), value=str(info.cscas), note=t("tl.listed", lang)),
        Kpi(label=t("tl.dscs", lang), value=str(info.dscs), note=t("tl.listed", lang)),
        Kpi(label=t("rv.col.standing", lang), value=str(sum(r.standing for r in rows))),
    )
    return TrustPage(
        kpis=kpis,
        version=info.version,
        digest=info.entries_sha256,
        cscas=cscas,
        dscs=dscs,
        revocations=rows,
        sync=_sync(sync_client, lang),
        copy=_copy(trust_list),
    )
