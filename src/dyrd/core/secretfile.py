"""Files that hold secrets: created mode 0600, complete or absent, and refused when exposed.

One implementation for every secret the platform keeps on disk (the pseudonym secret, the ledger's
signing key, members' private keys). A new file is written under a temporary name opened with
``O_EXCL`` and mode 0600, so no one else can ever read it, fsynced, then linked into place:
``link()``, unlike ``rename()``, refuses to replace an existing file, so when two processes race
to create the same secret the first one wins and the other reads it. A file that group or others
can access is refused, as OpenSSH refuses such identity files. Stdlib only.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

_EXPOSING_BITS = stat.S_IRWXG | stat.S_IRWXO


class ExposedSecretFile(Exception):
    """A secret file that users other than its owner can access; callers say what it holds."""

    def __init__(self, path: Path, mode: int) -> None:
        super().__init__(f"{path} is accessible by other users (mode {mode:o})")
        self.path = path
        self.mode = mode


def write_new(path: Path, data: bytes) -> bool:
    """Create ``path`` holding ``data``, mode 0600 from the start, complete or absent.

    False (and ``path`` untouched) when it already exists. The directory must exist.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
    finally:
        tmp.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # make the new name durable where the OS allows it
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return True


def check_private(path: Path) -> None:
    """Raise ExposedSecretFile when group or others have any access to ``path``.

    FileNotFoundError when there is no such file.
    """
    mode = path.stat().st_mode
    if mode & _EXPOSING_BITS:
        raise ExposedSecretFile(path, stat.S_IMODE(mode))


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The bytes of the secret file ``path``, first creating it (and its directory) from
    ``make()`` when absent; ExposedSecretFile when others can access it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_new(path, make())  # False: another process created it first; read theirs
    check_private(path)
    return path.read_bytes()
