"""The platform's pseudonym secret, kept in a file (mode 0600) and made on first use.

Every grant's pseudonym key is derived from this secret (dyrd.exchange.compute.pseudonym), so
whoever holds it can recompute every pseudonym: it is never logged, printed or put in a repr.
"""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

from dyrd.core import secretfile
from dyrd.core.errors import ConfigurationError
from dyrd.exchange.compute.pseudonym import MIN_SECRET_BYTES

SECRET_BYTES = 32
"""Bytes of a new secret: 256 bits, the HMAC-SHA-256 key size."""


def load_or_create_secret(path: Path) -> bytes:
    """The secret in ``path``, generating it there if the file is absent."""
    try:
        secret = secretfile.read_or_create(path, lambda: secrets.token_bytes(SECRET_BYTES))
    except secretfile.ExposedSecretFile as exc:
        raise ConfigurationError(
            f"The pseudonym secret {path} is readable by other users (mode {exc.mode:o}).",
            f"假名化密钥文件 {path} 可被其他用户读取。",
            hint=f"Run `chmod 600 {path}`.",
        ) from None
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"The pseudonym secret {path} is shorter than {MIN_SECRET_BYTES} bytes.",
            f"假名化密钥文件 {path} 少于 {MIN_SECRET_BYTES} 字节。",
            hint="Move the file away to generate a new secret; pseudonyms released before "
            "will then no longer match new ones.",
        )
    return secret


class FileSecret:
    """Loads (or creates) the secret file once, on first use, thread-safely."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._secret: bytes | None = None

    def get(self) -> bytes:
        """The secret bytes."""
        with self._lock:
            if self._secret is None:
                self._secret = load_or_create_secret(self.path)
            return self._secret

    def __repr__(self) -> str:  # never print the secret
        return f"FileSecret(path={str(self.path)!r})"
