"""The signed regional directory: its JSON form, signing input and verification (pure).

Like X-Road's signed global configuration, the directory tells every node who the members are,
where their nodes answer, which services they offer and which public keys speak for them. The
region's root key signs it; a node pins that one public key and trusts the rest through it.

Form: one JSON object ``{"directory": PAYLOAD, "signature": {"protected": H, "signature": S}}``.
That is a JWS in flattened JSON serialisation (RFC 7515 §7.2.2) with a detached payload
(RFC 7515 Appendix F): the payload bytes are the RFC 8785 canonical form of ``directory``, so any
JOSE library verifies it after computing ``base64url(JCS(directory))``. JSON rather than COSE
because the directory is served over HTTP to programs and read by people; determinism comes
from JCS, not from a second binary encoding (COSE suits the credential domain's QR codes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from dyrd.trust.compute import jose
from dyrd.trust.compute.jcs import CanonicalJsonError, canonical, parse_strict
from dyrd.trust.types import KeyAlgorithm, KeyStatus, KeyWindow, MemberKind

FORMAT = "dyrd-directory/1"
"""Value of the payload's ``format`` member; a change that old nodes cannot read bumps it."""

JWS_TYPE = "dyrd-directory+jcs"
"""The protected header's ``typ`` (RFC 7515 §4.1.9), so no other signed object passes as one."""

MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
"""Largest document accepted; the YRD directory with 21 members is about 20 KB."""

CLOCK_SKEW = timedelta(minutes=5)
"""Tolerance for a node whose clock runs behind the issuer's (Kerberos' default, RFC 4120)."""

_E = TypeVar("_E", bound=StrEnum)


class RejectReason(StrEnum):
    """Why a directory document was refused."""

    MALFORMED = "malformed"
    UNTRUSTED_KEY = "untrusted-key"
    BAD_SIGNATURE = "bad-signature"
    INVALID_CONTENT = "invalid-content"
    NOT_YET_VALID = "not-yet-valid"
    EXPIRED = "expired"
    ROLLBACK = "rollback"
    FORKED = "forked"


class DirectoryRejected(ValueError):
    """A directory document that must not be used, with the reason in both languages."""

    def __init__(self, reason: RejectReason, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True, slots=True)
class DirectoryService:
    """A service a member's node offers, named as X-Road names them: code and optional version."""

    code: str
    version: str | None
    title_zh: str
    title_en: str


@dataclass(frozen=True, slots=True)
class DirectoryKey:
    """A member's public key and the window in which its signatures count."""

    kid: str
    algorithm: KeyAlgorithm
    status: KeyStatus
    window: KeyWindow
    jwk: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class DirectoryMember:
    """A member as the directory lists it."""

    id: str
    name_zh: str
    name_en: str
    kind: MemberKind
    parent_id: str | None
    node_url: str | None
    services: tuple[DirectoryService, ...]
    keys: tuple[DirectoryKey, ...]


@dataclass(frozen=True, slots=True)
class Directory:
    """A verified directory; also a ``Verifier`` of members' signatures, without a database."""

    serial: int
    region: str
    issued_at: datetime
    expires_at: datetime
    signed_by: str
    members: tuple[DirectoryMember, ...]
    document: bytes = field(repr=False)
    payload_sha256: str = field(repr=False)
    key_index: Mapping[str, tuple[str, DirectoryKey]] = field(repr=False, compare=False)
    loaded_keys: Mapping[str, jose.PublicKeyObject] = field(repr=False, compare=False)

    def member(self, member_id: str) -> DirectoryMember | None:
        """The member with this identifier, if listed."""
        return next((m for m in self.members if m.id == member_id), None)

    def key(self, kid: str) -> tuple[str, DirectoryKey] | None:
        """(member id, key) of the key ``kid``, if listed."""
        return self.key_index.get(kid)

    def valid_at(self, at: datetime) -> bool:
        """True when the directory may be used at ``at`` (issued, not expired)."""
        return self.issued_at - CLOCK_SKEW <= at < self.expires_at

    def verify(self, key_id: str, data: bytes, signature: bytes, *, at: datetime) -> bool:
        """True when a listed key signed ``data`` at ``at`` within its validity window."""
        found = self.key_index.get(key_id)
        if found is None:
            return False
        key = found[1]
        return key.window.covers(at) and jose.verify_with_key(
            key.algorithm, self.loaded_keys[key_id], data, signature
        )


# --- building ----------------------------------------------------------------------------------


def format_time(at: datetime) -> str:
    """RFC 3339 UTC with ``Z``; microseconds only when there are some."""
    if at.tzinfo is None:
        raise ValueError("directory times must be timezone-aware")
    text = at.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def parse_time(text: object) -> datetime:
    """A time written by :func:`format_time`; ValueError otherwise."""
    if not isinstance(text, str) or not text.endswith("Z") or "T" not in text:
        raise ValueError("not an RFC 3339 UTC time ending in Z")
    at = datetime.fromisoformat(text[:-1] + "+00:00")
    return at.astimezone(UTC)


def key_entry(
    *,
    kid: str,
    algorithm: KeyAlgorithm,
    status: KeyStatus,
    window: KeyWindow,
    jwk: Mapping[str, str],
) -> dict[str, Any]:
    """One key as the payload lists it."""
    return {
        "kid": kid,
        "alg": algorithm.value,
        "status": status.value,
        "not_before": format_time(window.not_before),
        "not_after": None if window.not_after is None else format_time(window.not_after),
        "revoked_at": None if window.revoked_at is None else format_time(window.revoked_at),
        "jwk": dict(jose.jwk_of_key(jose.key_from_jwk(jwk))),
    }


def service_entry(service: DirectoryService) -> dict[str, Any]:
    """One service as the payload lists it."""
    return {
        "code": service.code,
        "version": service.version,
        "title_zh": service.title_zh,
        "title_en": service.title_en,
    }


def member_entry(
    *,
    member_id: str,
    name_zh: str,
    name_en: str,
    kind: MemberKind,
    parent_id: str | None,
    node_url: str | None,
    services: Sequence[DirectoryService],
    keys: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """One member as the payload lists it (``keys`` from :func:`key_entry`)."""
    node = None
    if node_url is not None:
        node = {"url": node_url, "services": [service_entry(s) for s in services]}
    return {
        "id": member_id,
        "name_zh": name_zh,
        "name_en": name_en,
        "kind": kind.value,
        "parent_id": parent_id,
        "node": node,
        "keys": list(keys),
    }


def payload(
    *,
    region: str,
    serial: int,
    issued_at: datetime,
    expires_at: datetime,
    members: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The directory payload (``members`` from :func:`member_entry`, in a stable order)."""
    if serial < 1 or expires_at <= issued_at:
        raise ValueError("a directory has a positive serial and ends after it starts")
    return {
        "format": FORMAT,
        "region": region,
        "serial": serial,
        "issued_at": format_time(issued_at),
        "expires_at": format_time(expires_at),
        "members": list(members),
    }


def listing_digest(*, region: str, members: Sequence[Mapping[str, Any]]) -> str:
    """Hex SHA-256 of what a directory lists, without serial and times.

    Equal digests mean an unchanged listing, so a server republishes only when something
    changed or the current document is getting old.
    """
    return hashlib.sha256(
        canonical({"format": FORMAT, "region": region, "members": list(members)})
    ).hexdigest()


def content_digest(body: Mapping[str, Any]) -> str:
    """:func:`listing_digest` of a payload built by :func:`payload`."""
    return listing_digest(region=body["region"], members=body["members"])


def protected_header(*, key_id: str, algorithm: KeyAlgorithm) -> str:
    """The base64url protected header naming the signing key and the document type."""
    return jose.b64url(canonical({"alg": algorithm.value, "kid": key_id, "typ": JWS_TYPE}))


def signing_input(protected: str, body: Mapping[str, Any]) -> bytes:
    """JWS signing input: ``protected '.' base64url(JCS(payload))`` (RFC 7515 §5.1)."""
    return f"{protected}.{jose.b64url(canonical(body))}".encode("ascii")


def sign_directory(
    body: Mapping[str, Any],
    *,
    key_id: str,
    algorithm: KeyAlgorithm,
    sign: Callable[[bytes], bytes],
) -> bytes:
    """The signed document bytes (canonical JSON), signed by ``sign`` with the root key."""
    protected = protected_header(key_id=key_id, algorithm=algorithm)
    signature = sign(signing_input(protected, body))
    return canonical(
        {
            "directory": body,
            "signature": {"protected": protected, "signature": jose.b64url(signature)},
        }
    )


# --- verification ------------------------------------------------------------------------------


def _reject(reason: RejectReason, message: str, message_zh: str) -> DirectoryRejected:
    return DirectoryRejected(reason, message, message_zh)


def _malformed(what: str) -> DirectoryRejected:
    return _reject(
        RejectReason.MALFORMED,
        f"Not a signed directory document: {what}.",
        f"不是签名目录文件：{what}。",
    )


def _invalid(location: str, what: str) -> DirectoryRejected:
    return _reject(
        RejectReason.INVALID_CONTENT,
        f"The signed directory is not well-formed at {location}: {what}.",
        f"签名目录内容有误（{location}）：{what}。",
    )


def pinned_keys(root: Mapping[str, Any]) -> dict[str, tuple[KeyAlgorithm, Mapping[str, Any]]]:
    """Pinned root keys by RFC 7638 thumbprint, from one JWK or a JWK Set ``{"keys": [...]}``.

    A set lets a node trust the current and the next root key during a root key rollover.
    """
    if not isinstance(root, Mapping):
        # ValueError, not TypeError: callers catch ValueError for any unusable key.
        raise ValueError("expected a JWK or a JWK Set (a JSON object)")  # noqa: TRY004
    jwks = root.get("keys") if "keys" in root else [root]
    if not isinstance(jwks, list) or not jwks:
        raise ValueError("a JWK Set needs a non-empty list of keys")
    out: dict[str, tuple[KeyAlgorithm, Mapping[str, Any]]] = {}
    for jwk in jwks:
        algorithm = jose.algorithm_of(jwk)  # ValueError for anything but a public key
        if jwk.get("alg", algorithm.value) != algorithm.value:
            raise ValueError(f"the JWK says alg {jwk['alg']!r} but is a {algorithm.value} key")
        out[jose.thumbprint(jwk)] = (algorithm, jwk)
    return out


def _envelope(document: bytes) -> tuple[dict[str, Any], str, bytes]:
    if len(document) > MAX_DOCUMENT_BYTES:
        raise _malformed(f"larger than {MAX_DOCUMENT_BYTES} bytes")
    try:
        outer = parse_strict(document)
    except CanonicalJsonError as exc:
        raise _malformed(str(exc)) from exc
    if not isinstance(outer, dict) or set(outer) != {"directory", "signature"}:
        raise _malformed("expected an object with exactly 'directory' and 'signature'")
    body, sig = outer["directory"], outer["signature"]
    if not isinstance(body, dict) or not isinstance(sig, dict):
        raise _malformed("'directory' and 'signature' must be objects")
    if set(sig) != {"protected", "signature"}:
        raise _malformed("'signature' must have exactly 'protected' and 'signature'")
    protected = sig["protected"]
    try:
        signature = jose.b64url_decode(sig["signature"])
        jose.b64url_decode(protected)
    except ValueError as exc:
        raise _malformed("the signature parts are not base64url") from exc
    return body, protected, signature


def _header(protected: str) -> dict[str, Any]:
    try:
        header = parse_strict(jose.b64url_decode(protected))
    except (ValueError, CanonicalJsonError) as exc:
        raise _malformed("the protected header is not a JSON object") from exc
    if not isinstance(header, dict):
        raise _malformed("the protected header is not a JSON object")
    if header.get("typ") != JWS_TYPE:
        raise _malformed(f"the protected header's typ is not {JWS_TYPE!r}")
    if "crit" in header or "b64" in header:
        raise _malformed("the protected header asks for JWS extensions this verifier lacks")
    if not isinstance(header.get("kid"), str) or header.get("alg") not in set(KeyAlgorithm):
        raise _malformed("the protected header needs a kid and alg ES256 or EdDSA")
    return header


def _check_signature(
    body: dict[str, Any], protected: str, signature: bytes, root: Mapping[str, Any]
) -> str:
    header = _header(protected)
    try:
        trusted = pinned_keys(root)
    except ValueError as exc:
        raise _reject(
            RejectReason.UNTRUSTED_KEY,
            f"The pinned root key is not a usable public JWK: {exc}.",
            "固定的根公钥不是可用的 JWK 公钥。",
        ) from exc
    kid = header["kid"]
    if kid not in trusted:
        raise _reject(
            RejectReason.UNTRUSTED_KEY,
            f"The directory is signed by key {kid}, which is not the pinned root key "
            f"({', '.join(sorted(trusted))}).",
            f"目录由密钥 {kid} 签名，不是固定的根密钥。",
        )
    algorithm, jwk = trusted[kid]
    if header["alg"] != algorithm.value:
        raise _reject(
            RejectReason.BAD_SIGNATURE,
            f"The header says {header['alg']} but the root key is a {algorithm.value} key.",
            "签名算法与根密钥不符。",
        )
    try:
        message = signing_input(protected, body)
    except CanonicalJsonError as exc:
        raise _malformed(str(exc)) from exc
    if not jose.verify_jwk(algorithm, jwk, message, signature):
        raise _reject(
            RejectReason.BAD_SIGNATURE,
            "The directory's signature does not verify with the root key: it was changed "
            "after signing, or signed by someone else.",
            "目录签名验证失败：内容在签名后被改动，或非根密钥签名。",
        )
    return str(kid)


class _Reader:
    """Typed access to parsed JSON with locations in every message."""

    def __init__(self, value: Any, location: str) -> None:
        self.value = value
        self.location = location

    def obj(self) -> dict[str, Any]:
        if not isinstance(self.value, dict):
            raise _invalid(self.location, "expected an object")
        return self.value

    def at(self, name: str) -> _Reader:
        obj = self.obj()
        if name not in obj:
            raise _invalid(self.location, f"missing {name!r}")
        return _Reader(obj[name], f"{self.location}.{name}")

    def items(self) -> list[_Reader]:
        if not isinstance(self.value, list):
            raise _invalid(self.location, "expected a list")
        return [_Reader(v, f"{self.location}[{i}]") for i, v in enumerate(self.value)]

    def text(self, *, optional: bool = False) -> str:
        if optional and self.value is None:
            return ""
        if not isinstance(self.value, str) or not self.value:
            raise _invalid(self.location, "expected a non-empty string")
        return self.value

    def maybe_text(self) -> str | None:
        return None if self.value is None else self.text()

    def integer(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise _invalid(self.location, "expected an integer")
        return self.value

    def time(self) -> datetime:
        try:
            return parse_time(self.value)
        except ValueError as exc:
            raise _invalid(self.location, "expected an RFC 3339 UTC time ending in Z") from exc

    def maybe_time(self) -> datetime | None:
        return None if self.value is None else self.time()

    def choice(self, enum: type[_E]) -> _E:
        try:
            return enum(self.value)
        except ValueError as exc:
            allowed = ", ".join(e.value for e in enum)
            raise _invalid(self.location, f"expected one of {allowed}") from exc


def _key(reader: _Reader) -> DirectoryKey:
    kid = reader.at("kid").text()
    algorithm = reader.at("alg").choice(KeyAlgorithm)
    jwk_reader = reader.at("jwk")
    jwk = jwk_reader.obj()
    try:
        if jose.thumbprint(jwk) != kid or jose.algorithm_of(jwk) != algorithm:
            raise _invalid(jwk_reader.location, f"does not match kid {kid} and alg {algorithm}")
    except ValueError as exc:
        if isinstance(exc, DirectoryRejected):
            raise
        raise _invalid(jwk_reader.location, f"not a public JWK ({exc})") from exc
    window = KeyWindow(
        not_before=reader.at("not_before").time(),
        not_after=reader.at("not_after").maybe_time(),
        revoked_at=reader.at("revoked_at").maybe_time(),
    )
    return DirectoryKey(
        kid=kid,
        algorithm=algorithm,
        status=reader.at("status").choice(KeyStatus),
        window=window,
        jwk={k: str(v) for k, v in jwk.items()},
    )


def _service(reader: _Reader) -> DirectoryService:
    return DirectoryService(
        code=reader.at("code").text(),
        version=reader.at("version").maybe_text(),
        title_zh=reader.at("title_zh").text(),
        title_en=reader.at("title_en").text(),
    )


def _member(reader: _Reader) -> DirectoryMember:
    node = reader.at("node")
    url: str | None = None
    services: tuple[DirectoryService, ...] = ()
    if node.value is not None:
        url = node.at("url").text()
        services = tuple(_service(s) for s in node.at("services").items())
    return DirectoryMember(
        id=reader.at("id").text(),
        name_zh=reader.at("name_zh").text(),
        name_en=reader.at("name_en").text(),
        kind=reader.at("kind").choice(MemberKind),
        parent_id=reader.at("parent_id").maybe_text(),
        node_url=url,
        services=services,
        keys=tuple(_key(k) for k in reader.at("keys").items()),
    )


def _content(body: dict[str, Any], document: bytes, signed_by: str) -> Directory:
    try:
        payload_sha256 = hashlib.sha256(canonical(body)).hexdigest()
    except CanonicalJsonError as exc:  # pragma: no cover  # the signature check canonicalised it
        raise _malformed(str(exc)) from exc
    root = _Reader(body, "directory")
    if body.get("format") != FORMAT:
        raise _invalid("directory.format", f"expected {FORMAT!r}; this node may be too old")
    serial = root.at("serial").integer()
    if serial < 1:
        raise _invalid("directory.serial", "expected a positive integer")
    issued_at, expires_at = root.at("issued_at").time(), root.at("expires_at").time()
    if expires_at <= issued_at:
        raise _invalid("directory.expires_at", "expires before it is issued")
    members = tuple(_member(m) for m in root.at("members").items())
    if len({m.id for m in members}) != len(members):
        raise _invalid("directory.members", "a member is listed twice")
    keys: dict[str, tuple[str, DirectoryKey]] = {}
    loaded: dict[str, jose.PublicKeyObject] = {}
    for member in members:
        for key in member.keys:
            if key.kid in keys:
                raise _invalid("directory.members", f"key {key.kid} is listed twice")
            keys[key.kid] = (member.id, key)
            loaded[key.kid] = jose.key_from_jwk(key.jwk)  # checked valid by _key
    return Directory(
        serial=serial,
        region=root.at("region").text(),
        issued_at=issued_at,
        expires_at=expires_at,
        signed_by=signed_by,
        members=members,
        document=document,
        payload_sha256=payload_sha256,
        key_index=keys,
        loaded_keys=loaded,
    )


def open_directory(document: bytes, root_public_jwk: Mapping[str, Any]) -> Directory:
    """Check the signature against the pinned root key(s), then the structure; not the time.

    Raises DirectoryRejected. The signature is checked before any content is interpreted.
    """
    body, protected, signature = _envelope(document)
    signed_by = _check_signature(body, protected, signature, root_public_jwk)
    return _content(body, document, signed_by)


def check_time(directory: Directory, at: datetime) -> None:
    """Raise DirectoryRejected when ``directory`` is not valid at ``at``."""
    if at >= directory.expires_at:
        raise _reject(
            RejectReason.EXPIRED,
            f"Directory serial {directory.serial} expired at "
            f"{format_time(directory.expires_at)} (now {format_time(at)}).",
            f"目录（序号 {directory.serial}）已于 {format_time(directory.expires_at)} 过期。",
        )
    if at < directory.issued_at - CLOCK_SKEW:
        raise _reject(
            RejectReason.NOT_YET_VALID,
            f"Directory serial {directory.serial} is issued at "
            f"{format_time(directory.issued_at)}, after now ({format_time(at)}): "
            "check this machine's clock.",
            f"目录签发时间 {format_time(directory.issued_at)} 晚于当前时间，请检查本机时钟。",
        )


def verify_directory(
    document: bytes, root_public_jwk: Mapping[str, Any], *, at: datetime
) -> Directory:
    """Verify signature, structure and validity at ``at``; raise DirectoryRejected if any fails.

    ``root_public_jwk`` is the pinned root public key as a JWK, or a JWK Set of several.
    """
    directory = open_directory(document, root_public_jwk)
    check_time(directory, at)
    return directory


def check_succession(current: Directory | None, candidate: Directory) -> bool:
    """May ``candidate`` replace ``current``? True if newer, False if the very same document.

    Raises DirectoryRejected for an older serial (rollback) or a different listing under the
    same serial (a forked or compromised issuer). The same listing with another valid signature
    (ECDSA signatures are not unique) is not a fork.
    """
    if current is None or candidate.serial > current.serial:
        return True
    if candidate.serial < current.serial:
        raise _reject(
            RejectReason.ROLLBACK,
            f"Refused directory serial {candidate.serial}: serial {current.serial} was "
            "already accepted (rollback protection).",
            f"拒绝序号 {candidate.serial} 的目录：已接受更新的序号 {current.serial}（防回滚）。",
        )
    if candidate.payload_sha256 != current.payload_sha256:
        raise _reject(
            RejectReason.FORKED,
            f"Two different documents carry directory serial {candidate.serial}.",
            f"序号 {candidate.serial} 对应两份不同的目录文件。",
        )
    return False


def summary(directory: Directory) -> dict[str, Any]:
    """A short JSON-ready description of a verified directory (for CLIs and logs)."""
    return {
        "serial": directory.serial,
        "region": directory.region,
        "issued_at": format_time(directory.issued_at),
        "expires_at": format_time(directory.expires_at),
        "signed_by": directory.signed_by,
        "members": len(directory.members),
        "keys": sum(len(m.keys) for m in directory.members),
        "nodes": sum(1 for m in directory.members if m.node_url),
    }
