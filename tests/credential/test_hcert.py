"""Issuing and verifying HC1 codes: round trips, every algorithm, tampering, hostile input."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dyrd.credential import encode_hc1
from dyrd.credential.compute import base45, cose, hcert
from dyrd.credential.compute import signature as sig
from dyrd.credential.compute.payload import PAYLOAD_OK, ClaimChecker, PayloadCheck
from dyrd.credential.types import STEPS, Step
from tests.credential.conftest import make_certificate

ISSUED_AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
AT = ISSUED_AT + timedelta(days=1)
VALID_DCC_OID = "1.3.6.1.4.1.1847.2021.1.2"


def dcc(**changes: Any) -> dict[str, Any]:
    """A DCC 1.3.0 test certificate (our own, fictitious person)."""
    payload: dict[str, Any] = {
        "ver": "1.3.0",
        "nam": {"fn": "Zhang", "fnt": "ZHANG", "gn": "San", "gnt": "SAN"},
        "dob": "1980-01-01",
        "t": [
            {
                "tg": "840539006",
                "tt": "LP6464-4",
                "nm": "Roche LightCycler qPCR",
                "sc": "2026-11-19T09:00:00Z",
                "tr": "260415000",
                "tc": "Shanghai Test Centre",
                "co": "CN",
                "is": "DYRD test issuer",
                "ci": "URN:UVCI:01:CN:DYRD/TEST0001",
            }
        ],
    }
    payload.update(changes)
    return payload


def claims(payload: Any = None, *, iat: datetime = ISSUED_AT, days: int = 30) -> dict[int, Any]:
    """CWT claims around ``payload`` (default: ``dcc()``)."""
    return {
        cose.CLAIM_ISS: "CN",
        cose.CLAIM_IAT: int(iat.timestamp()),
        cose.CLAIM_EXP: int((iat + timedelta(days=days)).timestamp()),
        cose.CLAIM_HCERT: {cose.HCERT_DCC: dcc() if payload is None else payload},
    }


def issue(key: sig.PrivateKey, cert: bytes, alg: sig.Algorithm, body: Mapping[int, Any]) -> str:
    """HC1 text of ``body`` signed by ``key`` with the kid of ``cert``."""
    return encode_hc1(body, sign=sig.signer(key, alg), alg=alg.value, kid=sig.key_id(cert))


def reencode(text: str, mutate: Callable[[list[Any]], Any]) -> str:
    """HC1 text whose COSE array was changed by ``mutate`` (which may return a new structure)."""
    message = cbor2.loads(zlib.decompress(base45.decode(text[4:])))
    body = list(message.value)
    changed = mutate(body)
    new = changed if changed is not None else cbor2.CBORTag(18, body)
    return "HC1:" + base45.encode(zlib.compress(cbor2.dumps(new)))


@pytest.fixture(scope="module")
def keys() -> dict[sig.Algorithm, tuple[sig.PrivateKey, bytes]]:
    """One key and self-signed DSC per algorithm."""
    pairs: dict[sig.Algorithm, sig.PrivateKey] = {
        sig.Algorithm.ES256: ec.generate_private_key(ec.SECP256R1()),
        sig.Algorithm.ES384: ec.generate_private_key(ec.SECP384R1()),
        sig.Algorithm.PS256: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        sig.Algorithm.EDDSA: ed25519.Ed25519PrivateKey.generate(),
    }
    return {alg: (key, make_certificate(key)) for alg, key in pairs.items()}


@pytest.mark.parametrize("alg", list(sig.Algorithm))
def test_every_algorithm_issues_and_verifies(
    keys: dict[sig.Algorithm, tuple[sig.PrivateKey, bytes]], alg: sig.Algorithm
) -> None:
    """ES256, ES384, PS256 and EdDSA codes verify end to end, every step true."""
    key, cert = keys[alg]
    text = issue(key, cert, alg, claims())
    assert text.startswith("HC1:")
    verdict = hcert.verify(text, [cert], AT)
    assert verdict.valid, verdict.reason
    assert all(verdict.steps[s] is True for s in STEPS)
    assert verdict.kid == sig.key_id(cert)
    assert verdict.alg == alg.value
    assert "Valid" in verdict.reason
    assert "有效" in verdict.reason_zh


def test_verdict_json_has_every_step(
    es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes
) -> None:
    """as_dict gives valid, the nine steps by name, and the reason."""
    verdict = hcert.verify(
        issue(es256_key, es256_cert, sig.Algorithm.ES256, claims()), [es256_cert], AT
    )
    data = verdict.as_dict()
    assert data["valid"] is True
    assert list(data["steps"]) == [
        "prefix",
        "base45",
        "zlib",
        "cose",
        "cbor",
        "signature",
        "key_usage",
        "expiry",
        "schema",
    ]
    assert data["kid"] == sig.key_id(es256_cert).hex()


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (ISSUED_AT - timedelta(seconds=1), False),
        (ISSUED_AT, True),
        (ISSUED_AT + timedelta(days=30), True),
        (ISSUED_AT + timedelta(days=30, seconds=1), False),
    ],
)
def test_expiry_bounds(
    es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes, when: datetime, expected: bool
) -> None:
    """iat <= clock <= exp, both ends inclusive; outside, the expiry step fails with a reason."""
    text = issue(es256_key, es256_cert, sig.Algorithm.ES256, claims())
    verdict = hcert.verify(text, [es256_cert], when)
    assert verdict.steps[Step.EXPIRY] is expected
    assert verdict.steps[Step.SIGNATURE] is True
    assert verdict.valid is expected
    if not expected:
        assert verdict.failed_step is Step.EXPIRY
        assert ("Issued at" in verdict.reason) or ("Expired" in verdict.reason)


def test_naive_clock_is_utc(es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes) -> None:
    """A naive validation time is read as UTC, not local time."""
    text = issue(es256_key, es256_cert, sig.Algorithm.ES256, claims())
    assert hcert.verify(text, [es256_cert], ISSUED_AT.replace(tzinfo=None)).steps[Step.EXPIRY]
    before = (ISSUED_AT - timedelta(seconds=1)).replace(tzinfo=None)
    assert hcert.verify(text, [es256_cert], before).steps[Step.EXPIRY] is False


def test_missing_expiry_claims_fail(
    es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes
) -> None:
    """A CWT without a numeric exp or iat cannot pass the expiry step."""
    body = claims()
    del body[cose.CLAIM_EXP]
    body[cose.CLAIM_IAT] = "yesterday"
    verdict = hcert.verify(
        issue(es256_key, es256_cert, sig.Algorithm.ES256, body), [es256_cert], AT
    )
    assert verdict.steps[Step.EXPIRY] is False
    assert "iat (6) and exp (4)" in verdict.reason


def test_unknown_kid_and_wrong_certificate(
    keys: dict[sig.Algorithm, tuple[sig.PrivateKey, bytes]], es256_cert: bytes
) -> None:
    """Another DSC's certificate, or none, means the signature step fails naming the kid."""
    key, cert = keys[sig.Algorithm.ES256]
    text = issue(key, cert, sig.Algorithm.ES256, claims())
    for certificates in ([], [es256_cert]):
        verdict = hcert.verify(text, certificates, AT)
        assert verdict.steps[Step.SIGNATURE] is False
        assert sig.key_id(cert).hex() in verdict.reason
        assert verdict.steps[Step.SCHEMA] is True  # the other checks still ran
        assert not verdict.valid


def test_right_kid_wrong_key(keys: dict[sig.Algorithm, tuple[sig.PrivateKey, bytes]]) -> None:
    """A code signed by another key under a trusted kid fails the signature step."""
    _, cert = keys[sig.Algorithm.ES256]
    other = ec.generate_private_key(ec.SECP256R1())
    text = encode_hc1(
        claims(), sign=sig.signer(other, sig.Algorithm.ES256), alg=-7, kid=sig.key_id(cert)
    )
    verdict = hcert.verify(text, [cert], AT)
    assert verdict.steps[Step.SIGNATURE] is False
    assert "does not verify" in verdict.reason


def test_algorithm_must_match_the_key(
    keys: dict[sig.Algorithm, tuple[sig.PrivateKey, bytes]],
) -> None:
    """An EdDSA header on a P-256 DSC's kid, or an unknown algorithm, fails the signature step."""
    ec_key, ec_cert = keys[sig.Algorithm.ES256]
    ed_key, _ = keys[sig.Algorithm.EDDSA]
    text = encode_hc1(
        claims(), sign=sig.signer(ed_key, sig.Algorithm.EDDSA), alg=-8, kid=sig.key_id(ec_cert)
    )
    verdict = hcert.verify(text, [ec_cert], AT)
    assert verdict.steps[Step.SIGNATURE] is False
    assert "does not hold a EDDSA key" in verdict.reason

    def unknown_alg(body: list[Any]) -> None:
        body[0] = cose.dumps({1: -999, 4: sig.key_id(ec_cert)})

    good = issue(ec_key, ec_cert, sig.Algorithm.ES256, claims())
    verdict = hcert.verify(reencode(good, unknown_alg), [ec_cert], AT)
    assert verdict.steps[Step.SIGNATURE] is False
    assert "Unsupported signature algorithm -999" in verdict.reason


def test_cose_forms(es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes) -> None:
    """Untagged, tag 18 and 61(18(...)) all verify; another tag does not; kid may be unprotected."""
    text = issue(es256_key, es256_cert, sig.Algorithm.ES256, claims())
    untagged = reencode(text, lambda body: body)
    cwt = reencode(text, lambda body: cbor2.CBORTag(61, cbor2.CBORTag(18, body)))
    other = reencode(text, lambda body: cbor2.CBORTag(98, body))
    assert hcert.verify(untagged, [es256_cert], AT).valid
    assert hcert.verify(cwt, [es256_cert], AT).valid
    verdict = hcert.verify(other, [es256_cert], AT)
    assert verdict.steps[Step.COSE] is False
    assert "tag 98" in verdict.reason

    kid = sig.key_id(es256_cert)
    protected = cose.dumps({1: -7})
    payload = cose.dumps(claims())
    signature = sig.signer(es256_key, sig.Algorithm.ES256)(cose.sig_structure(protected, payload))
    message = cose.dumps(cbor2.CBORTag(18, [protected, {4: kid}, payload, signature]))
    unprotected = "HC1:" + base45.encode(zlib.compress(message))
    assert hcert.verify(unprotected, [es256_cert], AT).valid

    def wrong_protected_kid(body: list[Any]) -> None:
        body[0] = cose.dumps({1: -7, 4: b"12345678"})
        body[1] = {4: kid}

    verdict = hcert.verify(reencode(text, wrong_protected_kid), [es256_cert], AT)
    assert verdict.steps[Step.SIGNATURE] is False  # the protected kid wins (CO22)


def test_key_usage(es256_key: ec.EllipticCurvePrivateKey) -> None:
    """A DSC with DCC EKU OIDs signs only those types; other OIDs do not restrict it."""
    test_only = make_certificate(es256_key, usages=("1.3.6.1.4.1.1847.2021.1.1",))
    vacc_only = make_certificate(es256_key, usages=(VALID_DCC_OID,))
    server = make_certificate(es256_key, usages=("1.3.6.1.5.5.7.3.1",))
    for cert, ok in ((test_only, True), (vacc_only, False), (server, True)):
        text = issue(es256_key, cert, sig.Algorithm.ES256, claims())
        verdict = hcert.verify(text, [cert], AT)
        assert verdict.steps[Step.SIGNATURE] is True
        assert verdict.steps[Step.KEY_USAGE] is ok
        assert verdict.valid is ok


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (dcc(ver="9.9.9"), "not one this verifier knows"),
        (dcc(ver=None), "'ver'"),
        (dcc(dob="1 Jan 1980"), "does not match schema"),
        ({k: v for k, v in dcc(ver="1.2.1").items() if k != "t"}, "exactly one of v, t, r"),
        ({**dcc(), "t": [dcc()["t"][0], dcc()["t"][0]]}, "does not match schema 1.3.0"),
        (dcc(t=[{**dcc()["t"][0], "co": "XY"}]), "value set country"),
    ],
)
def test_schema_failures(
    es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes, payload: Any, fragment: str
) -> None:
    """Schema, entry-count and value-set problems fail the schema step with a reason."""
    text = issue(es256_key, es256_cert, sig.Algorithm.ES256, claims(payload))
    verdict = hcert.verify(text, [es256_cert], AT)
    assert verdict.steps[Step.SIGNATURE] is True
    assert verdict.steps[Step.SCHEMA] is False
    assert fragment in verdict.reason
    assert verdict.reason_zh


def test_unshipped_patch_release_uses_the_nearest_schema(
    es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes
) -> None:
    """ver 1.3.9 is checked against 1.3.3, the newest 1.3.x shipped."""
    text = issue(es256_key, es256_cert, sig.Algorithm.ES256, claims(dcc(ver="1.3.9")))
    assert hcert.verify(text, [es256_cert], AT).valid


def test_private_claim_set(es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes) -> None:
    """Our own claim set under another claim verifies with a pluggable checker."""

    def colour(payload: Any) -> PayloadCheck:
        if isinstance(payload, Mapping) and payload.get("c") in ("green", "yellow", "red"):
            return PAYLOAD_OK
        return PayloadCheck(False, "no colour", "缺少颜色")

    checker = ClaimChecker(claim=-70000, key=1, check_payload=colour)
    body = {1: "CN-YRD/GOV/310000", 4: 1_900_000_000, 6: 1_700_000_000, -70000: {1: {"c": "green"}}}
    text = issue(es256_key, es256_cert, sig.Algorithm.ES256, body)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    verdict = hcert.verify(text, [es256_cert], at, checker=checker)
    assert verdict.valid, verdict.reason
    assert verdict.steps[Step.KEY_USAGE] is None
    assert hcert.verify(text, [es256_cert], at).steps[Step.CBOR] is False  # not a DCC
    bad = issue(es256_key, es256_cert, sig.Algorithm.ES256, {**body, -70000: {1: {"c": "blue"}}})
    assert hcert.verify(bad, [es256_cert], at, checker=checker).reason == "no colour"
    missing = issue(es256_key, es256_cert, sig.Algorithm.ES256, {1: "CN", 4: 1, 6: 0})
    assert hcert.verify(missing, [es256_cert], at, checker=checker).steps[Step.CBOR] is False


def test_encode_refuses_bad_arguments(es256_key: ec.EllipticCurvePrivateKey) -> None:
    """Unknown algorithm, empty kid and DER-encoded ES256 signatures are refused."""
    sign = sig.signer(es256_key, sig.Algorithm.ES256)
    with pytest.raises(ValueError, match="unsupported COSE algorithm"):
        encode_hc1(claims(), sign=sign, alg=-999, kid=b"12345678")
    with pytest.raises(ValueError, match="kid"):
        encode_hc1(claims(), sign=sign, alg=-7, kid=b"")
    with pytest.raises(ValueError, match="64 bytes"):
        encode_hc1(claims(), sign=lambda data: b"\x30" * 70, alg=-7, kid=b"12345678")


def test_encode_is_deterministic_apart_from_the_signature(
    es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes
) -> None:
    """Same claims, same protected header and payload bytes (deterministic CBOR)."""
    first = issue(es256_key, es256_cert, sig.Algorithm.ES256, claims())
    second = issue(es256_key, es256_cert, sig.Algorithm.ES256, dict(reversed(claims().items())))
    one = cose.decode_sign1(hcert.decompress(base45.decode(first[4:])))
    two = cose.decode_sign1(hcert.decompress(base45.decode(second[4:])))
    assert (one.protected, one.payload) == (two.protected, two.payload)


def test_zlib_bomb_and_trailing_data(
    es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes
) -> None:
    """Inflating past the cap, truncated streams and bytes after the stream fail the zlib step."""
    bomb = "HC1:" + base45.encode(zlib.compress(b"\0" * (hcert.MAX_DECOMPRESSED_BYTES + 1), 9))
    assert len(bomb) < hcert.MAX_TEXT_CHARS
    verdict = hcert.verify(bomb, [es256_cert], AT)
    assert verdict.steps[Step.ZLIB] is False
    assert "more than" in verdict.reason
    good = issue(es256_key, es256_cert, sig.Algorithm.ES256, claims())
    raw = base45.decode(good[4:])
    truncated = hcert.verify("HC1:" + base45.encode(raw[:-6]), [es256_cert], AT)
    assert truncated.steps[Step.ZLIB] is False
    trailing = hcert.verify("HC1:" + base45.encode(raw + b"xx"), [es256_cert], AT)
    assert trailing.steps[Step.ZLIB] is False
    assert "after the zlib stream" in trailing.reason
    plain = hcert.verify("HC1:" + base45.encode(zlib.decompress(raw)), [es256_cert], AT)
    assert plain.steps[Step.ZLIB] is False  # upstream Z2: uncompressed COSE is refused


def test_deep_nesting_and_cycles(es256_cert: bytes) -> None:
    """Deeply nested CBOR and value-sharing tags are refused at the COSE step, not followed."""
    deep = "HC1:" + base45.encode(zlib.compress(b"\x81" * 5000 + b"\x00"))
    assert hcert.verify(deep, [es256_cert], AT).steps[Step.COSE] is False
    cyclic = "HC1:" + base45.encode(zlib.compress(bytes.fromhex("d81c81d81d00")))
    assert hcert.verify(cyclic, [es256_cert], AT).steps[Step.COSE] is False


def test_oversized_and_non_text(es256_cert: bytes) -> None:
    """Text past QR capacity fails the prefix step at once."""
    verdict = hcert.verify("HC1:" + "A" * hcert.MAX_TEXT_CHARS, [es256_cert], AT)
    assert verdict.steps[Step.PREFIX] is False
    assert "at most" in verdict.reason
    assert hcert.verify(b"HC1:ABC", [es256_cert], AT).steps[Step.PREFIX] is False  # type: ignore[arg-type]


def test_unreadable_certificates_are_ignored(
    es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes
) -> None:
    """Garbage among the certificates does not stop a good one from verifying."""
    text = issue(es256_key, es256_cert, sig.Algorithm.ES256, claims())
    assert hcert.verify(text, [b"garbage", es256_cert], AT).valid
    with pytest.raises(ValueError, match="certificate 1"):
        sig.KeyRing.from_der([b"garbage"])


def test_a_failing_payload_checker_gives_a_verdict(
    es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes
) -> None:
    """An exception inside a checker becomes a failed step, never an exception."""

    def broken(payload: Any) -> PayloadCheck:
        raise RuntimeError(payload)

    text = issue(es256_key, es256_cert, sig.Algorithm.ES256, claims())
    checker = ClaimChecker(claim=cose.CLAIM_HCERT, key=1, check_payload=broken)
    verdict = hcert.verify(text, [es256_cert], AT, checker=checker)
    assert verdict.steps[Step.SIGNATURE] is True
    assert verdict.steps[Step.SCHEMA] is False
    assert "RuntimeError" in verdict.reason
    assert not verdict.valid


# --- properties -------------------------------------------------------------------------------

SLOW = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SLOW
@given(data=st.data())
def test_signature_verifies_only_its_own_payload(
    es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes, data: st.DataObject
) -> None:
    """Flipping any bit of the payload (or protected header) makes the signature step false."""
    text = issue(es256_key, es256_cert, sig.Algorithm.ES256, claims())
    sign1 = cose.decode_sign1(hcert.decompress(base45.decode(text[4:])))
    part = data.draw(st.sampled_from(["payload", "protected"]))
    original = sign1.payload if part == "payload" else sign1.protected
    index = data.draw(st.integers(0, len(original) - 1))
    bit = data.draw(st.integers(0, 7))
    flipped = bytearray(original)
    flipped[index] ^= 1 << bit
    protected = bytes(flipped) if part == "protected" else sign1.protected
    payload = bytes(flipped) if part == "payload" else sign1.payload
    message = cose.dumps(cbor2.CBORTag(18, [protected, {}, payload, sign1.signature]))
    verdict = hcert.verify_cose(message, [es256_cert], AT)
    assert verdict.steps[Step.SIGNATURE] is not True
    if part == "payload":
        assert verdict.steps[Step.SIGNATURE] is False
    assert not verdict.valid


def _json_like() -> st.SearchStrategy[Any]:
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=12))
    return st.recursive(
        leaf,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
        ),
        max_leaves=12,
    )


@SLOW
@given(iss=st.text(max_size=10), extra=_json_like(), days=st.integers(1, 3650))
def test_encode_decode_round_trip(
    es256_key: ec.EllipticCurvePrivateKey,
    es256_cert: bytes,
    iss: str,
    extra: Any,
    days: int,
) -> None:
    """Whatever claims go in come back out, and the signature verifies."""
    body = claims(dcc(), days=days)
    body[cose.CLAIM_ISS] = iss
    body[-70001] = extra
    text = issue(es256_key, es256_cert, sig.Algorithm.ES256, body)
    verdict = hcert.verify(text, [es256_cert], AT)
    assert verdict.valid, verdict.reason
    assert verdict.claims is not None
    assert verdict.claims[cose.CLAIM_ISS] == iss
    assert hcert_normal(verdict.claims[-70001]) == extra


def hcert_normal(value: Any) -> Any:
    """cbor2's tuples/frozendicts as lists/dicts, for comparison with what went in."""
    if isinstance(value, Mapping):
        return {k: hcert_normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [hcert_normal(v) for v in value]
    return value


HC1_CHARS = st.sampled_from(list(base45.ALPHABET))


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=80),
        st.builds(lambda s: "HC1:" + s, st.text(HC1_CHARS, max_size=200)),
        st.builds(lambda b: "HC1:" + base45.encode(b), st.binary(max_size=200)),
        st.builds(lambda b: "HC1:" + base45.encode(zlib.compress(b)), st.binary(max_size=200)),
    )
)
def test_hostile_text_never_raises(text: str) -> None:
    """Random, garbled and truncated text gets a verdict, never an exception."""
    verdict = hcert.verify(text, [], AT)
    assert not verdict.valid
    assert verdict.failed_step is not None
    assert verdict.reason
    assert verdict.reason_zh


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(0, 600), junk=st.binary(max_size=8))
def test_truncated_and_spliced_codes_never_raise(
    es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes, cut: int, junk: bytes
) -> None:
    """A real code cut short, or its inner CBOR cut and padded, gets a verdict."""
    text = issue(es256_key, es256_cert, sig.Algorithm.ES256, claims())
    assert not hcert.verify(text[: min(cut, len(text) - 1)], [es256_cert], AT).valid
    message = hcert.decompress(base45.decode(text[4:]))
    spliced = message[: cut % len(message)] + junk
    hcert.verify("HC1:" + base45.encode(zlib.compress(spliced)), [es256_cert], AT)
