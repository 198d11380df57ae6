"""Errors of the trust domain's keys and directory (the rest use the core errors as they are)."""

from __future__ import annotations

from dyrd.core.errors import ConfigurationError, ValidationFailed


class KeyStoreError(ConfigurationError):
    """A private key is missing, unreadable, too widely readable, or locked with another passphrase.

    Messages name key ids and file paths only, never key material.
    """

    code = "key-store-error"
    title = "Key store error"
    title_zh = "密钥库错误"


class DirectoryInvalid(ValidationFailed):
    """A directory document that fails verification; ``reason`` says which check refused it."""

    code = "directory-invalid"
    title = "Directory invalid"
    title_zh = "目录无效"

    reason: str = ""
