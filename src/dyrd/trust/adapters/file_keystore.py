"""Member private keys as PKCS#8 PEM files, one per key, named by key id.

Files are created mode 0600 in a directory created mode 0700, written atomically, and encrypted
with the configured passphrase when there is one (``DYRD_KEY_PASSPHRASE``; PKCS#8 with the best
encryption ``cryptography`` offers). A key file readable by group or others is refused, as
OpenSSH refuses such identity files. Private key objects stay inside this module: callers get
signatures and public keys, and reprs and errors name key ids and paths only.
"""

from __future__ import annotations

import stat
import threading
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dyrd.core import secretfile
from dyrd.trust.compute import jose
from dyrd.trust.errors import KeyStoreError
from dyrd.trust.types import KeyAlgorithm

PrivateKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey

_ENCRYPTED_MARK = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"


def generate_private_key(algorithm: KeyAlgorithm) -> PrivateKey:
    """A fresh private key for ``algorithm`` from the operating system's CSPRNG."""
    if algorithm is KeyAlgorithm.EDDSA:
        return Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


def spki_of(private_key: PrivateKey) -> bytes:
    """SubjectPublicKeyInfo DER of the private key's public half."""
    return private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def raw_signature(private_key: PrivateKey, data: bytes) -> bytes:
    """Sign ``data``: ES256 as 64-byte r || s, Ed25519 as its raw 64 bytes."""
    if isinstance(private_key, Ed25519PrivateKey):
        return private_key.sign(data)
    return jose.es256_raw_from_der(private_key.sign(data, ec.ECDSA(hashes.SHA256())))


def _check_key_id(key_id: str) -> None:
    # Key ids become file names: only the 43 base64url characters of a thumbprint pass.
    if not isinstance(key_id, str) or not jose.is_key_id(key_id):
        raise KeyStoreError(
            f"{key_id!r} is not a key id (43 base64url characters, an RFC 7638 thumbprint).",
            "不是合法的密钥标识。",
            hint="List keys with `dyrd key list`.",
        )


class PemKeyFiles:
    """The file rules every key store here shares: one PKCS#8 PEM file per key named by its key
    id, a 0700 directory, 0600 files created atomically, refused when others can read them,
    encrypted with the passphrase when there is one, each key loaded once. Subclasses parse the
    PEM with their library (``_parse``) and derive key ids (``_key_id_of``)."""

    _what = "private key"
    _missing_hint = (
        "Check DYRD_KEY_DIR points at the directory the key was created in; "
        "if the key is lost, rotate it with `dyrd key rotate`."
    )
    _unlock_hint = "Set DYRD_KEY_PASSPHRASE to the passphrase the key was created with."

    def __init__(self, directory: Path, *, passphrase: bytes | None = None) -> None:
        self.directory = directory
        self._passphrase = passphrase or None
        self._lock = threading.Lock()
        self._keys: dict[str, Any] = {}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(directory={str(self.directory)!r}, encrypted={self.encrypted})"
        )

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

    def _parse(self, data: bytes, password: bytes | None, path: Path) -> Any:
        """The private key in ``data``, or KeyStoreError (never echoing the file's content)."""
        raise NotImplementedError

    def _key_id_of(self, private_key: Any) -> str:
        raise NotImplementedError

    # --- files ---------------------------------------------------------------------------------

    def _keep_new(self, key_id: str, pem: bytes, private_key: Any) -> str:
        """Write a freshly generated key's file and cache the key; return its key id."""
        with self._lock:
            self._write_new(self.path(key_id), pem)
            self._keys[key_id] = private_key
        return key_id

    def _ensure_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        mode = self.directory.stat().st_mode
        if mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise KeyStoreError(
                f"The key directory {self.directory} is writable by other users "
                f"(mode {stat.S_IMODE(mode):o}).",
                f"密钥目录 {self.directory} 可被其他用户写入。",
                hint=f"Run `chmod 700 {self.directory}`.",
            )

    def _write_new(self, path: Path, pem: bytes) -> None:
        """Create ``path`` holding ``pem``: mode 0600 from the start, complete or absent."""
        self._ensure_directory()
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
                f"The {self._what} {key_id} is not in the key store {self.directory}.",
                f"密钥库 {self.directory} 中没有私钥 {key_id}。",
                hint=self._missing_hint,
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
                hint=self._unlock_hint,
            )
        key = self._parse(data, self._passphrase if encrypted else None, path)
        if self._key_id_of(key) != key_id:
            raise KeyStoreError(
                f"The private key file {path} holds a different key than its name says.",
                f"私钥文件 {path} 与其文件名不符。",
                hint="Restore the right file; never rename key files.",
            )
        return key


class FileKeyStore(PemKeyFiles):
    """A ``KeyStore`` of ES256 and EdDSA keys in PEM files under one directory; thread-safe."""

    def generate(self, algorithm: KeyAlgorithm) -> str:
        private_key = generate_private_key(KeyAlgorithm(algorithm))
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(self._passphrase)
            if self._passphrase is not None
            else serialization.NoEncryption()
        )
        pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
        return self._keep_new(self._key_id_of(private_key), pem, private_key)

    def public_key(self, key_id: str) -> bytes:
        return spki_of(self._private(key_id))

    def sign(self, key_id: str, data: bytes) -> bytes:
        return raw_signature(self._private(key_id), data)

    def _key_id_of(self, private_key: Any) -> str:
        return jose.key_id(spki_of(private_key))

    def _parse(self, data: bytes, password: bytes | None, path: Path) -> PrivateKey:
        try:
            key = serialization.load_pem_private_key(data, password=password)
        except (ValueError, TypeError):
            # The library's message is dropped on purpose: it must never echo file content.
            raise KeyStoreError(
                f"The private key file {path} cannot be read: wrong passphrase, or not a "
                "PKCS#8 PEM key.",
                f"无法读取私钥文件 {path}：口令错误或格式不符。",
                hint="Check DYRD_KEY_PASSPHRASE.",
            ) from None
        if not isinstance(key, Ed25519PrivateKey | ec.EllipticCurvePrivateKey) or (
            isinstance(key, ec.EllipticCurvePrivateKey) and not isinstance(key.curve, ec.SECP256R1)
        ):
            raise KeyStoreError(
                f"The private key file {path} holds neither an Ed25519 nor a P-256 key.",
                f"私钥文件 {path} 不是 Ed25519 或 P-256 密钥。",
            )
        return key
