"""A local Ed25519 signing key kept in a file (PKCS#8 PEM, mode 0600), made on first use."""

from __future__ import annotations

import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dyrd.core import secretfile
from dyrd.core.errors import ConfigurationError
from dyrd.ledger.compute.signatures import EDDSA, key_id


class Ed25519Signer:
    """Signs with an Ed25519 private key held in memory (implements ``Signer``)."""

    algorithm = EDDSA

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self._public = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self._key_id = key_id(self._public)

    @classmethod
    def generate(cls) -> Ed25519Signer:
        """A signer with a fresh random key (tests, throw-away logs)."""
        return cls(Ed25519PrivateKey.generate())

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def public_key(self) -> bytes:
        return self._public

    def sign(self, data: bytes) -> bytes:
        return self._private_key.sign(data)

    def __repr__(self) -> str:  # never print key material
        return f"Ed25519Signer(key_id={self._key_id!r})"


def _new_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_or_create(path: Path) -> Ed25519Signer:
    """The signer whose key is in ``path``, generating the key there if the file is absent."""
    try:
        pem = secretfile.read_or_create(path, _new_key_pem)
    except secretfile.ExposedSecretFile as exc:
        raise ConfigurationError(
            f"The ledger signing key {path} is readable by other users (mode {exc.mode:o}).",
            f"账本签名私钥 {path} 可被其他用户读取。",
            hint=f"Run `chmod 600 {path}`.",
        ) from None
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"The ledger signing key {path} is not an unencrypted PKCS#8 PEM key.",
            f"账本签名私钥 {path} 格式错误。",
            hint="Move the file away to generate a new key (heads signed before stay valid "
            "with the old public key, which the log keeps).",
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(
            f"The ledger signing key {path} is not an Ed25519 key.",
            f"账本签名私钥 {path} 不是 Ed25519 密钥。",
        )
    return Ed25519Signer(key)


class FileSigner:
    """A ``Signer`` that loads (or creates) its key file on first use, once, thread-safely."""

    algorithm = EDDSA

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._signer: Ed25519Signer | None = None

    def _loaded(self) -> Ed25519Signer:
        with self._lock:
            if self._signer is None:
                self._signer = load_or_create(self.path)
            return self._signer

    @property
    def key_id(self) -> str:
        return self._loaded().key_id

    @property
    def public_key(self) -> bytes:
        return self._loaded().public_key

    def sign(self, data: bytes) -> bytes:
        return self._loaded().sign(data)

    def __repr__(self) -> str:
        return f"FileSigner(path={str(self.path)!r})"
