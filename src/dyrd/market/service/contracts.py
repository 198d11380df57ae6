"""E-contracts: upload, sign with trust-certified member keys, verify (issue 8 item 1).

Parties are trust-domain members, and a party signs with its member key (the trust domain has
no per-user keys): the user who signs must hold the ``data_steward`` role (or higher) in that
member at signing time, which is what "authorised" means here; the role held is recorded with the
signature and in the ledger. The signature covers ``contract_report.signing_payload`` (contract
id, document SHA-256, party, signer, time). Each signature is appended to the audit ledger in the
same transaction, with the platform clock's time as the entry time; a signed checkpoint of the
ledger covering it is the time-stamp evidence.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dyrd import ledger, trust
from dyrd.core.auth import Principal
from dyrd.core.b64 import b64url
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError, NotFoundError
from dyrd.core.types import Role
from dyrd.ledger.service import get_entry
from dyrd.market.compute import contract_report as cr
from dyrd.market.errors import MarketInputInvalid, MarketNotFound, SigningRefused
from dyrd.market.models import Contract, ContractSignature
from dyrd.market.repository import MarketRepository
from dyrd.market.schemas import ContractRead, SignatureRead
from dyrd.trust.service import get_key

CONTRACT_UPLOADED = "market.contract.uploaded"
CONTRACT_SIGNED = "market.contract.signed"

SIGNING_ROLE = Role.DATA_STEWARD
"""The role in a member that authorises signing contracts for it."""

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
"""Platform limit on an uploaded contract (10 MiB)."""

MEDIA_TYPES = ("application/pdf", "text/plain")
MAX_PARTIES = 20


def _invalid(*errors: FieldError) -> MarketInputInvalid:
    return MarketInputInvalid(
        "The contract request has invalid fields.",
        "合同请求包含无效字段。",
        errors=list(errors),
    )


def _document_problems(media_type: str, document: bytes) -> list[FieldError]:
    out: list[FieldError] = []
    if media_type not in MEDIA_TYPES:
        out.append(
            FieldError(
                "media_type",
                f"Upload a PDF or plain text ({', '.join(MEDIA_TYPES)}).",
                "仅支持 PDF 或纯文本合同。",
                media_type,
            )
        )
    if not document:
        out.append(FieldError("document", "The document is empty.", "合同文件为空。"))
    elif len(document) > MAX_DOCUMENT_BYTES:
        out.append(
            FieldError("document", "The document is larger than 10 MiB.", "合同文件超过 10 MiB。")
        )
    elif media_type == "application/pdf" and not document.startswith(b"%PDF-"):
        out.append(FieldError("document", "Not a PDF file.", "不是 PDF 文件。"))
    elif media_type == "text/plain":
        try:
            document.decode("utf-8")
        except UnicodeDecodeError:
            out.append(FieldError("document", "The text is not UTF-8.", "文本不是 UTF-8 编码。"))
    return out


def _party_problems(session: Session, parties: list[str]) -> list[FieldError]:
    if not 1 <= len(parties) <= MAX_PARTIES:
        return [
            FieldError("parties", "List 1 to 20 parties (member ids).", "须列出 1 至 20 个签署方。")
        ]
    if len(set(parties)) != len(parties):
        return [FieldError("parties", "A party is listed twice.", "签署方重复。")]
    out: list[FieldError] = []
    for i, party in enumerate(parties):
        try:
            trust.get_member(session, party)
        except NotFoundError:
            out.append(
                FieldError(
                    f"parties[{i}]",
                    f"{party!r} is not a registered member.",
                    f"{party} 不是已登记的成员。",
                    party,
                )
            )
    return out


def contract_read(repo: MarketRepository, row: Contract) -> ContractRead:
    """The API form of a contract."""
    return ContractRead(
        id=row.id,
        title=row.title,
        media_type=row.media_type,
        size=len(row.document),
        sha256=row.sha256,
        parties=list(row.parties),
        signed_by=[s.party for s in repo.signatures(row.id)],
        tender_id=row.tender_id,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _signature_read(row: ContractSignature) -> SignatureRead:
    return SignatureRead(
        contract_id=row.contract_id,
        party=row.party,
        signer=row.signer,
        signer_role=row.signer_role,
        key_id=row.key_id,
        algorithm=row.algorithm,
        document_sha256=row.document_sha256,
        signature=b64url(row.signature),
        signed_at=row.signed_at,
        ledger_seq=row.ledger_seq,
        ledger_leaf_hash=row.ledger_leaf_hash,
    )


def add_contract(
    session: Session,
    *,
    title: str,
    media_type: str,
    document: bytes,
    parties: list[str],
    principal: Principal,
    clock: Clock,
    tender_id: str | None = None,
) -> Contract:
    """Stage a contract row and its ledger entry (no commit: for the tender service too)."""
    problems = _document_problems(media_type, document) + _party_problems(session, parties)
    if not title.strip() or len(title) > 200:
        problems.append(FieldError("title", "Give a title of 1-200 characters.", "标题 1-200 字。"))
    if problems:
        raise _invalid(*problems)
    # the uploader must be able to sign for one of the parties
    actor = next(
        (
            principal.acting_for(SIGNING_ROLE, p)
            for p in parties
            if principal.has_role(SIGNING_ROLE, p)
        ),
        None,
    ) or principal.acting_for(SIGNING_ROLE, parties[0])
    repo = MarketRepository(session)
    row = Contract(
        id=str(uuid.uuid4()),
        title=title.strip(),
        media_type=media_type,
        document=document,
        sha256=hashlib.sha256(document).hexdigest(),
        parties=list(parties),
        tender_id=tender_id,
        created_by=actor.user,
        created_for=actor.member,
        created_at=clock(),
    )
    repo.add(row)
    receipt = ledger.append(
        session,
        kind=CONTRACT_UPLOADED,
        subject=row.id,
        actor=actor,
        payload={
            "title": row.title,
            "sha256": row.sha256,
            "media_type": media_type,
            "size": len(document),
            "parties": list(parties),
            "tender_id": tender_id,
        },
        clock=clock,
    )
    row.ledger_seq = receipt.seq
    session.flush()
    return row


def upload_contract(
    session: Session,
    *,
    title: str,
    media_type: str,
    document: bytes,
    parties: list[str],
    principal: Principal,
    clock: Clock,
) -> ContractRead:
    """Upload a contract (PDF or UTF-8 text) for the listed member parties to sign."""
    row = add_contract(
        session,
        title=title,
        media_type=media_type,
        document=document,
        parties=parties,
        principal=principal,
        clock=clock,
    )
    session.commit()
    return contract_read(MarketRepository(session), row)


def _contract_or_404(repo: MarketRepository, contract_id: str) -> Contract:
    row = repo.contract(contract_id)
    if row is None:
        raise MarketNotFound(
            f"No contract {contract_id!r}.",
            f"未找到合同 {contract_id}。",
            hint="List contracts with GET /api/v1/market/contracts.",
        )
    return row


def get_contract(session: Session, contract_id: str) -> ContractRead:
    """One contract (metadata, not the document)."""
    repo = MarketRepository(session)
    return contract_read(repo, _contract_or_404(repo, contract_id))


def contract_document(session: Session, contract_id: str) -> tuple[str, bytes]:
    """The stored document and its media type."""
    row = _contract_or_404(MarketRepository(session), contract_id)
    return row.media_type, row.document


def list_contracts(session: Session, *, limit: int = 100) -> list[ContractRead]:
    """The newest contracts."""
    repo = MarketRepository(session)
    return [contract_read(repo, r) for r in repo.contracts(limit)]


def list_signatures(session: Session, contract_id: str) -> list[SignatureRead]:
    """A contract's signatures."""
    repo = MarketRepository(session)
    _contract_or_404(repo, contract_id)
    return [_signature_read(r) for r in repo.signatures(contract_id)]


def _held_role(principal: Principal, party: str) -> Role:
    return max(
        (r for r in Role if principal.has_role(r, party)), key=lambda r: r.rank, default=Role.VIEWER
    )


def sign_contract(
    session: Session,
    contract_id: str,
    *,
    party: str,
    principal: Principal,
    keystore: trust.KeyStore,
    clock: Clock,
) -> SignatureRead:
    """Sign for ``party`` with its active member key; time-stamp it in the audit ledger."""
    repo = MarketRepository(session)
    row = _contract_or_404(repo, contract_id)
    if party not in row.parties:
        raise SigningRefused(
            f"{party!r} is not a party to contract {contract_id}.",
            f"{party} 不是该合同的签署方。",
            hint=f"Parties: {', '.join(row.parties)}.",
        )
    if any(s.party == party for s in repo.signatures(contract_id)):
        raise SigningRefused(
            f"{party} has already signed contract {contract_id}.", f"{party} 已签署该合同。"
        )
    actor = principal.acting_for(SIGNING_ROLE, party)  # PermissionDenied: not authorised
    if hashlib.sha256(row.document).hexdigest() != row.sha256:
        raise SigningRefused(
            "The stored document no longer matches its recorded hash; it will not be signed.",
            "存储的合同文件与登记的哈希不一致，拒绝签署。",
        )
    signer = trust.member_signer(session, party, keystore=keystore)
    signed_at = clock()
    payload = cr.signing_payload(
        contract_id=row.id, sha256=row.sha256, party=party, signer=actor.user, signed_at=signed_at
    )
    signature = signer.sign(payload)
    role = _held_role(principal, party)
    (receipt,) = ledger.append_many(
        session,
        [
            ledger.NewEntry(
                kind=CONTRACT_SIGNED,
                subject=row.id,
                actor=actor,
                payload=_ledger_payload(
                    party=party,
                    signer=actor.user,
                    role=role.value,
                    key_id=signer.key_id,
                    algorithm=signer.algorithm,
                    sha256=row.sha256,
                    signature=signature,
                    signed_at=signed_at,
                ),
                at=signed_at,
            )
        ],
        clock=clock,
    )
    sig = ContractSignature(
        contract_id=row.id,
        party=party,
        signer=actor.user,
        signer_role=role.value,
        key_id=signer.key_id,
        algorithm=signer.algorithm,
        document_sha256=row.sha256,
        signature=signature,
        signed_at=signed_at,
        ledger_seq=receipt.seq,
        ledger_leaf_hash=receipt.leaf_hash.hex(),
        created_by=actor.user,
        created_for=actor.member,
        created_at=signed_at,
    )
    repo.add(sig)
    session.commit()
    return _signature_read(sig)


def _ledger_payload(
    *,
    party: str,
    signer: str,
    role: str,
    key_id: str,
    algorithm: str,
    sha256: str,
    signature: bytes,
    signed_at: datetime,
) -> dict[str, Any]:
    return {
        "party": party,
        "signer": signer,
        "signer_role": role,
        "key_id": key_id,
        "algorithm": algorithm,
        "document_sha256": sha256,
        "signature": b64url(signature),
        "signed_at": signed_at.isoformat(),
    }


def _ledger_facts(session: Session, sig: ContractSignature) -> tuple[bool, datetime | None]:
    """Does the ledger entry match the stored signature; which signed checkpoint covers it."""
    try:
        entry = get_entry(session, sig.ledger_seq)
    except ledger.EntryNotFound:
        return False, None
    expected = _ledger_payload(
        party=sig.party,
        signer=sig.signer,
        role=sig.signer_role,
        key_id=sig.key_id,
        algorithm=sig.algorithm,
        sha256=sig.document_sha256,
        signature=sig.signature,
        signed_at=sig.signed_at,
    )
    matches = (
        entry.kind == CONTRACT_SIGNED
        and entry.subject == sig.contract_id
        and entry.leaf_hash == sig.ledger_leaf_hash
        and entry.entry.get("payload") == expected
    )
    head = ledger.latest_head(session)
    if head is None or head.size <= sig.ledger_seq:
        return matches, None
    proof = ledger.inclusion_proof(session, seq=sig.ledger_seq, tree_size=head.size)
    included = (
        ledger.verify_inclusion(
            bytes.fromhex(proof.leaf_hash),
            sig.ledger_seq,
            head.size,
            [bytes.fromhex(h) for h in proof.path],
            head.root_hash,
        )
        and proof.leaf_hash == sig.ledger_leaf_hash
    )
    return matches, head.timestamp if included else None


def _signature_facts(session: Session, row: Contract, sig: ContractSignature) -> cr.SignatureFacts:
    try:
        key: trust.KeyRead | None = get_key(session, sig.key_id)
    except NotFoundError:
        key = None
    payload = cr.signing_payload(
        contract_id=row.id,
        sha256=sig.document_sha256,
        party=sig.party,
        signer=sig.signer,
        signed_at=sig.signed_at,
    )
    verifies = key is not None and trust.verify_signature(
        session, sig.key_id, payload, sig.signature, at=sig.signed_at
    )
    matches, checkpoint_at = _ledger_facts(session, sig)
    try:
        authorised = Role(sig.signer_role).rank >= SIGNING_ROLE.rank
    except ValueError:
        authorised = False
    return cr.SignatureFacts(
        party=sig.party,
        signer=sig.signer,
        authorised=authorised,
        key_id=sig.key_id,
        key_member=None if key is None else key.member_id,
        key_revoked_at=None if key is None else key.revoked_at,
        signed_at=sig.signed_at,
        document_sha256=sig.document_sha256,
        verifies=verifies,
        ledger_matches=matches,
        checkpoint_at=checkpoint_at,
    )


def verify_contract(
    session: Session, contract_id: str, *, clock: Clock, presented: bytes | None = None
) -> dict[str, Any]:
    """The verification report of a contract (optionally against a presented copy)."""
    repo = MarketRepository(session)
    row = _contract_or_404(repo, contract_id)
    facts = cr.ContractFacts(
        contract_id=row.id,
        title=row.title,
        parties=tuple(row.parties),
        recorded_sha256=row.sha256,
        stored_sha256=hashlib.sha256(row.document).hexdigest(),
        presented_sha256=None if presented is None else hashlib.sha256(presented).hexdigest(),
    )
    sigs = [_signature_facts(session, row, s) for s in repo.signatures(row.id)]
    return cr.verification_report(facts, sigs, checked_at=clock())
