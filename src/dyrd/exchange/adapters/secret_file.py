"""The platform's pseudonym secret, kept in a file (mode 0600) and made on first use.

Every grant's pseudonym key is derived from this secret (dyrd.exchange.compute.pseudonym), so
whoever holds it can recompute every pseudonym: it is never logged, printed or put in a repr.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import threading
from pathlib import Path

from dyrd.core.errors import ConfigurationError
from dyrd.exchange.compute.pseudonym import MIN_SECRET_BYTES

SECRET_BYTES = 32
"""Bytes of a new secret: 256 bits, the HMAC-SHA-256 key size."""


def _write_new_secret(path: Path) -> None:
    """Create ``path`` with fresh random bytes, atomically and never readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(SECRET_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
        # link() refuses to replace: when two processes race, the first secret wins.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_or_create_secret(path: Path) -> bytes:
    """The secret in ``path``, generating it there if the file is absent."""
    if not path.exists():
        _write_new_secret(path)
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            f"The pseudonym secret {path} is readable by other users "
            f"(mode {stat.S_IMODE(mode):o}).",
            f"假名化密钥文件 {path} 可被其他用户读取。",
            hint=f"Run `chmod 600 {path}`.",
        )
    secret = path.read_bytes()
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
