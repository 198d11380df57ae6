"""The identity-hash secret: 32 random bytes in a file (mode 0600), made on first use.

Whoever holds it can test a guessed identity number against the stored hashes, so it is never
logged, printed or put in a repr. Replacing it orphans every registered resident.
"""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

from dyrd.core import secretfile
from dyrd.core.errors import ConfigurationError
from dyrd.healthcode.compute.idnumber import MIN_SECRET_BYTES

SECRET_BYTES = 32


class FileIdSecret:
    """Loads (or creates) the secret once, on first use, thread-safely."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._secret: bytes | None = None

    def __call__(self) -> bytes:
        """The secret bytes."""
        with self._lock:
            if self._secret is None:
                self._secret = self._load()
            return self._secret

    def _load(self) -> bytes:
        try:
            secret = secretfile.read_or_create(self.path, lambda: secrets.token_bytes(SECRET_BYTES))
        except secretfile.ExposedSecretFile as exc:
            raise ConfigurationError(
                f"The identity-hash secret {self.path} is readable by other users "
                f"(mode {exc.mode:o}).",
                f"身份证号哈希密钥文件 {self.path} 可被其他用户读取。",
                hint=f"Run `chmod 600 {self.path}`.",
            ) from None
        if len(secret) < MIN_SECRET_BYTES:
            raise ConfigurationError(
                f"The identity-hash secret {self.path} is shorter than {MIN_SECRET_BYTES} bytes.",
                f"身份证号哈希密钥文件 {self.path} 过短。",
                hint="Restore the original file; a new secret orphans every registered resident.",
            )
        return secret

    def __repr__(self) -> str:  # never print the secret
        return f"FileIdSecret(path={str(self.path)!r})"
