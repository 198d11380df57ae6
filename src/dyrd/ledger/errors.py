"""Errors of the ledger domain."""

from __future__ import annotations

from dyrd.core.errors import NotFoundError, ValidationFailed


class EntryRejected(ValidationFailed):
    """An entry cannot be logged as given (bad kind, subject, payload or size)."""

    code = "ledger-entry-rejected"
    title = "Ledger entry rejected"
    title_zh = "账本条目被拒绝"


class TreeSizeOutOfRange(ValidationFailed):
    """A tree size or sequence number beyond the log, or in the wrong order."""

    code = "ledger-tree-size"
    title = "Tree size out of range"
    title_zh = "树大小超出范围"


class EntryNotFound(NotFoundError):
    """No entry with that sequence number."""

    code = "ledger-entry-not-found"


class NoSignedHead(NotFoundError):
    """The log has no signed tree head yet."""

    code = "ledger-no-signed-head"
