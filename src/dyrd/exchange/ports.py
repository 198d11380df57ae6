"""Ports of the exchange domain: how the consumer gateway reaches provider nodes.

Implementations are in ``dyrd.exchange.adapters``; ``dyrd.bootstrap`` wires them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from dyrd.trust import KeyWindow


@dataclass(frozen=True, slots=True)
class RawResponse:
    """A provider's answer as received."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


class GatewayTransport(Protocol):
    """Sends one signed request to a provider node and returns its answer as received."""

    def get(self, url: str, headers: Sequence[tuple[str, str]]) -> RawResponse:
        """GET ``url`` with these headers; ServiceUnavailable when the node does not answer."""
        ...


@dataclass(frozen=True, slots=True)
class LocatedKey:
    """A member's public key as a locator found it, with the window in which it signs."""

    kid: str
    member_id: str
    algorithm: str
    """JOSE name: ``ES256`` or ``EdDSA``."""
    public_jwk: Mapping[str, str]
    window: KeyWindow


class MemberLocator(Protocol):
    """Where member X's node is and what its keys are.

    Two adapters (``dyrd.exchange.adapters.member_locator``): the local database, when one
    process hosts every member (the embedded default), and the verified signed directory, on a
    federated node whose database knows only its own member's keys.
    """

    def node_url(self, session: Session, member_id: str) -> str | None:
        """The base URL of the member's node, or None when it has none."""
        ...

    def key(self, session: Session, kid: str) -> LocatedKey | None:
        """The public key ``kid`` and its member, or None when no member lists it."""
        ...
