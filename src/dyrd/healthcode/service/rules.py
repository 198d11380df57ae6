"""Colour rules as signed data: publish (sign with the jurisdiction's key), list, verify, load.

Signing and verification go through the trust domain: ``member_signer`` on the jurisdiction
member's active ES256 key, ``verify_signature`` against the key table (the key's validity window
at signing time), and the key must belong to that member. A rule whose signature does not verify
is never used to colour anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dyrd import trust
from dyrd.core.auth import Principal
from dyrd.core.b64 import b64url
from dyrd.core.clock import Clock
from dyrd.core.errors import ConflictError
from dyrd.core.types import Role
from dyrd.healthcode.bundled import sample_rules
from dyrd.healthcode.compute.colour import Rule
from dyrd.healthcode.compute.ruleset import (
    parse_rule,
    protected_header,
    rule_document,
    signing_input,
)
from dyrd.healthcode.errors import RuleInvalid, RuleSignatureInvalid
from dyrd.healthcode.models import RuleVersion
from dyrd.healthcode.repository import HealthcodeRepository
from dyrd.healthcode.schemas import RuleRead
from dyrd.healthcode.service._common import acting, jurisdiction_problem, member_of, raise_if_any

SIGNING_ALGORITHM = "ES256"


def _b64url_decode(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def rule_read(row: RuleVersion) -> RuleRead:
    """The API view of a stored rule version."""
    doc = row.document
    return RuleRead(
        rule_id=row.rule_id,
        version=row.version,
        jurisdiction=row.jurisdiction,
        colour=doc["colour"],
        priority=doc["priority"],
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        sample=row.sample,
        description_zh=doc["description_zh"],
        description_en=doc["description_en"],
        reason_zh=doc["reason_zh"],
        reason_en=doc["reason_en"],
        logic=doc["logic"],
        key_id=row.key_id,
        signed_by=row.signed_by,
        signature=row.signature,
        protected=row.protected,
    )


def _store(
    session: Session, rule: Rule, *, keystore: trust.KeyStore, by: str, at: datetime
) -> RuleVersion:
    repo = HealthcodeRepository(session)
    newest = repo.newest_rule_version(rule.rule_id)
    if rule.version <= newest:
        raise ConflictError(
            f"Rule {rule.rule_id} already has version {newest}; versions only grow.",
            f"规则 {rule.rule_id} 已有版本 {newest}，版本号只能递增。",
            hint=f"Publish it as version {newest + 1}.",
        )
    member = member_of(rule.jurisdiction)
    signer = trust.member_signer(session, member, keystore=keystore, algorithm=SIGNING_ALGORITHM)
    document = rule_document(rule)
    protected = protected_header(key_id=signer.key_id, algorithm=signer.algorithm)
    signature = signer.sign(signing_input(protected, document))
    row = RuleVersion(
        rule_id=rule.rule_id,
        version=rule.version,
        jurisdiction=rule.jurisdiction,
        colour=rule.colour.value,
        valid_from=rule.valid_from,
        valid_until=rule.valid_until,
        sample=rule.sample,
        document=document,
        protected=protected,
        signature=b64url(signature),
        key_id=signer.key_id,
        signed_by=member,
        created_by=by,
        created_for=member,
        created_at=at,
    )
    repo.add(row)
    return row


def publish_rule(
    session: Session,
    document: dict[str, Any],
    *,
    principal: Principal,
    clock: Clock,
    keystore: trust.KeyStore,
) -> RuleRead:
    """Check, sign (with the jurisdiction's key) and publish one rule version."""
    jurisdiction = str(document.get("jurisdiction", ""))
    raise_if_any(jurisdiction_problem(jurisdiction, "document.jurisdiction"), what="rule")
    actor = acting(principal, Role.DATA_STEWARD, jurisdiction)
    rule, problems = parse_rule(document, location="document")
    if rule is None:
        raise RuleInvalid(
            f"The rule has {len(problems)} problem(s).",
            f"规则有 {len(problems)} 处问题。",
            hint="Rules are CertLogic over the paths in GET /api/v1/healthcode/features.",
            errors=problems,
        )
    row = _store(session, rule, keystore=keystore, by=actor.user, at=clock())
    session.commit()
    return rule_read(row)


def load_sample_rules(session: Session, *, keystore: trust.KeyStore, clock: Clock) -> int:
    """Sign and store the bundled SAMPLE rule sets (versions already stored are skipped)."""
    repo = HealthcodeRepository(session)
    stored = 0
    now = clock()
    for rule in sample_rules():
        if repo.newest_rule_version(rule.rule_id) >= rule.version:
            continue
        _store(session, rule, keystore=keystore, by="system", at=now)
        stored += 1
    session.commit()
    return stored


def verify_rule(session: Session, row: RuleVersion) -> bool:
    """True when the row's signature verifies with a key of its jurisdiction's member."""
    member = member_of(row.jurisdiction)
    if row.signed_by != member:
        return False
    owned = {k.kid for k in trust.list_keys(session, member)}
    if row.key_id not in owned:
        return False
    try:
        payload = signing_input(row.protected, row.document)
        signature = _b64url_decode(row.signature)
    except (ValueError, TypeError):
        return False
    return trust.verify_signature(session, row.key_id, payload, signature, at=row.created_at)


def list_rules(
    session: Session, *, jurisdiction: str | None = None, rule_id: str | None = None
) -> list[RuleRead]:
    """Every rule version (the rule browser), by jurisdiction, id and version."""
    if jurisdiction is not None:
        raise_if_any(jurisdiction_problem(jurisdiction), what="query")
    rows = HealthcodeRepository(session).rule_versions(jurisdiction=jurisdiction, rule_id=rule_id)
    return [rule_read(r) for r in rows]


def verified_rules(session: Session, *, jurisdiction: str | None = None) -> list[Rule]:
    """Every stored rule version, each checked against its signature; refuses a bad one."""
    out: list[Rule] = []
    for row in HealthcodeRepository(session).rule_versions(jurisdiction=jurisdiction):
        rule, _problems = parse_rule(row.document)
        if rule is None or not verify_rule(session, row):
            raise RuleSignatureInvalid(
                f"Rule {row.rule_id} v{row.version} does not verify with the key of "
                f"{row.signed_by}; no colour is computed with it.",
                f"规则 {row.rule_id} 第 {row.version} 版签名验证失败，已停止赋码。",
                hint="Republish the rule (a new version) signed with the jurisdiction's key.",
            )
        out.append(rule)
    return out


def rules_of(rows: Sequence[RuleRead]) -> list[str]:
    """``ID vN`` labels of rule versions (for messages)."""
    return [f"{r.rule_id} v{r.version}" for r in rows]
