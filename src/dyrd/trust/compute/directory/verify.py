"""Verifying a directory document: signature first, then structure, then time and succession."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from dyrd.core.b64 import b64url_decode
from dyrd.core.jcs import CanonicalJsonError, canonical, parse_strict
from dyrd.trust.compute import jose
from dyrd.trust.compute.directory.build import signing_input
from dyrd.trust.compute.directory.model import (
    CLOCK_SKEW,
    FORMAT,
    JWS_TYPE,
    MAX_DOCUMENT_BYTES,
    Directory,
    DirectoryKey,
    DirectoryMember,
    DirectoryRejected,
    DirectoryService,
    DirectoryTrustList,
    RejectReason,
    format_time,
    parse_time,
)
from dyrd.trust.types import KeyAlgorithm, KeyStatus, KeyWindow, MemberKind

_E = TypeVar("_E", bound=StrEnum)


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
        signature = b64url_decode(sig["signature"])
        b64url_decode(protected)
    except ValueError as exc:
        raise _malformed("the signature parts are not base64url") from exc
    return body, protected, signature


def _header(protected: str) -> dict[str, Any]:
    try:
        header = parse_strict(b64url_decode(protected))
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


def _trust_list(root: _Reader) -> DirectoryTrustList | None:
    if "trust_list" not in root.obj():
        return None
    pointer = root.at("trust_list")
    version = pointer.at("version").integer()
    if version < 1:
        raise _invalid(f"{pointer.location}.version", "expected a positive integer")
    return DirectoryTrustList(
        version=version,
        entries_sha256=pointer.at("entries_sha256").text(),
        url=pointer.at("url").text(),
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
        trust_list=_trust_list(root),
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
