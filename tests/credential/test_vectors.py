"""The EU DCC test vectors (tests/external/hcert): every EXPECTED verifier flag must agree.

Flag semantics are those of the suite's README (tests/external/hcert/README.upstream.md): each
flag is checked on the field it names (``PREFIX``, ``BASE45``, ``COMPRESSED``, ``COSE``), a flag
whose input is missing is skipped, and the agreement per flag is printed at the end of the run.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dyrd.credential.compute import base45, cose, hcert, qr
from dyrd.credential.compute.dcc import bundled_checker, normalise
from dyrd.credential.compute.signature import load_certificate
from dyrd.credential.types import Step
from tests.credential.conftest import AGREEMENT

SUITE = Path(__file__).resolve().parents[1] / "external" / "hcert"

VERIFIER_FLAGS = (
    "UNPREFIX",
    "B45DECODE",
    "COMPRESSION",
    "DECODE",
    "VERIFY",
    "EXPIRATIONCHECK",
    "KEYUSAGE",
    "SCHEMAVALIDATION",
    "VALIDJSON",
    "PICTUREDECODE",
)
"""The flags a verifier answers; ENCODE and VALIDOBJECT are about generating vectors."""


def _manifest() -> list[str]:
    lines = (SUITE / "MANIFEST.tsv").read_text("utf-8").splitlines()[1:]
    return [line.split("\t")[0] for line in lines if line.strip()]


VECTORS = _manifest()


def _instant(value: str) -> datetime | None:
    if "T" not in value:
        return None
    try:
        return hcert.parse_time(value)
    except ValueError:
        return None


def same(a: Any, b: Any) -> bool:
    """JSON equality where two date-time strings are equal when they name the same instant."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str) and isinstance(b, str) and a != b:
        ta, tb = _instant(a), _instant(b)
        return ta is not None and ta == tb
    return bool(a == b) and type(a) is type(b)


def _dcc_of(cbor_hex: str) -> Any:
    value = cose.loads(bytes.fromhex(cbor_hex))
    if isinstance(value, Mapping) and cose.CLAIM_HCERT in value:
        return cose.hcert_payload(value)
    return value


class Vector:
    """One test file and the verifier's answer for each flag it can answer."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.data: dict[str, Any] = json.loads((SUITE / name).read_text("utf-8"))
        ctx = self.data.get("TESTCTX", {})
        cert = ctx.get("CERTIFICATE")
        self.certificates = [base64.b64decode(cert)] if cert else []
        clock = ctx.get("VALIDATIONCLOCK")
        self.clock = hcert.parse_time(clock) if clock else None
        self.at = self.clock or datetime(2021, 6, 1, tzinfo=UTC)

    def get(self, field: str) -> Any:
        return self.data.get(field)

    def flag(self, name: str) -> bool | None:
        """The verifier's answer for flag ``name``; None when its input is missing."""
        if name in ("VERIFY", "EXPIRATIONCHECK", "KEYUSAGE", "SCHEMAVALIDATION"):
            return self._verify_step(name)
        answer: Callable[[], bool | None] = {
            "UNPREFIX": self._unprefix,
            "B45DECODE": self._base45,
            "COMPRESSION": self._compression,
            "DECODE": self._decode,
            "VALIDJSON": self._valid_json,
            "PICTUREDECODE": self._picture,
        }[name]
        return answer()

    def _unprefix(self) -> bool | None:
        prefix, b45 = self.get("PREFIX"), self.get("BASE45")
        if prefix is None:
            return None
        verdict = hcert.verify(prefix, self.certificates, self.at)
        return verdict.steps[Step.PREFIX] is True and (b45 is None or prefix[4:] == b45)

    def _base45(self) -> bool | None:
        prefix, b45, compressed = self.get("PREFIX"), self.get("BASE45"), self.get("COMPRESSED")
        text = b45 if b45 is not None else (prefix[4:] if prefix else None)
        if text is None:
            return None
        try:
            raw = base45.decode(text)
        except base45.Base45Error:
            return False
        return compressed is None or raw == bytes.fromhex(compressed)

    def _compression(self) -> bool | None:
        compressed, message = self.get("COMPRESSED"), self.get("COSE")
        if compressed is None:
            return None
        try:
            inflated = hcert.decompress(bytes.fromhex(compressed))
        except ValueError:
            return False
        return message is None or inflated == bytes.fromhex(message)

    def _valid_json(self) -> bool | None:
        prefix = self.get("PREFIX")
        if prefix is None or self.get("JSON") is None:
            return None
        verdict = hcert.verify(prefix, self.certificates, self.at)
        if verdict.claims is None:
            return False
        return same(normalise(cose.hcert_payload(verdict.claims)), self.get("JSON"))

    def _picture(self) -> bool | None:
        prefix, picture = self.get("PREFIX"), self.get("2DCODE")
        if picture is None or prefix is None:
            return None
        try:
            return bool(qr.decode_image(base64.b64decode(picture)) == prefix)
        except qr.QrError:
            return False

    def _cose(self) -> bytes | None:
        if self.get("COSE") is not None:
            return bytes.fromhex(self.get("COSE"))
        prefix = self.get("PREFIX")
        if prefix is None:
            return None
        return zlib.decompress(base45.decode(prefix[4:]))

    def _decode(self) -> bool | None:
        message = self._cose()
        if message is None:
            return None
        try:
            sign1 = cose.decode_sign1(message)
            dcc = bundled_checker().payload(cose.decode_claims(sign1.payload))
        except cose.CoseError:
            return False
        document = normalise(dcc)
        if self.get("CBOR") is not None:
            try:
                expected = normalise(_dcc_of(self.get("CBOR")))
            except cose.CoseError:
                return False
            if not same(document, expected):
                return False
        return self.get("JSON") is None or same(document, self.get("JSON"))

    def _verify_step(self, name: str) -> bool | None:
        message = self._cose()
        needs_cert = name in ("VERIFY", "KEYUSAGE")
        if message is None or (needs_cert and not self.certificates):
            return None
        if name == "EXPIRATIONCHECK" and self.clock is None:
            return None
        verdict = hcert.verify_cose(message, self.certificates, self.at)
        step = {
            "VERIFY": Step.SIGNATURE,
            "EXPIRATIONCHECK": Step.EXPIRY,
            "KEYUSAGE": Step.KEY_USAGE,
            "SCHEMAVALIDATION": Step.SCHEMA,
        }[name]
        result = verdict.steps[step]
        if name == "KEYUSAGE" and result is None and verdict.claims is not None:
            # The kid did not match (PL/1.2.1/6): the flag is about the test's DSC as such.
            dsc = load_certificate(self.certificates[0])
            payload = cose.hcert_payload(verdict.claims)
            result = bundled_checker().key_usage(payload, dsc.usages)
        return result is not False if name == "KEYUSAGE" else result is True


def test_the_suite_is_complete() -> None:
    """All 40 files of the manifest are there, with their licence."""
    assert len(VECTORS) == 40
    assert all((SUITE / name).is_file() for name in VECTORS)
    assert (SUITE / "LICENSE-Apache-2.0.txt").is_file()


@pytest.mark.parametrize("name", VECTORS)
def test_vector_agrees_on_every_flag(name: str) -> None:
    """Each EXPECTED verifier flag of the file agrees with the verifier."""
    vector = Vector(name)
    expected: dict[str, bool] = vector.get("EXPECTEDRESULTS") or {}
    disagreements = []
    for key, want in expected.items():
        flag = key.removeprefix("EXPECTED")
        if flag not in VERIFIER_FLAGS:
            continue
        got = vector.flag(flag)
        if got is None:
            continue
        AGREEMENT[flag].append(got == want)
        if got != want:
            disagreements.append(f"{flag}: expected {want}, got {got}")
    assert not disagreements, f"{name}: {disagreements}"


@pytest.mark.parametrize("name", VECTORS)
def test_full_chain_agrees_with_the_steps(name: str) -> None:
    """Verifying the QR text end to end gives the same signature/expiry/schema answers."""
    vector = Vector(name)
    prefix = vector.get("PREFIX")
    if prefix is None or not prefix.startswith("HC1:"):
        pytest.skip("no HC1 text in this vector")
    verdict = hcert.verify(prefix, vector.certificates, vector.at)
    message = vector.get("COSE")
    if verdict.steps[Step.ZLIB] is not True or message is None:
        return
    direct = hcert.verify_cose(bytes.fromhex(message), vector.certificates, vector.at)
    for step in (Step.COSE, Step.CBOR, Step.SIGNATURE, Step.KEY_USAGE, Step.EXPIRY, Step.SCHEMA):
        assert verdict.steps[step] == direct.steps[step], step
    assert verdict.valid == direct.valid
