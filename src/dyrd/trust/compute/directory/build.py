"""Building and signing a directory document: payload, canonical bytes, detached JWS."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from dyrd.core.b64 import b64url
from dyrd.core.jcs import canonical
from dyrd.trust.compute import jose
from dyrd.trust.compute.directory.model import (
    FORMAT,
    JWS_TYPE,
    DirectoryService,
    format_time,
)
from dyrd.trust.types import KeyAlgorithm, KeyStatus, KeyWindow, MemberKind


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
    trust_list: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The directory payload (``members`` from :func:`member_entry`, in a stable order).

    ``trust_list`` (``{"version", "entries_sha256", "url"}``) points at the credential trust
    list; absent until there is one, so older nodes read the document as before.
    """
    if serial < 1 or expires_at <= issued_at:
        raise ValueError("a directory has a positive serial and ends after it starts")
    body = {
        "format": FORMAT,
        "region": region,
        "serial": serial,
        "issued_at": format_time(issued_at),
        "expires_at": format_time(expires_at),
        "members": list(members),
    }
    if trust_list is not None:
        body["trust_list"] = dict(trust_list)
    return body


def listing_digest(
    *,
    region: str,
    members: Sequence[Mapping[str, Any]],
    trust_list: Mapping[str, Any] | None = None,
) -> str:
    """Hex SHA-256 of what a directory lists, without serial and times.

    Equal digests mean an unchanged listing, so a server republishes only when something
    changed or the current document is getting old.
    """
    listing: dict[str, Any] = {"format": FORMAT, "region": region, "members": list(members)}
    if trust_list is not None:
        listing["trust_list"] = dict(trust_list)
    return hashlib.sha256(canonical(listing)).hexdigest()


def content_digest(body: Mapping[str, Any]) -> str:
    """:func:`listing_digest` of a payload built by :func:`payload`."""
    return listing_digest(
        region=body["region"], members=body["members"], trust_list=body.get("trust_list")
    )


def protected_header(*, key_id: str, algorithm: KeyAlgorithm) -> str:
    """The base64url protected header naming the signing key and the document type."""
    return b64url(canonical({"alg": algorithm.value, "kid": key_id, "typ": JWS_TYPE}))


def signing_input(protected: str, body: Mapping[str, Any]) -> bytes:
    """JWS signing input: ``protected '.' base64url(JCS(payload))`` (RFC 7515 §5.1)."""
    return f"{protected}.{b64url(canonical(body))}".encode("ascii")


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
            "signature": {"protected": protected, "signature": b64url(signature)},
        }
    )
