"""Where members' nodes are and what their keys are: from the local database or the directory.

``DatabaseMemberLocator`` reads the trust tables, which hold every member when one process hosts
the whole region (``make run``). ``DirectoryMemberLocator`` reads the node's verified copy of the
signed regional directory (``trust.DirectorySource``), which is all a federated node knows about
other members: its own database holds only its own member's keys.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dyrd import trust
from dyrd.core.errors import NotFoundError
from dyrd.exchange.ports import LocatedKey
from dyrd.trust import service as trust_service


class DatabaseMemberLocator:
    """Nodes and keys from this node's trust tables (implements ``MemberLocator``)."""

    def __repr__(self) -> str:
        return "DatabaseMemberLocator()"

    def node_url(self, session: Session, member_id: str) -> str | None:
        """The registered node URL, or None."""
        try:
            return str(trust_service.get_node(session, member_id).url)
        except NotFoundError:
            return None

    def key(self, session: Session, kid: str) -> LocatedKey | None:
        """The key row ``kid``, or None."""
        try:
            row = trust_service.get_key(session, kid)
        except NotFoundError:
            return None
        return LocatedKey(
            kid=row.kid,
            member_id=row.member_id,
            algorithm=row.algorithm.value,
            public_jwk=dict(row.public_jwk),
            window=trust.KeyWindow(row.not_before, row.not_after, row.revoked_at),
        )


class DirectoryMemberLocator:
    """Nodes and keys from the verified directory (implements ``MemberLocator``).

    Answers None while the node holds no valid copy (never fetched, or expired): a federated
    node then refuses to trust any other member, which is the safe failure.
    """

    def __init__(self, source: trust.DirectorySource) -> None:
        self._source = source

    def __repr__(self) -> str:
        return f"DirectoryMemberLocator({self._source!r})"

    def node_url(self, session: Session, member_id: str) -> str | None:
        """The node URL the directory lists for the member, or None."""
        directory = self._source.directory()
        member = None if directory is None else directory.member(member_id)
        return None if member is None else member.node_url

    def key(self, session: Session, kid: str) -> LocatedKey | None:
        """The key ``kid`` as the directory lists it, or None."""
        directory = self._source.directory()
        found = None if directory is None else directory.key(kid)
        if found is None:
            return None
        member_id, key = found
        return LocatedKey(
            kid=key.kid,
            member_id=member_id,
            algorithm=key.algorithm.value,
            public_jwk=dict(key.jwk),
            window=key.window,
        )
