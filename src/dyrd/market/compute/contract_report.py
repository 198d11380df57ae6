"""E-contract signing payloads and the verification report a court or auditor reads.

The report checks what 电子签名法 Art. 13 (as summarised in the research notes; article number to
verify) asks of a reliable e-signature, from facts the service gathers:

* every required party signed;
* each signature verifies with a key the trust domain certified for that party, and the key was
  not revoked at signing time (a later revocation back-dated before the signature voids it);
* the signer was authorised for the party when signing (held the signing role there);
* the document is unchanged: its SHA-256 equals the hash every party signed, and equals the
  hash of the copy presented for checking, if one is;
* each signature and its time are in the audit ledger (the entry matches the stored signature),
  and a signed checkpoint of the ledger covers it: the checkpoint's time is the time-stamp
  evidence (signed no later than then).

Pure: facts in, a report (JSON-ready dict) and its bilingual text and HTML renderings out.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

PAYLOAD_CONTEXT = "dyrd/market/contract-signature/v1"


def signing_payload(
    *, contract_id: str, sha256: str, party: str, signer: str, signed_at: datetime
) -> bytes:
    """The bytes a party signs: canonical JSON of the contract, its hash, party, signer, time."""
    body = {
        "context": PAYLOAD_CONTEXT,
        "contract": contract_id,
        "document_sha256": sha256,
        "party": party,
        "signer": signer,
        "signed_at": signed_at.isoformat(),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Outcome(StrEnum):
    """The result of one check: pass, fail, or pending (evidence not yet available)."""

    PASS = "pass"  # noqa: S105  # a check outcome, not a password
    FAIL = "fail"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report."""

    code: str
    outcome: Outcome
    message: str
    message_zh: str
    party: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "code": self.code,
            "outcome": self.outcome.value,
            "party": self.party,
            "message": self.message,
            "message_zh": self.message_zh,
        }


@dataclass(frozen=True, slots=True)
class SignatureFacts:
    """What the service found about one stored signature."""

    party: str
    signer: str
    authorised: bool
    key_id: str
    key_member: str | None
    key_revoked_at: datetime | None
    signed_at: datetime
    document_sha256: str
    verifies: bool
    ledger_matches: bool
    checkpoint_at: datetime | None
    """Time of the signed ledger checkpoint whose inclusion proof covers the entry, if any."""


@dataclass(frozen=True, slots=True)
class ContractFacts:
    """What the service found about the contract document."""

    contract_id: str
    title: str
    parties: tuple[str, ...]
    recorded_sha256: str
    stored_sha256: str
    presented_sha256: str | None = None


def _ok(flag: bool) -> Outcome:
    return Outcome.PASS if flag else Outcome.FAIL


def _document_checks(facts: ContractFacts) -> list[Check]:
    out = [
        Check(
            "document.unchanged",
            _ok(facts.stored_sha256 == facts.recorded_sha256),
            f"Stored document SHA-256 {facts.stored_sha256} "
            + ("equals" if facts.stored_sha256 == facts.recorded_sha256 else "DIFFERS FROM")
            + f" the hash recorded at upload {facts.recorded_sha256}.",
            "存储的文件哈希与上传时登记的哈希"
            + (
                "一致。"
                if facts.stored_sha256 == facts.recorded_sha256
                else "不一致：文件已被篡改。"
            ),
        )
    ]
    if facts.presented_sha256 is not None:
        same = facts.presented_sha256 == facts.recorded_sha256
        out.append(
            Check(
                "document.presented",
                _ok(same),
                f"The presented copy (SHA-256 {facts.presented_sha256}) "
                + ("is the signed document." if same else "is NOT the signed document."),
                "所提交的文件" + ("即为签署的文件。" if same else "不是签署的文件（内容已改变）。"),
            )
        )
    return out


def _signature_checks(facts: ContractFacts, sig: SignatureFacts) -> list[Check]:
    p = sig.party
    revoked_before = sig.key_revoked_at is not None and sig.key_revoked_at <= sig.signed_at
    when = sig.signed_at.isoformat()
    checks = [
        Check(
            "signature.document",
            _ok(sig.document_sha256 == facts.recorded_sha256),
            "The party signed the recorded document hash."
            if sig.document_sha256 == facts.recorded_sha256
            else f"The party signed another document hash ({sig.document_sha256}).",
            "签署方签署的是登记的文件哈希。"
            if sig.document_sha256 == facts.recorded_sha256
            else "签署方签署的文件哈希与登记的不一致。",
            p,
        ),
        Check(
            "signature.authorised",
            _ok(sig.authorised),
            f"{sig.signer} was authorised to sign for {p} at {when}."
            if sig.authorised
            else f"{sig.signer} was NOT authorised to sign for {p}.",
            f"签署人 {sig.signer} 于签署时"
            + ("有权代表" if sig.authorised else "无权代表")
            + f" {p} 签署。",
            p,
        ),
        Check(
            "signature.key_of_party",
            _ok(sig.key_member == p),
            f"Key {sig.key_id} is certified by the trust domain for {p}."
            if sig.key_member == p
            else f"Key {sig.key_id} is not a key of {p} (owner: {sig.key_member or 'unknown'}).",
            f"密钥 {sig.key_id} "
            + ("由信任域登记为该签署方的密钥。" if sig.key_member == p else "不属于该签署方。"),
            p,
        ),
        Check(
            "signature.key_not_revoked",
            _ok(not revoked_before),
            f"Key {sig.key_id} was not revoked at signing time {when}."
            if not revoked_before
            else f"Key {sig.key_id} was revoked at {sig.key_revoked_at!s}, before the signature "
            f"at {when}: the signature is void.",
            "签署时密钥未被吊销。"
            if not revoked_before
            else f"密钥已于 {sig.key_revoked_at!s} 吊销，早于签署时间 {when}：签名无效。",
            p,
        ),
        Check(
            "signature.verifies",
            _ok(sig.verifies),
            "The signature verifies over the signing payload."
            if sig.verifies
            else "The signature does NOT verify (changed signature, payload or key).",
            "签名验证通过。" if sig.verifies else "签名验证失败（签名、内容或密钥被改动）。",
            p,
        ),
        Check(
            "signature.ledger",
            _ok(sig.ledger_matches),
            "The audit ledger holds this signature and its time unchanged."
            if sig.ledger_matches
            else "The audit ledger entry does not match the stored signature.",
            "审计账本中的签名记录与存储的一致。"
            if sig.ledger_matches
            else "审计账本记录与存储的签名不一致。",
            p,
        ),
    ]
    if sig.checkpoint_at is not None:
        checks.append(
            Check(
                "signature.timestamp",
                Outcome.PASS,
                f"Signed at {when}; a signed ledger checkpoint of {sig.checkpoint_at.isoformat()} "
                "proves the signature existed by then.",
                f"签署时间 {when}；{sig.checkpoint_at.isoformat()} 的账本签名检查点"
                "证明签名不晚于该时刻存在。",
                p,
            )
        )
    else:
        checks.append(
            Check(
                "signature.timestamp",
                Outcome.PENDING,
                f"Signed at {when} (platform clock); no signed ledger checkpoint covers it yet.",
                f"签署时间 {when}（平台时钟）；尚无账本签名检查点覆盖该记录。",
                p,
            )
        )
    return checks


def verification_report(
    facts: ContractFacts, signatures: Sequence[SignatureFacts], *, checked_at: datetime
) -> dict[str, Any]:
    """The report: every check, the parties still to sign, and the overall verdict."""
    checks = _document_checks(facts)
    signed = {s.party for s in signatures}
    missing = [p for p in facts.parties if p not in signed]
    checks.append(
        Check(
            "parties.all_signed",
            _ok(not missing),
            "Every required party signed."
            if not missing
            else f"Not yet signed by: {', '.join(missing)}.",
            "所有签署方均已签署。" if not missing else f"尚未签署：{'、'.join(missing)}。",
        )
    )
    for sig in sorted(signatures, key=lambda s: (s.signed_at, s.party)):
        checks.extend(_signature_checks(facts, sig))
    failed = [c for c in checks if c.outcome is Outcome.FAIL]
    return {
        "contract_id": facts.contract_id,
        "title": facts.title,
        "document_sha256": facts.recorded_sha256,
        "parties": list(facts.parties),
        "missing_parties": missing,
        "valid": not failed,
        "reasons": [c.message for c in failed],
        "reasons_zh": [c.message_zh for c in failed],
        "checked_at": checked_at.isoformat(),
        "checks": [c.as_dict() for c in checks],
        "signatures": [
            {
                "party": s.party,
                "signer": s.signer,
                "key_id": s.key_id,
                "signed_at": s.signed_at.isoformat(),
                "checkpoint_at": None if s.checkpoint_at is None else s.checkpoint_at.isoformat(),
            }
            for s in signatures
        ],
    }


_MARK = {"pass": "✔", "fail": "✘", "pending": "…"}


def render_text(report: dict[str, Any]) -> str:
    """The report as plain bilingual text (for a printout or a court file)."""
    verdict = "VALID 有效" if report["valid"] else "INVALID 无效"
    lines = [
        "E-contract verification report / 电子合同验证报告",
        f"Contract 合同: {report['title']} ({report['contract_id']})",
        f"Document SHA-256 文件哈希: {report['document_sha256']}",
        f"Checked at 验证时间: {report['checked_at']}",
        f"Verdict 结论: {verdict}",
        "",
    ]
    for c in report["checks"]:
        who = f"[{c['party']}] " if c["party"] else ""
        lines.append(f"{_MARK[c['outcome']]} {who}{c['message']}")
        lines.append(f"  {c['message_zh']}")
    return "\n".join(lines) + "\n"


def render_html(report: dict[str, Any]) -> str:
    """The report as a self-contained bilingual HTML page (no scripts, no external assets)."""
    esc = html.escape
    rows = "".join(
        f"<tr class='{esc(c['outcome'])}'><td>{_MARK[c['outcome']]}</td>"
        f"<td>{esc(c['party'] or '')}</td><td>{esc(c['message'])}<br>"
        f"<span lang='zh-CN'>{esc(c['message_zh'])}</span></td></tr>"
        for c in report["checks"]
    )
    verdict = "VALID · 有效" if report["valid"] else "INVALID · 无效"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>E-contract verification · 电子合同验证</title>"
        "<style>body{font-family:sans-serif;margin:2em}td{padding:.3em;vertical-align:top}"
        ".fail{color:#a00}.pass{color:#060}.pending{color:#850}</style></head><body>"
        "<h1>E-contract verification report · 电子合同验证报告</h1>"
        f"<p>{esc(report['title'])} (<code>{esc(report['contract_id'])}</code>)<br>"
        f"SHA-256: <code>{esc(report['document_sha256'])}</code><br>"
        f"Checked at · 验证时间: {esc(report['checked_at'])}</p>"
        f"<h2 id='verdict' class='{'pass' if report['valid'] else 'fail'}'>{verdict}</h2>"
        f"<table>{rows}</table></body></html>"
    )
