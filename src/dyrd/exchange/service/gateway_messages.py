"""What one exchange through the provider gateway carries: settings, request, state, refusal.

The value types the gateway's modules pass between them (``gateway`` orchestrates them, the
other ``gateway_*`` modules each handle one step), and the small helpers they share.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dyrd.exchange.compute import httpsig, xroad
from dyrd.exchange.service.gateway_privacy import PrivacySettings

Answer = tuple[int, bytes, str, dict[str, str]]
"""A served exchange before signing: status, body, content type and extra headers."""


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    """Tunables of the provider gateway (``DYRD_GATEWAY_*`` settings)."""

    skew: timedelta = xroad.DEFAULT_SKEW
    algorithm: str = "ES256"
    """Algorithm of the provider key that signs responses (a ``KeyAlgorithm`` value)."""
    upstream_timeout: float = 10.0
    retry_after: int = 30
    """Seconds a client is told to wait when an upstream service or node is down."""
    nonce_prune_seconds: float = 60.0
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    """k, l and suppression of row releases to other members; ε total of a new grant budget."""


@dataclass(frozen=True, slots=True)
class IncomingRequest:
    """What the HTTP edge hands over: the request as it arrived."""

    method: str
    target_uri: str
    path: str
    query: str
    headers: Sequence[tuple[str, str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class GatewayResponse:
    """What goes back: status, headers (signed ones included) and the body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(slots=True)
class ExchangeState:
    """What is known about one exchange so far: the ledger entry is built from it."""

    request: IncomingRequest
    message: httpsig.HttpMessage
    client: str | None = None
    message_id: str | None = None
    user_id: str | None = None
    issue: str | None = None
    grant_id: str | None = None
    provider: str | None = None
    service: str | None = None
    resource_id: str | None = None
    fields: list[str] = field(default_factory=list)
    rows: int | None = None
    request_hash: str = ""
    signature: httpsig.ReceivedSignature | None = None
    nonce: str | None = None
    nonce_expires: datetime | None = None
    claimed: bool = False
    key_id: str | None = None
    privacy: dict[str, Any] | None = None
    """What the privacy gates did (anonymity levels, or ε spent and left), for the ledger."""


class Refusal(Exception):
    """An exchange the gateway refuses: an HTTP status, a reason code and bilingual text."""

    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        message_zh: str,
        *,
        hint: str = "",
        headers: Mapping[str, str] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.message_zh = message_zh
        self.hint = hint
        self.headers = dict(headers or {})
        self.details = dict(details or {})
        """Extra members of the problem body (counts, a budget), never data values."""


def replayed(ex: ExchangeState) -> Refusal:
    """The 409 of a nonce already used."""
    return Refusal(
        409,
        "replayed-nonce",
        f"Nonce {ex.nonce!r} of {ex.client!r} was already used.",
        "该 nonce 已被使用：疑似重放请求。",
        hint="Every request needs a fresh nonce; a client must never resend one.",
    )


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` in hex: request and response hashes of both sides' ledgers."""
    return hashlib.sha256(data).hexdigest()


def header_value(message: httpsig.HttpMessage, name: str) -> str | None:
    """The value of header ``name``, stripped; X-Road: the last one wins."""
    values = message.field_values(name)
    return values[-1].strip() if values else None


def json_bytes(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON, the gateway's response bodies."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode()
