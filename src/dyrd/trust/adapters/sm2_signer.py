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

from pathlib import Path
from typing import Any

from tongsuopy.crypto import serialization as ts_serialization
from tongsuopy.crypto.asymciphers import ec as ts_ec
from tongsuopy.crypto.exceptions import InternalError, UnsupportedAlgorithm
from tongsuopy.crypto.hashes import SM3

from dyrd.trust.adapters.file_keystore import PemKeyFiles
from dyrd.trust.compute import jose, sm2
from dyrd.trust.errors import KeyStoreError


def _raw_signature(private_key: Any, data: bytes) -> bytes:
    return jose.es256_raw_from_der(private_key.sign(data, ts_ec.ECDSA(SM3())))


def _spki(private_key: Any) -> bytes:
    return sm2.spki_of(private_key.public_key())


class Sm2KeyStore(PemKeyFiles):
    """A ``KeyStore`` of SM2 keys in PEM files under one directory; thread-safe; loads once."""

    _what = "SM2 private key"
    _missing_hint = "Check the SM2 key directory is the one the key was created in."
    _unlock_hint = "Give the passphrase the key was created with."

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
        encryption: Any = (
            ts_serialization.BestAvailableEncryption(self._passphrase)
            if self._passphrase is not None
            else ts_serialization.NoEncryption()
        )
        pem = private_key.private_bytes(
            ts_serialization.Encoding.PEM, ts_serialization.PrivateFormat.PKCS8, encryption
        )
        return self._keep_new(self._key_id_of(private_key), pem, private_key)

    def public_key(self, key_id: str) -> bytes:
        """SubjectPublicKeyInfo DER of the key ``key_id`` (sm2p256v1 named curve)."""
        return _spki(self._private(key_id))

    def sign(self, key_id: str, data: bytes) -> bytes:
        """64-byte r || s SM2-with-SM3 signature over ``data`` (default user id)."""
        return _raw_signature(self._private(key_id), data)

    def _key_id_of(self, private_key: Any) -> str:
        return sm2.key_id(_spki(private_key))

    def _parse(self, data: bytes, password: bytes | None, path: Path) -> Any:
        try:
            key = ts_serialization.load_pem_private_key(data, password=password)
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
