"""The authenticated caller as every domain sees it, and the port that resolves a token to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.errors import PermissionDenied
from dyrd.core.types import REGION_MEMBER_ID, Role


@dataclass(frozen=True, slots=True)
class Principal:
    """A user with the roles they hold, per member (member id -> roles)."""

    user: str
    roles: dict[str, frozenset[Role]] = field(default_factory=dict)

    def has_role(self, role: Role, member: str | None = None) -> bool:
        """True if the user holds ``role`` (or a higher one) in ``member``, or anywhere if None."""
        return any(
            _covers(held_member, member) and any(r.rank >= role.rank for r in held)
            for held_member, held in self.roles.items()
        )

    def acting_for(self, role: Role, member: str | None = None) -> Actor:
        """The actor for a write needing ``role``; raises PermissionDenied when not held."""
        if member is not None:
            if not self.has_role(role, member):
                raise PermissionDenied(
                    f"User {self.user!r} lacks role {role.value!r} in member {member!r}.",
                    f"用户 {self.user} 在成员 {member} 中没有 {role.value} 角色。",
                    hint="Ask an administrator of that member to grant the role.",
                )
            return Actor(user=self.user, member=member)
        for held_member, held in sorted(self.roles.items()):
            if any(r.rank >= role.rank for r in held):
                return Actor(user=self.user, member=held_member)
        raise PermissionDenied(
            f"User {self.user!r} lacks role {role.value!r} in every member.",
            f"用户 {self.user} 没有 {role.value} 角色。",
            hint="Ask an administrator to grant the role.",
        )


class Authenticator(Protocol):
    """Resolves a bearer token to a principal (implemented by the trust domain)."""

    def __call__(self, session: Session, token: str) -> Principal:
        """Return the principal or raise AuthenticationRequired."""
        ...


def _covers(held_member: str, member: str | None) -> bool:
    """A role in a member also applies to its departments; the region's role applies everywhere."""
    return (
        member is None
        or held_member in (member, REGION_MEMBER_ID)
        or member.startswith(held_member + "/")
    )
