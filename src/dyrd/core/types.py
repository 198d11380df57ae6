"""Value types shared by every domain."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    """Languages of the user interface; Chinese first."""

    ZH = "zh"
    EN = "en"


class Role(StrEnum):
    """Roles a user holds within one member; each includes the rights of those before it."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    DATA_STEWARD = "data_steward"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Position in the hierarchy viewer < analyst < data_steward < admin."""
        return list(Role).index(self)


REGION_MEMBER_ID = "CN-YRD"
"""Identifier of the region itself; an admin of this member administers every member."""
