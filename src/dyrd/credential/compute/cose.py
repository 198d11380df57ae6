"""CBOR, COSE_Sign1 (RFC 9052) and CWT claims (RFC 8392) as HCERT uses them.

Decoding is strict and bounded: one CBOR item with nothing after it, at most ``MAX_DEPTH`` levels
of nesting, and no value-sharing tags (28/29 build cyclic structures that later code would chase
for ever). cbor2 >= 6 returns tuples and frozendicts inside tags, so code here reads
``Sequence``/``Mapping``, never ``list``/``dict``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

import cbor2

MAX_DEPTH = 32
"""Nesting a verifier accepts; a DCC nests 5 deep (claims, hcert, DCC, v, entry)."""

TAG_COSE_SIGN1 = 18
"""RFC 9052 section 4.2."""

TAG_CWT = 61
"""RFC 8392 section 6: a CWT may be wrapped as 61(18(...)) (upstream vector CO28)."""

HEADER_ALG = 1
HEADER_KID = 4

CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_IAT = 6
CLAIM_HCERT = -260
"""hcert_spec v1.0.8 section 3.3: ``-260 => {1: DCC}``."""

HCERT_DCC = 1


class CoseError(ValueError):
    """Bytes that are not the CBOR, COSE_Sign1 or CWT structure HCERT expects."""


def _no_sharing(decoder: Any) -> NoReturn:
    raise cbor2.CBORDecodeError("value-sharing tags (28/29) are not accepted")


_SEMANTIC = {28: _no_sharing, 29: _no_sharing}


def loads(data: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """The one CBOR item in ``data``; raises CoseError on malformed data or trailing bytes."""
    stream = io.BytesIO(data)
    try:
        decoder = cbor2.CBORDecoder(stream, max_depth=max_depth, semantic_decoders=_SEMANTIC)
        value = decoder.decode()
    except (cbor2.CBORError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise CoseError(f"not well-formed CBOR: {exc}") from None
    if stream.tell() != len(data):
        raise CoseError(f"{len(data) - stream.tell()} bytes after the CBOR item")
    return value


def dumps(value: Any) -> bytes:
    """Deterministic CBOR of ``value`` (RFC 8949 §4.2.1 core deterministic encoding)."""
    return bytes(cbor2.dumps(value, canonical=True))


@dataclass(frozen=True, slots=True)
class CoseSign1:
    """A decoded COSE_Sign1 message, with the protected header's bytes kept exactly as signed."""

    protected: bytes
    protected_header: Mapping[Any, Any]
    unprotected_header: Mapping[Any, Any]
    payload: bytes
    signature: bytes
    tags: tuple[int, ...] = field(default=())

    @property
    def alg(self) -> Any:
        """The ``alg`` header (protected, else unprotected), as found."""
        return self.protected_header.get(HEADER_ALG, self.unprotected_header.get(HEADER_ALG))

    @property
    def kid(self) -> Any:
        """The ``kid``: from the protected header, else the unprotected one (hcert_spec §3.3.1)."""
        if HEADER_KID in self.protected_header:
            return self.protected_header[HEADER_KID]
        return self.unprotected_header.get(HEADER_KID)

    def to_be_signed(self) -> bytes:
        """The bytes the signature covers."""
        return sig_structure(self.protected, self.payload)


def sig_structure(protected: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    """``["Signature1", protected, external_aad, payload]`` in CBOR (RFC 9052 section 4.4)."""
    return dumps(["Signature1", protected, external_aad, payload])


def _unwrap(value: Any) -> tuple[Any, tuple[int, ...]]:
    tags: list[int] = []
    if isinstance(value, cbor2.CBORTag) and value.tag == TAG_CWT:
        tags.append(TAG_CWT)
        value = value.value
    if isinstance(value, cbor2.CBORTag) and value.tag == TAG_COSE_SIGN1:
        tags.append(TAG_COSE_SIGN1)
        value = value.value
    if isinstance(value, cbor2.CBORTag):
        raise CoseError(f"CBOR tag {value.tag} where COSE_Sign1 (tag 18) was expected")
    return value, tuple(tags)


def decode_sign1(data: bytes) -> CoseSign1:
    """The COSE_Sign1 in ``data``: untagged, tagged 18, or 61(18(...))."""
    value, tags = _unwrap(loads(data))
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise CoseError("COSE_Sign1 must be an array of 4 items")
    if len(value) != 4:
        raise CoseError(f"COSE_Sign1 must be an array of 4 items, not {len(value)}")
    protected, unprotected, payload, signature = value
    if not isinstance(protected, bytes):
        raise CoseError("the protected header must be a byte string")
    if not isinstance(unprotected, Mapping):
        raise CoseError("the unprotected header must be a map")
    if not isinstance(payload, bytes):
        raise CoseError("the payload must be a byte string (detached payloads are not supported)")
    if not isinstance(signature, bytes):
        raise CoseError("the signature must be a byte string")
    header: Any = loads(protected) if protected else {}
    if not isinstance(header, Mapping):
        raise CoseError("the protected header must hold a map")
    return CoseSign1(protected, header, unprotected, payload, signature, tags)


def encode_sign1(
    protected_header: Mapping[Any, Any],
    payload: bytes,
    signature: bytes,
    *,
    unprotected_header: Mapping[Any, Any] | None = None,
    tagged: bool = True,
) -> bytes:
    """COSE_Sign1 bytes (tag 18 unless ``tagged`` is False)."""
    protected = dumps(dict(protected_header)) if protected_header else b""
    body = [protected, dict(unprotected_header or {}), payload, signature]
    return dumps(cbor2.CBORTag(TAG_COSE_SIGN1, body) if tagged else body)


def decode_claims(payload: bytes) -> Mapping[Any, Any]:
    """The CWT claims map in a COSE payload (tag 61 around the map is accepted)."""
    value = loads(payload)
    if isinstance(value, cbor2.CBORTag) and value.tag == TAG_CWT:
        value = value.value
    if not isinstance(value, Mapping):
        raise CoseError("the CWT payload must be a map of claims")
    return value


def hcert_payload(claims: Mapping[Any, Any]) -> Any:
    """The DCC at ``-260 / 1``; raises CoseError when it is missing."""
    hcert = claims.get(CLAIM_HCERT)
    if not isinstance(hcert, Mapping):
        raise CoseError("the CWT has no hcert claim (-260) holding a map")
    if HCERT_DCC not in hcert:
        raise CoseError("the hcert claim (-260) has no entry 1 (the DCC)")
    return hcert[HCERT_DCC]
