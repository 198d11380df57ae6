"""The signed credential trust list: entries, full and delta documents, verification (pure).

What the DCC Gateway's ``/trustList`` gives verifier apps (the CSCA and every DSC, each with
its ``kid``), made incremental: every change (a certificate added, retired, revoked, expired)
gets the next **version**; a full document lists the state at a version, a delta document the
changes after ``since`` up to its version, in order. Both carry the SHA-256 of the resulting
state (``entries_sha256``), so a verifier that applied a delta knows it now holds exactly what
the issuer holds, and both are signed like the directory: a JWS in flattened JSON with a
detached RFC 8785 payload, typ ``dyrd-trust-list+jcs``, by the region's root key.

A retired DSC stays listed (its codes keep verifying) until its ``not_after`` passes; then an
``expired`` change removes it. A revoked one is removed at once.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from dyrd.core.b64 import b64url, b64url_decode
from dyrd.core.jcs import CanonicalJsonError, canonical, parse_strict
from dyrd.trust.compute import jose
from dyrd.trust.compute.directory import (
    CLOCK_SKEW,
    DirectoryRejected,
    format_time,
    parse_time,
    pinned_keys,
)
from dyrd.trust.compute.x509 import X509Rejected, read_certificate, verify_dsc
from dyrd.trust.types import KeyAlgorithm, KeyStatus

FORMAT = "dyrd-trust-list/1"
"""Value of the payload's ``format``; a change old verifiers cannot read bumps it."""

JWS_TYPE = "dyrd-trust-list+jcs"
"""The protected header's ``typ``: no directory (or other signed object) passes as a trust list."""

MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
"""Largest document accepted; a DSC is about 500 bytes, so this holds thousands."""

DEFAULT_VALIDITY = timedelta(hours=48)
"""How long a signed trust-list document stays valid: verifiers keep working offline this long
after their last successful fetch. DCC verifier apps refresh daily; 48 h rides out a day-long
outage with margin (DYRD_TRUST_LIST_VALIDITY_HOURS could override it)."""


class CertificateKind(StrEnum):
    """Where a certificate sits: the region trust anchor (CSCA) or a document signer (DSC)."""

    CSCA = "csca"
    DSC = "dsc"


class ChangeAction(StrEnum):
    """What a trust-list change did to one certificate."""

    ADDED = "added"
    RETIRED = "retired"
    """No longer signs new credentials; still listed so what it signed keeps verifying."""
    REVOKED = "revoked"
    """Removed: nothing it signed verifies any more."""
    EXPIRED = "expired"
    """Removed after its ``not_after``: nothing it signed can still be valid."""


class TrustListRejectReason(StrEnum):
    """Why a trust-list document was refused."""

    MALFORMED = "malformed"
    UNTRUSTED_KEY = "untrusted-key"
    BAD_SIGNATURE = "bad-signature"
    INVALID_CONTENT = "invalid-content"
    NOT_YET_VALID = "not-yet-valid"
    EXPIRED = "expired"
    ROLLBACK = "rollback"
    GAP = "gap"
    DIVERGED = "diverged"


class TrustListRejected(ValueError):
    """A trust-list document that must not be used, with the reason in both languages."""

    def __init__(self, reason: TrustListRejectReason, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True, slots=True)
class TrustListEntry:
    """One listed certificate."""

    fingerprint: str
    kid: bytes
    kind: CertificateKind
    member_id: str
    jurisdiction: str | None
    status: KeyStatus
    not_before: datetime
    not_after: datetime
    der: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class TrustListChange:
    """One change: the certificate's entry after it, or None when it left the list."""

    version: int
    action: ChangeAction
    fingerprint: str
    at: datetime
    entry: TrustListEntry | None


@dataclass(frozen=True, slots=True)
class TrustListDocument:
    """A verified document: full (``since`` None, ``entries``) or delta (``changes``)."""

    region: str
    version: int
    since: int | None
    issued_at: datetime
    expires_at: datetime
    entries_sha256: str
    entries: tuple[TrustListEntry, ...]
    changes: tuple[TrustListChange, ...]
    document: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class TrustList:
    """The certificates a verifier trusts, offline: what the credential verifier's
    ``CertificateSource`` port asks for."""

    region: str
    version: int
    issued_at: datetime
    expires_at: datetime
    entries: tuple[TrustListEntry, ...]
    _by_kid: Mapping[bytes, tuple[bytes, ...]] = field(repr=False, compare=False)

    @classmethod
    def of(
        cls,
        *,
        region: str,
        version: int,
        issued_at: datetime,
        expires_at: datetime,
        entries: Iterable[TrustListEntry],
    ) -> TrustList:
        """A trust list of ``entries`` (sorted by fingerprint, DSCs indexed by kid)."""
        ordered = tuple(sorted(entries, key=lambda e: e.fingerprint))
        index: dict[bytes, list[bytes]] = {}
        for entry in ordered:
            if entry.kind is CertificateKind.DSC:
                index.setdefault(entry.kid, []).append(entry.der)
        return cls(
            region=region,
            version=version,
            issued_at=issued_at,
            expires_at=expires_at,
            entries=ordered,
            _by_kid={k: tuple(v) for k, v in index.items()},
        )

    def certificates_for(self, kid: bytes) -> Sequence[bytes]:
        """DER of every listed DSC whose DCC kid is ``kid`` (kids may collide: try each)."""
        return self._by_kid.get(bytes(kid), ())

    def entry(self, fingerprint: str) -> TrustListEntry | None:
        """The entry with this SHA-256 fingerprint, if listed."""
        return next((e for e in self.entries if e.fingerprint == fingerprint), None)

    def cscas(self) -> tuple[TrustListEntry, ...]:
        """The listed trust anchors."""
        return tuple(e for e in self.entries if e.kind is CertificateKind.CSCA)

    def valid_at(self, at: datetime) -> bool:
        """True when the list may be relied on at ``at`` (issued, not expired)."""
        return self.issued_at - CLOCK_SKEW <= at < self.expires_at

    @property
    def entries_sha256(self) -> str:
        """:func:`entries_digest` of the entries."""
        return entries_digest(self.entries)


# --- JSON form -------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    """Standard base64 with padding (how DCC trust lists carry kids and DER)."""
    return base64.b64encode(data).decode("ascii")


def entry_json(entry: TrustListEntry) -> dict[str, Any]:
    """One entry as documents list it."""
    return {
        "fingerprint": entry.fingerprint,
        "kid": b64(entry.kid),
        "kind": entry.kind.value,
        "member_id": entry.member_id,
        "jurisdiction": entry.jurisdiction,
        "status": entry.status.value,
        "not_before": format_time(entry.not_before),
        "not_after": format_time(entry.not_after),
        "der": b64(entry.der),
    }


def entries_digest(entries: Iterable[TrustListEntry]) -> str:
    """Hex SHA-256 of the RFC 8785 form of the entries, sorted by fingerprint."""
    ordered = sorted(entries, key=lambda e: e.fingerprint)
    return hashlib.sha256(canonical([entry_json(e) for e in ordered])).hexdigest()


def change_json(change: TrustListChange) -> dict[str, Any]:
    """One change as delta documents list it."""
    return {
        "version": change.version,
        "action": change.action.value,
        "fingerprint": change.fingerprint,
        "at": format_time(change.at),
        "entry": None if change.entry is None else entry_json(change.entry),
    }


def _window(issued_at: datetime, expires_at: datetime) -> dict[str, str]:
    if expires_at <= issued_at:
        raise ValueError("a trust list ends after it starts")
    return {"issued_at": format_time(issued_at), "expires_at": format_time(expires_at)}


def full_payload(
    *,
    region: str,
    version: int,
    issued_at: datetime,
    expires_at: datetime,
    entries: Iterable[TrustListEntry],
) -> dict[str, Any]:
    """The payload of a full document: every listed entry at ``version``."""
    ordered = sorted(entries, key=lambda e: e.fingerprint)
    return {
        "format": FORMAT,
        "region": region,
        "version": version,
        "since": None,
        **_window(issued_at, expires_at),
        "entries_sha256": entries_digest(ordered),
        "entries": [entry_json(e) for e in ordered],
    }


def delta_payload(
    *,
    region: str,
    since: int,
    version: int,
    issued_at: datetime,
    expires_at: datetime,
    changes: Sequence[TrustListChange],
    entries_sha256: str,
) -> dict[str, Any]:
    """The payload of a delta: the changes after ``since`` up to ``version``, in order."""
    if since > version:
        raise ValueError("a delta starts at or before its version")
    return {
        "format": FORMAT,
        "region": region,
        "version": version,
        "since": since,
        **_window(issued_at, expires_at),
        "entries_sha256": entries_sha256,
        "changes": [change_json(c) for c in sorted(changes, key=lambda c: c.version)],
    }


def protected_header(*, key_id: str, algorithm: KeyAlgorithm) -> str:
    """The base64url protected header naming the signing key and the document type."""
    return b64url(canonical({"alg": algorithm.value, "kid": key_id, "typ": JWS_TYPE}))


def signing_input(protected: str, body: Mapping[str, Any]) -> bytes:
    """JWS signing input: ``protected '.' base64url(JCS(payload))`` (RFC 7515 §5.1)."""
    return f"{protected}.{b64url(canonical(body))}".encode("ascii")


def sign_document(
    body: Mapping[str, Any],
    *,
    key_id: str,
    algorithm: KeyAlgorithm,
    sign: Callable[[bytes], bytes],
) -> bytes:
    """The signed document bytes (canonical JSON)."""
    protected = protected_header(key_id=key_id, algorithm=algorithm)
    signature = sign(signing_input(protected, body))
    return canonical(
        {
            "trust_list": body,
            "signature": {"protected": protected, "signature": b64url(signature)},
        }
    )


# --- applying changes ------------------------------------------------------------------------


def apply_changes(
    entries: Iterable[TrustListEntry], changes: Iterable[TrustListChange]
) -> list[TrustListEntry]:
    """The entries after ``changes`` in version order: added and retired entries replace
    their fingerprint's, revoked and expired ones remove it."""
    state = {e.fingerprint: e for e in entries}
    for change in sorted(changes, key=lambda c: c.version):
        if change.action in {ChangeAction.ADDED, ChangeAction.RETIRED} and change.entry:
            state[change.fingerprint] = change.entry
        else:
            state.pop(change.fingerprint, None)
    return sorted(state.values(), key=lambda e: e.fingerprint)


def _reject(reason: TrustListRejectReason, message: str, message_zh: str) -> TrustListRejected:
    return TrustListRejected(reason, message, message_zh)


def adopt(current: TrustList | None, document: TrustListDocument) -> TrustList:
    """The trust list after ``document``: a full one replaces, a delta applies to ``current``.

    Raises TrustListRejected for a version older than held (rollback), a delta that does not
    start at the held version (gap), or a result whose digest is not the signed one (diverged).
    """
    if current is not None and document.version < current.version:
        raise _reject(
            TrustListRejectReason.ROLLBACK,
            f"Refused trust list version {document.version}: version {current.version} was "
            "already accepted (rollback protection).",
            f"拒绝版本 {document.version} 的信任列表：已接受更新的版本 {current.version}。",
        )
    if document.since is None:
        entries: Sequence[TrustListEntry] = document.entries
    else:
        if current is None or document.since != current.version:
            held = "none" if current is None else str(current.version)
            raise _reject(
                TrustListRejectReason.GAP,
                f"The delta starts at version {document.since}, but version {held} is held.",
                f"增量更新起始版本 {document.since} 与本地版本 {held} 不衔接。",
            )
        entries = apply_changes(current.entries, document.changes)
    result = TrustList.of(
        region=document.region,
        version=document.version,
        issued_at=document.issued_at,
        expires_at=document.expires_at,
        entries=entries,
    )
    if result.entries_sha256 != document.entries_sha256:
        raise _reject(
            TrustListRejectReason.DIVERGED,
            f"After version {document.version} the held entries differ from the issuer's "
            "(digest mismatch); fetch the full list.",
            f"应用版本 {document.version} 后与签发方内容不一致，请重新获取完整列表。",
        )
    if document.since is not None:  # a full document's chains were checked when opened
        check_chains(result.entries)
    return result


def check_time(trust_list: TrustList | TrustListDocument, at: datetime) -> None:
    """Raise TrustListRejected when the list is not valid at ``at``."""
    if at >= trust_list.expires_at:
        raise _reject(
            TrustListRejectReason.EXPIRED,
            f"Trust list version {trust_list.version} expired at "
            f"{format_time(trust_list.expires_at)} (now {format_time(at)}).",
            f"信任列表（版本 {trust_list.version}）已于 "
            f"{format_time(trust_list.expires_at)} 过期。",
        )
    if at < trust_list.issued_at - CLOCK_SKEW:
        raise _reject(
            TrustListRejectReason.NOT_YET_VALID,
            f"Trust list version {trust_list.version} is issued after now "
            f"({format_time(at)}): check this machine's clock.",
            "信任列表签发时间晚于当前时间，请检查本机时钟。",
        )


# --- opening documents -----------------------------------------------------------------------


def _malformed(what: str) -> TrustListRejected:
    return _reject(
        TrustListRejectReason.MALFORMED,
        f"Not a signed trust list: {what}.",
        f"不是签名信任列表：{what}。",
    )


def _invalid(location: str, what: str) -> TrustListRejected:
    return _reject(
        TrustListRejectReason.INVALID_CONTENT,
        f"The signed trust list is not well-formed at {location}: {what}.",
        f"签名信任列表内容有误（{location}）：{what}。",
    )


def _envelope(document: bytes) -> tuple[dict[str, Any], str, bytes, dict[str, Any]]:
    if len(document) > MAX_DOCUMENT_BYTES:
        raise _malformed(f"larger than {MAX_DOCUMENT_BYTES} bytes")
    try:
        outer = parse_strict(document)
    except CanonicalJsonError as exc:
        raise _malformed(str(exc)) from exc
    if not isinstance(outer, dict) or set(outer) != {"trust_list", "signature"}:
        raise _malformed("expected an object with exactly 'trust_list' and 'signature'")
    body, sig = outer["trust_list"], outer["signature"]
    if not isinstance(body, dict) or not isinstance(sig, dict):
        raise _malformed("'trust_list' and 'signature' must be objects")
    if set(sig) != {"protected", "signature"} or not all(isinstance(v, str) for v in sig.values()):
        raise _malformed("'signature' must have exactly the strings 'protected' and 'signature'")
    try:
        signature = b64url_decode(sig["signature"])
        header = parse_strict(b64url_decode(sig["protected"]))
    except (ValueError, CanonicalJsonError) as exc:
        raise _malformed("the signature parts are not base64url JSON") from exc
    if not isinstance(header, dict) or header.get("typ") != JWS_TYPE:
        raise _malformed(f"the protected header's typ is not {JWS_TYPE!r}")
    if "crit" in header or "b64" in header:
        raise _malformed("the protected header asks for JWS extensions this verifier lacks")
    if not isinstance(header.get("kid"), str) or header.get("alg") not in set(KeyAlgorithm):
        raise _malformed("the protected header needs a kid and a known alg")
    return body, sig["protected"], signature, header


def _check_signature(
    body: dict[str, Any],
    protected: str,
    signature: bytes,
    header: dict[str, Any],
    root: Mapping[str, Any],
) -> None:
    try:
        trusted = pinned_keys(root)
    except (ValueError, DirectoryRejected) as exc:
        raise _reject(
            TrustListRejectReason.UNTRUSTED_KEY,
            f"The pinned root key is not a usable public JWK: {exc}.",
            "固定的根公钥不是可用的 JWK 公钥。",
        ) from exc
    kid = header["kid"]
    if kid not in trusted:
        raise _reject(
            TrustListRejectReason.UNTRUSTED_KEY,
            f"The trust list is signed by key {kid}, which is not the pinned root key.",
            f"信任列表由密钥 {kid} 签名，不是固定的根密钥。",
        )
    algorithm, jwk = trusted[kid]
    try:
        message = signing_input(protected, body)
    except CanonicalJsonError as exc:
        raise _malformed(str(exc)) from exc
    if header["alg"] != algorithm.value or not jose.verify_jwk(algorithm, jwk, message, signature):
        raise _reject(
            TrustListRejectReason.BAD_SIGNATURE,
            "The trust list's signature does not verify with the root key: it was changed "
            "after signing, or signed by someone else.",
            "信任列表签名验证失败：内容在签名后被改动，或非根密钥签名。",
        )


def _get(obj: Mapping[str, Any], name: str, location: str, kind: type | tuple[type, ...]) -> Any:
    value = obj.get(name) if isinstance(obj, Mapping) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _invalid(f"{location}.{name}", f"expected {getattr(kind, '__name__', kind)}")
    return value


def _time(obj: Mapping[str, Any], name: str, location: str) -> datetime:
    try:
        return parse_time(obj.get(name))
    except ValueError as exc:
        raise _invalid(f"{location}.{name}", "expected an RFC 3339 UTC time ending in Z") from exc


def _b64(text: str, location: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise _invalid(location, "expected base64") from exc


def _entry(raw: Any, location: str) -> TrustListEntry:
    if not isinstance(raw, dict):
        raise _invalid(location, "expected an object")
    der = _b64(_get(raw, "der", location, str), f"{location}.der")
    try:
        info = read_certificate(der)
        kind = CertificateKind(str(raw.get("kind")))
        status = KeyStatus(str(raw.get("status")))
    except (X509Rejected, ValueError) as exc:
        raise _invalid(location, str(exc)) from exc
    jurisdiction = raw.get("jurisdiction")
    if jurisdiction is not None and not isinstance(jurisdiction, str):
        raise _invalid(f"{location}.jurisdiction", "expected a string or null")
    entry = TrustListEntry(
        fingerprint=_get(raw, "fingerprint", location, str),
        kid=_b64(_get(raw, "kid", location, str), f"{location}.kid"),
        kind=kind,
        member_id=_get(raw, "member_id", location, str),
        jurisdiction=jurisdiction,
        status=status,
        not_before=_time(raw, "not_before", location),
        not_after=_time(raw, "not_after", location),
        der=der,
    )
    if (entry.fingerprint, entry.kid, entry.not_before, entry.not_after) != (
        info.fingerprint,
        info.kid,
        info.not_before,
        info.not_after,
    ):
        raise _invalid(location, "fingerprint, kid or validity do not match the certificate")
    if (entry.kind is CertificateKind.CSCA) != info.is_ca:
        raise _invalid(location, "a CSCA entry must hold a CA certificate and a DSC must not")
    return entry


def _change(raw: Any, location: str) -> TrustListChange:
    if not isinstance(raw, dict):
        raise _invalid(location, "expected an object")
    try:
        action = ChangeAction(str(raw.get("action")))
    except ValueError as exc:
        raise _invalid(f"{location}.action", "unknown action") from exc
    entry_raw = raw.get("entry")
    entry = None if entry_raw is None else _entry(entry_raw, f"{location}.entry")
    fingerprint = _get(raw, "fingerprint", location, str)
    keeps = action in {ChangeAction.ADDED, ChangeAction.RETIRED}
    if keeps != (entry is not None) or (entry is not None and entry.fingerprint != fingerprint):
        raise _invalid(location, "added and retired changes carry their entry, others none")
    return TrustListChange(
        version=_get(raw, "version", location, int),
        action=action,
        fingerprint=fingerprint,
        at=_time(raw, "at", location),
        entry=entry,
    )


def check_chains(entries: Iterable[TrustListEntry]) -> None:
    """Every DSC must chain to a listed CSCA (shell model); TrustListRejected otherwise."""
    listed = list(entries)
    cscas = [e.der for e in listed if e.kind is CertificateKind.CSCA]
    for entry in listed:
        if entry.kind is not CertificateKind.DSC:
            continue
        problems = []
        for csca in cscas:
            try:
                verify_dsc(entry.der, csca)
                break
            except X509Rejected as exc:
                problems.append(exc.message)
        else:
            raise _invalid(
                f"entry {entry.fingerprint}",
                "the DSC chains to no listed CSCA" + (f" ({problems[0]})" if problems else ""),
            )


def open_document(document: bytes, root_public_jwk: Mapping[str, Any]) -> TrustListDocument:
    """Check the signature against the pinned root key(s), then the structure; not the time."""
    body, protected, signature, header = _envelope(document)
    _check_signature(body, protected, signature, header, root_public_jwk)
    if body.get("format") != FORMAT:
        raise _invalid("trust_list.format", f"expected {FORMAT!r}; this verifier may be too old")
    loc = "trust_list"
    version = _get(body, "version", loc, int)
    since = body.get("since")
    if since is not None and (not isinstance(since, int) or isinstance(since, bool)):
        raise _invalid(f"{loc}.since", "expected an integer or null")
    if version < 0 or (since is not None and not 0 <= since <= version):
        raise _invalid(f"{loc}.version", "versions are non-negative and since <= version")
    issued_at, expires_at = _time(body, "issued_at", loc), _time(body, "expires_at", loc)
    if expires_at <= issued_at:
        raise _invalid(f"{loc}.expires_at", "expires before it is issued")
    entries: tuple[TrustListEntry, ...] = ()
    changes: tuple[TrustListChange, ...] = ()
    if since is None:
        raw = _get(body, "entries", loc, list)
        entries = tuple(_entry(e, f"{loc}.entries[{i}]") for i, e in enumerate(raw))
        if len({e.fingerprint for e in entries}) != len(entries):
            raise _invalid(f"{loc}.entries", "a certificate is listed twice")
        check_chains(entries)
    else:
        raw = _get(body, "changes", loc, list)
        changes = tuple(_change(c, f"{loc}.changes[{i}]") for i, c in enumerate(raw))
        numbers = [c.version for c in changes]
        if numbers != sorted(set(numbers)) or any(not since < n <= version for n in numbers):
            raise _invalid(f"{loc}.changes", "change versions must increase within the delta")
    return TrustListDocument(
        region=_get(body, "region", loc, str),
        version=version,
        since=since,
        issued_at=issued_at,
        expires_at=expires_at,
        entries_sha256=_get(body, "entries_sha256", loc, str),
        entries=entries,
        changes=changes,
        document=document,
    )


def verify_document(
    document: bytes, root_public_jwk: Mapping[str, Any], *, at: datetime
) -> TrustListDocument:
    """:func:`open_document`, then valid at ``at``; raises TrustListRejected."""
    opened = open_document(document, root_public_jwk)
    check_time(opened, at)
    return opened
