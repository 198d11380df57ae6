"""The signed revocation document an issuer's node serves and verifiers sync (pure).

Form, like the regional directory's (``dyrd.trust``): one JSON object
``{"revocation": PAYLOAD, "signature": {"protected": H, "signature": S}}``, a JWS in flattened
JSON serialisation (RFC 7515 §7.2.2) with a detached payload (Appendix F) whose bytes are the
RFC 8785 canonical form of ``revocation``. The protected header names the key (``kid``, the
RFC 7638 thumbprint of the issuing member's key as the directory lists it), ``alg`` and
``typ: dyrd-revocation+jcs``, so no other signed object passes as a revocation list.

Every string in the payload is ASCII (member ids, base64url, hex, RFC 3339 times) and every
number an integer, and on that subset RFC 8785 is exactly ``json.dumps`` with sorted keys and no
whitespace (``canonical``; a test checks it against ``dyrd.trust``'s JCS).

Payload::

    {"format": "dyrd-revocation/1", "issuer": MEMBER, "since": V0, "version": V1,
     "issued_at": "...Z", "fp_exponent": 12,
     "partitions": [{"kid": B64URL(8 bytes), "type": "UCI", "x": 0..15,
                     "added": [B64URL(16 bytes), ...], "removed": [...],
                     "count": N, "bloom_sha256": HEX, "bloom": B64URL (optional)}]}

``partitions`` lists the partitions the delta touches; ``count`` and ``bloom_sha256`` describe
each one as it is at ``version``, so a verifier that applied the delta can prove it now holds the
issuer's partition byte for byte, and rebuild from scratch (``since=0``) if it does not.
``bloom`` (on request) carries the filter itself for verifiers that keep filters only.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dyrd.core.b64 import b64url, b64url_decode
from dyrd.core.jcs import canonical
from dyrd.credential.compute.bloom import BloomFilter
from dyrd.credential.compute.revocation import (
    DEFAULT_FP_EXPONENT,
    HASH_BYTES,
    KID_BYTES,
    PARTITION_BITS,
    Delta,
    Entry,
    HashType,
    ListState,
    PartitionKey,
    partition_filter,
)

FORMAT = "dyrd-revocation/1"
JWS_TYPE = "dyrd-revocation+jcs"
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
"""Largest document accepted: a million entries are ~25 MB as base64url lists."""

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class DocumentRejected(ValueError):
    """A revocation document that must not be used; ``reason`` is a short machine word."""

    def __init__(self, reason: str, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.message_zh = message_zh


def _bad(what: str) -> DocumentRejected:
    return DocumentRejected(
        "malformed", f"Not a revocation document: {what}.", f"不是吊销列表文件：{what}。"
    )


def format_time(at: datetime) -> str:
    """RFC 3339 UTC, whole seconds, ending in Z."""
    if at.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return at.astimezone(UTC).replace(microsecond=0).isoformat().removesuffix("+00:00") + "Z"


def parse_time(text: object) -> datetime:
    """A time written by :func:`format_time`; ValueError otherwise."""
    if not isinstance(text, str) or not text.endswith("Z") or "T" not in text:
        raise ValueError("not an RFC 3339 UTC time ending in Z")
    return datetime.fromisoformat(text[:-1] + "+00:00").astimezone(UTC)


# --- building ------------------------------------------------------------------------------------


def payload(
    delta: Delta,
    state: ListState,
    *,
    issued_at: datetime,
    fp_exponent: int = DEFAULT_FP_EXPONENT,
    include_bloom: bool = False,
) -> dict[str, Any]:
    """The payload of ``delta``; ``state`` is the issuer's list at ``delta.version``."""
    if state.issuer != delta.issuer or state.version != delta.version:
        raise ValueError("the state must be the issuer's list at the delta's version")
    if not delta.issuer.isascii():
        raise ValueError("issuer ids are ASCII")
    current = state.partitions()
    touched: dict[PartitionKey, tuple[list[bytes], list[bytes]]] = {}
    for e in delta.added:
        touched.setdefault(e.partition, ([], []))[0].append(e.hash)
    for e in delta.removed:
        touched.setdefault(e.partition, ([], []))[1].append(e.hash)
    parts = []
    for key in sorted(touched):
        added, removed = touched[key]
        hashes = current.get(key, frozenset())
        bloom = partition_filter(hashes, fp_exponent).to_bytes()
        part: dict[str, Any] = {
            "kid": b64url(key.kid),
            "type": key.hash_type.value,
            "x": key.x,
            "added": [b64url(h) for h in sorted(added)],
            "removed": [b64url(h) for h in sorted(removed)],
            "count": len(hashes),
            "bloom_sha256": hashlib.sha256(bloom).hexdigest(),
        }
        if include_bloom:
            part["bloom"] = b64url(bloom)
        parts.append(part)
    return {
        "format": FORMAT,
        "issuer": delta.issuer,
        "since": delta.since,
        "version": delta.version,
        "issued_at": format_time(issued_at),
        "fp_exponent": fp_exponent,
        "partitions": parts,
    }


def protected_header(*, key_id: str, algorithm: str) -> str:
    """The base64url protected header naming the signing key and the document type."""
    return b64url(canonical({"alg": algorithm, "kid": key_id, "typ": JWS_TYPE}))


def signing_input(protected: str, body: Mapping[str, Any]) -> bytes:
    """JWS signing input: ``protected '.' base64url(JCS(payload))`` (RFC 7515 §5.1)."""
    return f"{protected}.{b64url(canonical(body))}".encode("ascii")


def sign_document(
    body: Mapping[str, Any], *, key_id: str, algorithm: str, sign: Callable[[bytes], bytes]
) -> bytes:
    """The signed document bytes (canonical JSON)."""
    protected = protected_header(key_id=key_id, algorithm=algorithm)
    signature = sign(signing_input(protected, body))
    return canonical(
        {"revocation": body, "signature": {"protected": protected, "signature": b64url(signature)}}
    )


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartitionCheck:
    """What the issuer says a touched partition holds after the delta."""

    key: PartitionKey
    count: int
    bloom_sha256: str
    bloom: bytes | None


@dataclass(frozen=True, slots=True)
class RevocationDocument:
    """A verified revocation document: the delta and the checks of the partitions it touches."""

    delta: Delta
    issued_at: datetime
    fp_exponent: int
    signed_by: str
    checks: tuple[PartitionCheck, ...]
    size: int


SignatureCheck = Callable[[str, str, bytes, bytes], str | None]
"""``(kid, alg, signing_input, signature) -> member id`` of the key when the signature verifies
with a key listed for that member, else None."""


def _envelope(document: bytes) -> tuple[dict[str, Any], str, bytes, dict[str, Any]]:
    if len(document) > MAX_DOCUMENT_BYTES:
        raise _bad(f"larger than {MAX_DOCUMENT_BYTES} bytes")
    try:
        outer = json.loads(document.decode("utf-8"), parse_float=_no_float)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _bad("not JSON") from exc
    if not isinstance(outer, dict) or set(outer) != {"revocation", "signature"}:
        raise _bad("expected exactly 'revocation' and 'signature'")
    body, sig = outer["revocation"], outer["signature"]
    if not isinstance(body, dict) or not isinstance(sig, dict):
        raise _bad("'revocation' and 'signature' must be objects")
    if set(sig) != {"protected", "signature"} or not isinstance(sig["protected"], str):
        raise _bad("'signature' must have exactly 'protected' and 'signature'")
    try:
        signature = b64url_decode(sig["signature"])
        header = json.loads(b64url_decode(sig["protected"]))
    except ValueError as exc:
        raise _bad("the signature parts are not base64url JSON") from exc
    if not isinstance(header, dict) or header.get("typ") != JWS_TYPE or "crit" in header:
        raise _bad(f"the protected header's typ is not {JWS_TYPE!r}")
    if not isinstance(header.get("kid"), str) or not isinstance(header.get("alg"), str):
        raise _bad("the protected header needs kid and alg")
    return body, sig["protected"], signature, header


def _no_float(text: str) -> Any:
    raise ValueError(f"floating-point number {text}")


def _int(value: object, where: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise _bad(f"{where} must be an integer >= {low}")
    return value


def _hashes(value: object, where: str, key: PartitionKey) -> set[bytes]:
    if not isinstance(value, list):
        raise _bad(f"{where} must be a list")
    out = set()
    for item in value:
        try:
            h = b64url_decode(item)
        except ValueError as exc:
            raise _bad(f"{where} holds something other than base64url") from exc
        if len(h) != HASH_BYTES or h[0] >> (8 - PARTITION_BITS) != key.x:
            raise _bad(f"{where} holds a hash of the wrong size or partition")
        out.add(h)
    if len(out) != len(value):
        raise _bad(f"{where} lists a hash twice")
    return out


def _partition(raw: object, i: int) -> tuple[PartitionCheck, set[Entry], set[Entry]]:
    where = f"partitions[{i}]"
    if not isinstance(raw, dict):
        raise _bad(f"{where} must be an object")
    try:
        kid = b64url_decode(raw.get("kid"))
        hash_type = HashType(str(raw.get("type")))
    except ValueError as exc:
        raise _bad(f"{where} has a bad kid or type") from exc
    if len(kid) != KID_BYTES:
        raise _bad(f"{where}.kid must be {KID_BYTES} bytes")
    x = _int(raw.get("x"), f"{where}.x")
    if x >= 1 << PARTITION_BITS:
        raise _bad(f"{where}.x is beyond the last partition")
    key = PartitionKey(kid, hash_type, x)
    added = _hashes(raw.get("added"), f"{where}.added", key)
    removed = _hashes(raw.get("removed"), f"{where}.removed", key)
    digest = raw.get("bloom_sha256")
    if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
        raise _bad(f"{where}.bloom_sha256 must be 64 lower-case hex digits")
    bloom: bytes | None = None
    if "bloom" in raw:
        try:
            bloom = b64url_decode(raw["bloom"])
            BloomFilter.from_bytes(bloom)
        except ValueError as exc:
            raise _bad(f"{where}.bloom is not a Bloom filter") from exc
        if hashlib.sha256(bloom).hexdigest() != digest:
            raise _bad(f"{where}.bloom does not match its bloom_sha256")
    check = PartitionCheck(key, _int(raw.get("count"), f"{where}.count"), digest, bloom)
    return (
        check,
        {Entry(kid, hash_type, h) for h in added},
        {Entry(kid, hash_type, h) for h in removed},
    )


def open_document(document: bytes, check_signature: SignatureCheck) -> RevocationDocument:
    """Verify the signature (before reading anything else), then the structure.

    The key must verify the signature and be listed for the member the payload names as its
    issuer: a member can sign only its own list. Raises DocumentRejected.
    """
    body, protected, signature, header = _envelope(document)
    try:
        message = signing_input(protected, body)
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        raise _bad("the payload has no canonical form here") from exc
    signer = check_signature(header["kid"], header["alg"], message, signature)
    if signer is None:
        raise DocumentRejected(
            "bad-signature",
            f"The revocation document's signature does not verify with key {header['kid']}: "
            "unknown key, changed after signing, or signed by someone else.",
            "吊销列表签名验证失败：密钥未知、内容被改动或签名者不符。",
        )
    if body.get("format") != FORMAT:
        raise _bad(f"format is not {FORMAT!r}")
    issuer = body.get("issuer")
    if not isinstance(issuer, str) or not issuer:
        raise _bad("issuer must be a member id")
    if signer != issuer:
        raise DocumentRejected(
            "wrong-signer",
            f"The list of {issuer} is signed by a key of {signer}.",
            f"{issuer} 的吊销列表由 {signer} 的密钥签名。",
        )
    since, version = _int(body.get("since"), "since"), _int(body.get("version"), "version")
    if since > version:
        raise _bad("since is after version")
    try:
        issued_at = parse_time(body.get("issued_at"))
    except ValueError as exc:
        raise _bad("issued_at is not an RFC 3339 UTC time") from exc
    fp_exponent = _int(body.get("fp_exponent"), "fp_exponent", 1)
    raw_parts = body.get("partitions")
    if not isinstance(raw_parts, list):
        raise _bad("partitions must be a list")
    checks, added, removed = [], set(), set()
    for i, raw in enumerate(raw_parts):
        check, add, rem = _partition(raw, i)
        checks.append(check)
        added |= add
        removed |= rem
    if len({c.key for c in checks}) != len(checks):
        raise _bad("a partition is listed twice")
    try:
        delta = Delta(issuer, since, version, frozenset(added), frozenset(removed))
    except ValueError as exc:
        raise _bad(str(exc)) from exc
    return RevocationDocument(
        delta=delta,
        issued_at=issued_at,
        fp_exponent=min(fp_exponent, 30),
        signed_by=str(header["kid"]),
        checks=tuple(checks),
        size=len(document),
    )


def apply_document(state: ListState, doc: RevocationDocument) -> ListState:
    """Apply a verified document and prove the touched partitions match the issuer's.

    Raises DocumentRejected ``diverged`` when a partition's count or filter digest differs
    (the verifier should start over from the full list) and ``gap`` when the delta does not
    connect to ``state``.
    """
    base = ListState(state.issuer) if doc.delta.is_full else state
    try:
        after = base.apply(doc.delta)
    except ValueError as exc:
        raise DocumentRejected(
            "gap", str(exc), "增量与本地版本不衔接，需重新下载完整列表。"
        ) from exc
    parts = after.partitions()
    for check in doc.checks:
        hashes = parts.get(check.key, frozenset())
        digest = hashlib.sha256(partition_filter(hashes, doc.fp_exponent).to_bytes()).hexdigest()
        if len(hashes) != check.count or digest != check.bloom_sha256:
            raise DocumentRejected(
                "diverged",
                f"After the delta {doc.delta.since}->{doc.delta.version} a partition differs "
                "from the issuer's: fetch the full list.",
                "应用增量后分区与签发方不一致，需重新下载完整列表。",
            )
    return after
