"""SM2 private keys as PKCS#8 PEM files, and a Signer on one of them (GB/T 32918, with SM3).

The same shape and the same file rules as ``FileKeyStore``: one file per key named by key id,
mode 0600 in a directory of mode 0700, written atomically, encrypted with the passphrase when
there is one, refused when readable by others or when its key is not the one its name says.
Keep SM2 keys in their own directory: ``FileKeyStore`` reads P-256 and Ed25519 keys only.

Signatures are the 64-byte r || s over ``SM3(Z || M)`` with the default user id (see
``dyrd.trust.compute.sm2``). Private key objects stay inside this module; reprs and errors name
key ids and paths only.
"""

from __future__ import annotations

import stat
import threading
from pathlib import Path
from typing import Any

from tongsuopy.crypto import serialization as ts_serialization
from tongsuopy.crypto.asymciphers import ec as ts_ec
from tongsuopy.crypto.exceptions import InternalError, UnsupportedAlgorithm
from tongsuopy.crypto.hashes import SM3

from dyrd.core import secretfile
from dyrd.trust.compute import jose, sm2
from dyrd.trust.errors import KeyStoreError

_ENCRYPTED_MARK = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"


def _raw_signature(private_key: Any, data: bytes) -> bytes:
    return jose.es256_raw_from_der(private_key.sign(data, ts_ec.ECDSA(SM3())))


def _spki(private_key: Any) -> bytes:
    return sm2.spki_of(private_key.public_key())


def _check_key_id(key_id: str) -> None:
    # Key ids become file names: only the 43 base64url characters of a thumbprint pass.
    if not isinstance(key_id, str) or not jose.is_key_id(key_id):
        raise KeyStoreError(
            f"{key_id!r} is not a key id (43 base64url characters, an RFC 7638 thumbprint).",
            "不是合法的密钥标识。",
        )


class Sm2KeyStore:
    """A ``KeyStore`` of SM2 keys in PEM files under one directory; thread-safe; loads once."""

    def __init__(self, directory: Path, *, passphrase: bytes | None = None) -> None:
        self.directory = directory
        self._passphrase = passphrase or None
        self._lock = threading.Lock()
        self._keys: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"Sm2KeyStore(directory={str(self.directory)!r}, encrypted={self.encrypted})"

    @property
    def encrypted(self) -> bool:
        """True when new key files are encrypted with a passphrase."""
        return self._passphrase is not None

    def path(self, key_id: str) -> Path:
        """The file that holds (or would hold) the private key ``key_id``."""
        _check_key_id(key_id)
        return self.directory / f"{key_id}.pem"

    def __contains__(self, key_id: object) -> bool:
        if not isinstance(key_id, str) or not jose.is_key_id(key_id):
            return False
        with self._lock:
            return key_id in self._keys or self.path(key_id).exists()

    def generate(self, algorithm: str = sm2.ALGORITHM) -> str:
        """Create and keep a new SM2 key; return its key id. Any other algorithm is refused.

        ``algorithm`` is a plain string (``KeyAlgorithm`` values are strings too), so this
        store fits the ``KeyStore`` port while SM2 is not a ``KeyAlgorithm``.
        """
        if algorithm != sm2.ALGORITHM:
            raise KeyStoreError(
                f"The SM2 key store holds {sm2.ALGORITHM} keys only, not {algorithm}.",
                f"SM2 密钥库只保存 {sm2.ALGORITHM} 密钥，不保存 {algorithm}。",
                hint="Create ES256 and EdDSA keys in the file key store (`dyrd key create`).",
            )
        private_key = ts_ec.generate_private_key(ts_ec.SM2())
        key_id = sm2.key_id(_spki(private_key))
        encryption: Any = (
            ts_serialization.BestAvailableEncryption(self._passphrase)
            if self._passphrase is not None
            else ts_serialization.NoEncryption()
        )
        pem = private_key.private_bytes(
            ts_serialization.Encoding.PEM, ts_serialization.PrivateFormat.PKCS8, encryption
        )
        with self._lock:
            self._write_new(self.path(key_id), pem)
            self._keys[key_id] = private_key
        return key_id

    def public_key(self, key_id: str) -> bytes:
        """SubjectPublicKeyInfo DER of the key ``key_id`` (sm2p256v1 named curve)."""
        return _spki(self._private(key_id))

    def sign(self, key_id: str, data: bytes) -> bytes:
        """64-byte r || s SM2-with-SM3 signature over ``data`` (default user id)."""
        return _raw_signature(self._private(key_id), data)

    # --- files ---------------------------------------------------------------------------------

    def _write_new(self, path: Path, pem: bytes) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        mode = self.directory.stat().st_mode
        if mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise KeyStoreError(
                f"The key directory {self.directory} is writable by other users "
                f"(mode {stat.S_IMODE(mode):o}).",
                f"密钥目录 {self.directory} 可被其他用户写入。",
                hint=f"Run `chmod 700 {self.directory}`.",
            )
        if not secretfile.write_new(path, pem):
            raise KeyStoreError(
                f"A key file for {path.stem} already exists in {self.directory}.",
                f"密钥 {path.stem} 的文件已存在。",
            )

    def _private(self, key_id: str) -> Any:
        path = self.path(key_id)
        with self._lock:
            cached = self._keys.get(key_id)
            if cached is not None:
                return cached
            key = self._load(path, key_id)
            self._keys[key_id] = key
            return key

    def _load(self, path: Path, key_id: str) -> Any:
        try:
            secretfile.check_private(path)
        except FileNotFoundError:
            raise KeyStoreError(
                f"The SM2 private key {key_id} is not in the key store {self.directory}.",
                f"密钥库 {self.directory} 中没有 SM2 私钥 {key_id}。",
                hint="Check the SM2 key directory is the one the key was created in.",
            ) from None
        except secretfile.ExposedSecretFile as exc:
            raise KeyStoreError(
                f"The private key file {path} is accessible by other users (mode {exc.mode:o}).",
                f"私钥文件 {path} 可被其他用户访问。",
                hint=f"Run `chmod 600 {path}`, and rotate the key if others may have read it.",
            ) from None
        data = path.read_bytes()
        encrypted = data.lstrip().startswith(_ENCRYPTED_MARK)
        if encrypted and self._passphrase is None:
            raise KeyStoreError(
                f"The private key file {path} is encrypted and no passphrase is configured.",
                f"私钥文件 {path} 已加密，但未配置口令。",
                hint="Give the passphrase the key was created with.",
            )
        try:
            key = ts_serialization.load_pem_private_key(
                data, password=self._passphrase if encrypted else None
            )
        except (ValueError, TypeError, UnsupportedAlgorithm, InternalError):
            # The library's message is dropped on purpose: it must never echo file content.
            raise KeyStoreError(
                f"The private key file {path} cannot be read: wrong passphrase, or not an SM2 "
                "PKCS#8 PEM key.",
                f"无法读取私钥文件 {path}：口令错误或不是 SM2 密钥。",
                hint="Check the passphrase.",
            ) from None
        if not isinstance(key, ts_ec.EllipticCurvePrivateKey) or not isinstance(
            key.curve, ts_ec.SM2
        ):
            raise KeyStoreError(
                f"The private key file {path} does not hold an SM2 key.",
                f"私钥文件 {path} 不是 SM2 密钥。",
            )
        if sm2.key_id(_spki(key)) != key_id:
            raise KeyStoreError(
                f"The private key file {path} holds a different key than its name says.",
                f"私钥文件 {path} 与其文件名不符。",
                hint="Restore the right file; never rename key files.",
            )
        return key


class Sm2Signer:
    """A ``Signer`` on one SM2 key of an ``Sm2KeyStore`` (``dyrd.ledger.ports.Signer`` too)."""

    def __init__(self, keystore: Sm2KeyStore, kid: str) -> None:
        self._keystore = keystore
        self._kid = kid
        self._public = keystore.public_key(kid)
        if sm2.key_id(self._public) != kid:  # pragma: no cover  # the store checks on load
            raise KeyStoreError(
                f"The key store's key {kid} has a different public key than its id says.",
                f"密钥库中的密钥 {kid} 与其标识不符。",
            )

    def __repr__(self) -> str:
        return f"Sm2Signer(kid={self._kid!r})"

    @property
    def key_id(self) -> str:
        """RFC 7638 thumbprint of the public JWK (``crv: SM2``)."""
        return self._kid

    @property
    def algorithm(self) -> str:
        """``SM2`` (SM2 with SM3, default user id)."""
        return sm2.ALGORITHM

    @property
    def public_key(self) -> bytes:
        """SubjectPublicKeyInfo DER."""
        return self._public

    @property
    def public_jwk(self) -> dict[str, str]:
        """The published JWK (with ``kid``, ``alg``, ``use``)."""
        return sm2.published_jwk(sm2.public_jwk(self._public))

    def sign(self, data: bytes) -> bytes:
        """64-byte r || s."""
        return self._keystore.sign(self._kid, data)
