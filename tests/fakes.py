"""Fakes of the ports, for tests that exercise one domain without wiring the others."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dyrd.core.auth import Principal
from dyrd.core.errors import AuthenticationRequired


@dataclass
class FakeAuthenticator:
    """Maps fixed bearer tokens to principals (implements dyrd.core.auth.Authenticator)."""

    principals: dict[str, Principal] = field(default_factory=dict)

    def __call__(self, session: Session, token: str) -> Principal:
        try:
            return self.principals[token]
        except KeyError:
            raise AuthenticationRequired("Unknown token.", "令牌无效。") from None
