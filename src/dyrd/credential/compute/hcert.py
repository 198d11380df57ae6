"""The HC1 container: ``"HC1:" + base45(zlib(COSE_Sign1(CWT)))``, issued and verified.

``encode_hc1`` issues; ``verify`` checks every step and returns a ``Verdict`` that says which
step failed and why, in English and Chinese. ``verify`` never raises on its input: text that is
truncated, garbled, oversized or hostile gives a verdict, not an exception.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import cbor2

from dyrd.credential.compute import base45, cose
from dyrd.credential.compute.dcc import bundled_checker
from dyrd.credential.compute.payload import PayloadChecker
from dyrd.credential.compute.signature import (
    ALGORITHM_NAMES,
    KID_LENGTH,
    Algorithm,
    CertificateLookup,
    KeyRing,
    SigningCertificate,
    issue_signature_size,
    key_matches,
    load_certificate,
)
from dyrd.credential.compute.signature import verify as verify_signature
from dyrd.credential.types import STEPS, Step, Verdict

PREFIX = "HC1:"
"""hcert_spec v1.0.8 §4.4: the context identifier of version 1 health certificates."""

MAX_TEXT_CHARS = 4296
"""The most alphanumeric characters a QR code holds (version 40-L, ISO/IEC 18004 Table 7)."""

MAX_DECOMPRESSED_BYTES = 64 * 1024
"""Inflated COSE size a verifier accepts (a DCC is ~300 bytes): stops zlib bombs."""

ZLIB_LEVEL = 9

_FRACTION = re.compile(r"T[0-9:]+\.([0-9]+)")


def encode_hc1(
    claims: Mapping[int, Any], *, sign: Callable[[bytes], bytes], alg: int, kid: bytes
) -> str:
    """HC1 text of ``claims`` signed by ``sign`` (which returns the COSE-form signature).

    ``alg`` is a COSE algorithm number (-7 ES256, -35 ES384, -37 PS256, -8 EdDSA) and ``kid`` the
    signer's key id (for DCCs the first 8 bytes of SHA-256 over the DSC). The payload is
    deterministic CBOR; the COSE_Sign1 is tagged 18. Raises ValueError on an unknown ``alg``,
    an empty ``kid`` or a signature of the wrong size for ``alg``.
    """
    try:
        algorithm = Algorithm(alg)
    except ValueError:
        raise ValueError(f"unsupported COSE algorithm {alg!r}") from None
    if not isinstance(kid, bytes) or not kid:
        raise ValueError("kid must be non-empty bytes")
    protected = cose.dumps({cose.HEADER_ALG: algorithm.value, cose.HEADER_KID: kid})
    payload = cose.dumps(dict(claims))
    signature = sign(cose.sig_structure(protected, payload))
    size = issue_signature_size(algorithm)
    if size is not None and len(signature) != size:
        raise ValueError(
            f"{algorithm.name} signatures are {size} bytes (raw r || s), got {len(signature)}"
        )
    message = cose.dumps(cbor2.CBORTag(cose.TAG_COSE_SIGN1, [protected, {}, payload, signature]))
    return PREFIX + base45.encode(zlib.compress(message, ZLIB_LEVEL))


def decompress(data: bytes, *, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """zlib-inflate ``data`` up to ``limit`` bytes; raises ValueError on anything else.

    Refuses data that is not a zlib stream (an uncompressed COSE, upstream Z2), a truncated
    stream, bytes after the stream, and output past ``limit``.
    """
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ValueError(f"not zlib data: {exc}") from None
    if len(out) > limit:
        raise ValueError(f"inflates to more than {limit} bytes")
    if not inflater.eof:
        raise ValueError("the zlib stream is truncated")
    if inflater.unused_data:
        raise ValueError(f"{len(inflater.unused_data)} bytes after the zlib stream")
    return out


def parse_time(text: str) -> datetime:
    """An ISO 8601 instant; ``Z``, ``+02:00``, ``+0200``, any fraction digits; naive is UTC.

    Raises ValueError when ``text`` is not such a timestamp.
    """
    value = text.strip()
    # fromisoformat takes at most 6 fraction digits: cut longer ones (upstream uses 7 and 9).
    match = _FRACTION.search(value)
    if match is not None and len(match.group(1)) > 6:
        value = value[: match.start(1) + 6] + value[match.end(1) :]
    return _at_utc(datetime.fromisoformat(value))


def _at_utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime):
        return _at_utc(value).timestamp()
    return None


def _when(seconds: float) -> str:
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return f"{seconds:.0f} s after 1970"


def _hex(value: Any) -> str:
    return value.hex() if isinstance(value, bytes) else repr(value)


class _Run:
    """Steps and reasons gathered while verifying one credential."""

    def __init__(self) -> None:
        self.steps: dict[Step, bool | None] = dict.fromkeys(STEPS)
        self.reasons: list[tuple[str, str]] = []
        self.kid: bytes | None = None
        self.alg: int | None = None
        self.claims: Mapping[Any, Any] | None = None
        self.signature: bytes | None = None
        self.current = Step.COSE

    def start(self, step: Step) -> None:
        self.current = step

    def ok(self, step: Step) -> None:
        self.steps[step] = True

    def fail(self, step: Step, reason: str, reason_zh: str) -> None:
        self.steps[step] = False
        self.reasons.append((reason, reason_zh))

    def verdict(self, success: tuple[str, str]) -> Verdict:
        reason, reason_zh = (
            ("; ".join(r for r, _ in self.reasons), "；".join(z for _, z in self.reasons))
            if self.reasons
            else success
        )
        return Verdict(
            self.steps, reason, reason_zh, self.kid, self.alg, self.claims, self.signature
        )


def _lookup(certificates: Sequence[bytes] | CertificateLookup) -> CertificateLookup:
    if isinstance(certificates, Sequence):
        ring = KeyRing()
        for der in certificates:
            try:
                ring.add(load_certificate(der))
            except ValueError:
                continue  # an unreadable certificate cannot have signed anything
        return ring
    return certificates


def verify(
    text: str,
    certificates: Sequence[bytes] | CertificateLookup,
    at: datetime,
    *,
    checker: PayloadChecker | None = None,
) -> Verdict:
    """Verify HC1 ``text`` against document-signer ``certificates`` (DER, or a KeyRing) at ``at``.

    ``checker`` finds and checks the payload (default: EU DCC schemas and value sets). A naive
    ``at`` is read as UTC. Never raises on hostile input.
    """
    run = _Run()
    if not isinstance(text, str):
        run.fail(Step.PREFIX, "The credential is not text.", "凭证不是文本。")
        return run.verdict(("", ""))
    if len(text) > MAX_TEXT_CHARS:
        run.fail(
            Step.PREFIX,
            f"The text is {len(text)} characters; a QR code holds at most {MAX_TEXT_CHARS}.",
            f"文本长度 {len(text)} 超过二维码容量上限 {MAX_TEXT_CHARS}。",
        )
        return run.verdict(("", ""))
    if not text.startswith(PREFIX):
        run.fail(
            Step.PREFIX,
            f"The text does not start with {PREFIX} (found {text[:4]!r}).",
            f"文本不以 {PREFIX} 开头（实为 {text[:4]!r}）。",
        )
        return run.verdict(("", ""))
    run.ok(Step.PREFIX)
    try:
        compressed = base45.decode(text[len(PREFIX) :])
    except base45.Base45Error as exc:
        run.fail(Step.BASE45, f"The text is not base45: {exc}.", "文本不是有效的 Base45 编码。")
        return run.verdict(("", ""))
    run.ok(Step.BASE45)
    try:
        message = decompress(compressed)
    except ValueError as exc:
        run.fail(Step.ZLIB, f"The data cannot be inflated: {exc}.", "数据无法解压（zlib）。")
        return run.verdict(("", ""))
    run.ok(Step.ZLIB)
    return _verify_message(run, message, certificates, at, checker)


def verify_cose(
    message: bytes,
    certificates: Sequence[bytes] | CertificateLookup,
    at: datetime,
    *,
    checker: PayloadChecker | None = None,
) -> Verdict:
    """Verify a COSE_Sign1 message directly (the prefix, base45 and zlib steps are None)."""
    return _verify_message(_Run(), message, certificates, at, checker)


def _verify_message(
    run: _Run,
    message: bytes,
    certificates: Sequence[bytes] | CertificateLookup,
    at: datetime,
    checker: PayloadChecker | None,
) -> Verdict:
    try:
        return _verify_checked(run, message, certificates, at, checker)
    except Exception as exc:  # a verdict, never an exception, on any input
        run.fail(
            run.current,
            f"The credential could not be processed ({type(exc).__name__}).",
            "无法处理该凭证。",
        )
        return run.verdict(("", ""))


def _verify_checked(
    run: _Run,
    message: bytes,
    certificates: Sequence[bytes] | CertificateLookup,
    at: datetime,
    checker: PayloadChecker | None,
) -> Verdict:
    checker = checker if checker is not None else bundled_checker()
    try:
        sign1 = cose.decode_sign1(message)
    except cose.CoseError as exc:
        run.fail(Step.COSE, f"Not a COSE_Sign1 message: {exc}.", "不是有效的 COSE_Sign1 签名结构。")
        return run.verdict(("", ""))
    run.ok(Step.COSE)
    alg, kid = sign1.alg, sign1.kid
    run.alg = alg if isinstance(alg, int) and not isinstance(alg, bool) else None
    run.kid = kid if isinstance(kid, bytes) else None
    run.signature = sign1.signature
    # The signature first, before the payload is parsed (hcert_spec §"Input Data Validation").
    run.start(Step.SIGNATURE)
    signer = _check_signature(run, sign1, _lookup(certificates))
    run.start(Step.CBOR)
    try:
        claims = cose.decode_claims(sign1.payload)
        payload = checker.payload(claims)
    except cose.CoseError as exc:
        run.fail(Step.CBOR, f"The CWT claims cannot be read: {exc}.", "无法读取 CWT 声明。")
        return run.verdict(("", ""))
    run.ok(Step.CBOR)
    run.claims = claims
    run.start(Step.KEY_USAGE)
    _check_key_usage(run, signer, payload, checker)
    run.start(Step.EXPIRY)
    _check_expiry(run, claims, _at_utc(at))
    run.start(Step.SCHEMA)
    check = checker.check(payload)
    if check.ok:
        run.ok(Step.SCHEMA)
    else:
        run.fail(Step.SCHEMA, check.reason, check.reason_zh)
    exp = _seconds(claims.get(cose.CLAIM_EXP))
    until = _when(exp) if exp is not None else "?"
    return run.verdict(
        (
            f"Valid: signed by key {_hex(run.kid)} ({ALGORITHM_NAMES.get(run.alg or 0, '?')}), "
            f"valid until {until}.",
            f"有效：由密钥 {_hex(run.kid)} 签名，有效期至 {until}。",
        )
    )


def _check_signature(
    run: _Run, sign1: cose.CoseSign1, lookup: CertificateLookup
) -> SigningCertificate | None:
    alg, kid = sign1.alg, sign1.kid
    try:
        algorithm = Algorithm(alg) if isinstance(alg, int) and not isinstance(alg, bool) else None
    except ValueError:
        algorithm = None
    if algorithm is None:
        run.fail(
            Step.SIGNATURE,
            f"Unsupported signature algorithm {alg!r} (ES256, ES384, PS256, EdDSA are).",
            f"不支持的签名算法 {alg!r}。",
        )
        return None
    if not isinstance(kid, bytes) or not kid:
        run.fail(Step.SIGNATURE, "The signature has no key id (kid).", "签名缺少密钥标识 kid。")
        return None
    candidates = lookup.lookup(kid)
    if not candidates:
        hint = "" if len(kid) == KID_LENGTH else f" (a DCC kid is {KID_LENGTH} bytes)"
        run.fail(
            Step.SIGNATURE,
            f"No trusted document-signer certificate has key id {kid.hex()}{hint}.",
            f"没有密钥标识为 {kid.hex()} 的受信任签名证书。",
        )
        return None
    data = sign1.to_be_signed()
    matching = [c for c in candidates if key_matches(algorithm, c.public_key)]
    for cert in matching:
        if verify_signature(algorithm, cert.public_key, data, sign1.signature):
            run.ok(Step.SIGNATURE)
            return cert
    if not matching:
        run.fail(
            Step.SIGNATURE,
            f"The certificate of key {kid.hex()} does not hold a {algorithm.name} key.",
            f"密钥 {kid.hex()} 的证书与签名算法 {algorithm.name} 不符。",
        )
        return candidates[0]
    run.fail(
        Step.SIGNATURE,
        f"The {algorithm.name} signature does not verify with key {kid.hex()}.",
        f"签名无法用密钥 {kid.hex()} 验证（{algorithm.name}）。",
    )
    return matching[0]


def _check_key_usage(
    run: _Run, signer: SigningCertificate | None, payload: Any, checker: PayloadChecker
) -> None:
    if signer is None:
        return
    allowed = checker.key_usage(payload, signer.usages)
    if allowed is None:
        return
    if allowed:
        run.ok(Step.KEY_USAGE)
        return
    run.fail(
        Step.KEY_USAGE,
        f"The signing certificate's extended key usage ({', '.join(sorted(signer.usages))}) "
        "does not cover this type of credential.",
        "签名证书的扩展密钥用途不包含该类凭证。",
    )


def _check_expiry(run: _Run, claims: Mapping[Any, Any], at: datetime) -> None:
    iat = _seconds(claims.get(cose.CLAIM_IAT))
    exp = _seconds(claims.get(cose.CLAIM_EXP))
    if iat is None or exp is None:
        missing = " and ".join(n for n, v in (("iat (6)", iat), ("exp (4)", exp)) if v is None)
        run.fail(
            Step.EXPIRY,
            f"The CWT has no numeric {missing} claim.",
            f"CWT 缺少数值型声明 {missing}。",
        )
        return
    now = at.timestamp()
    if now < iat:
        run.fail(
            Step.EXPIRY,
            f"Issued at {_when(iat)}, after the validation time {_when(now)}.",
            f"签发时间 {_when(iat)} 晚于验证时间 {_when(now)}。",
        )
    elif now > exp:
        run.fail(
            Step.EXPIRY,
            f"Expired at {_when(exp)} (validation time {_when(now)}).",
            f"已于 {_when(exp)} 过期（验证时间 {_when(now)}）。",
        )
    else:
        run.ok(Step.EXPIRY)
