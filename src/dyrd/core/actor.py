"""Who performs a write and for which member: recorded on every row a user changes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated caller of a use case."""

    user: str
    member: str

    @classmethod
    def system(cls) -> Actor:
        """The platform itself, for bundled data and maintenance."""
        return cls(user="system", member="CN-YRD")
