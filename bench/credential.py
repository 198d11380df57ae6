"""Offline HC1 verification and issuance rates, against bare ``cryptography`` ECDSA verification.

In one process, on one generated ES256 YRD health code (our claim set under HCERT's -260):

* ``verify``: what a checkpoint does offline, end to end: ``dyrd.credential.verify`` (prefix,
  base45, zlib, COSE, CWT, the signature with the public key loaded once and found by kid, key
  usage, expiry, the claim-set schema), then revocation (a snapshot holding 10,000 revoked
  hashes under the signer's kid) and the Shanghai SAMPLE acceptance policy (CertLogic);
* ``raw_ecdsa_verify``: ``cryptography``'s ECDSA P-256 verification of the same signature over
  the same Sig_structure bytes (DER signature prepared once): the floor of any verifier;
* ``issue``: ``encode_hc1`` (deterministic CBOR, signing, zlib, base45).

Rounds alternate and the best of each is kept. ``ratio`` = verify_per_s / raw_ecdsa_verify_per_s
(the issue's aim: >= 0.5). Absolute rates depend on the machine; compare ratios between commits.

``reeval_residents_per_s`` and ``reeval_peak_mb`` come from ``bench/healthcode_reeval.py`` run
at ``--reeval`` synthetic residents (default 100,000, small so this benchmark stays quick; the
issue's aim is for 10 million: run that script with ``--residents 10000000`` for it). The peak
is the process's RSS while re-evaluating, so it includes what the verification runs left.
``--reeval 0`` skips it and prints null for both.

    python bench/credential.py [--count 3000] [--rounds 3] [--reeval 100000] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID

if not __package__:  # run as `python bench/credential.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import healthcode_reeval  # after the path fix above
from dyrd.credential import encode_hc1, verify
from dyrd.credential.compute import base45, cose, hcert
from dyrd.credential.compute import revocation as rc
from dyrd.credential.compute import signature as sig
from dyrd.credential.compute.payload import ClaimChecker, PayloadCheck
from dyrd.healthcode.bundled import sample_policies
from dyrd.healthcode.compute import acceptance
from dyrd.healthcode.compute.claims import (
    HCERT_CLAIM,
    YRD_HC_CLAIM_KEY,
    CodeClaims,
    check_claim,
    cwt_claims,
    our_claim,
)
from dyrd.healthcode.types import Colour

ISSUED = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
AT = ISSUED + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class BenchResult:
    """The figures ``--json`` prints."""

    verify_per_s: float
    verify_p99_ms: float
    raw_ecdsa_verify_per_s: float
    ratio: float
    issue_per_s: float
    reeval_residents_per_s: float | None = None
    reeval_peak_mb: float | None = None


def _certificate(key: ec.EllipticCurvePrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "DYRD bench DSC")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(ISSUED - timedelta(days=1))
        .not_valid_after(ISSUED + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def claims() -> dict[int, Any]:
    """CWT claims of a DCC 1.3.0 test certificate (fictitious person)."""
    dcc = {
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
                "ci": "URN:UVCI:01:CN:DYRD/BENCH0001",
            }
        ],
    }
    return {
        cose.CLAIM_ISS: "CN",
        cose.CLAIM_IAT: int(ISSUED.timestamp()),
        cose.CLAIM_EXP: int((ISSUED + timedelta(days=30)).timestamp()),
        cose.CLAIM_HCERT: {cose.HCERT_DCC: dcc},
    }


REVOKED_ENTRIES = 10_000
"""Revoked hashes under the signer's kid in the benchmark's snapshot (a busy issuer's list)."""


def health_code_claims() -> dict[int, Any]:
    """CWT claims of a Zhejiang green health code (fictitious resident)."""
    return cwt_claims(
        CodeClaims(
            colour=Colour.GREEN,
            jurisdiction="330000",
            initials="ZS",
            birth_year=1985,
            id_hash_hex="ab" * 32,
            rule_id="ZJ-HC-009",
            rule_version=1,
            issued_at=ISSUED,
            expires_at=ISSUED + timedelta(days=2),
        ),
        issuer="CN-330000",
    )


def _claim_checker() -> ClaimChecker:
    def check(payload: Any) -> PayloadCheck:
        ok, reason, reason_zh = check_claim(payload)
        return PayloadCheck(ok, reason, reason_zh)

    return ClaimChecker(claim=HCERT_CLAIM, key=YRD_HC_CLAIM_KEY, check_payload=check)


def _snapshot(kid: bytes) -> rc.RevocationSnapshot:
    entries = frozenset(
        rc.Entry(kid, rc.HashType.SIGNATURE, i.to_bytes(16, "big")) for i in range(REVOKED_ENTRIES)
    )
    issuer = "CN-YRD/GOV/330000"
    return rc.RevocationSnapshot.from_states(
        [rc.ListState(issuer, 1, entries)], owners=lambda _kid: frozenset({issuer})
    )


def _rate(fn: Callable[[], object], count: int) -> tuple[float, list[float]]:
    """Calls per second over ``count`` calls, and each call's time in seconds."""
    times = []
    clock = time.perf_counter
    start = clock()
    for _ in range(count):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return count / (clock() - start), times


def measure(count: int = 3000, rounds: int = 3) -> BenchResult:
    """Run the three measurements ``rounds`` times, alternating; keep the best rate of each."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(key)
    kid = sig.key_id(cert)
    sign = sig.signer(key, sig.Algorithm.ES256)
    body = health_code_claims()
    text = encode_hc1(body, sign=sign, alg=sig.Algorithm.ES256.value, kid=kid)
    checker = _claim_checker()
    snapshot = _snapshot(kid)
    policy = acceptance.in_force(sample_policies(), "310000", AT.date())
    assert policy is not None  # the bundled samples cover every date from 2020
    ring = sig.KeyRing([sig.load_certificate(cert)])  # what a verifier holds: keys by kid
    sign1 = cose.decode_sign1(hcert.decompress(base45.decode(text[4:])))
    tbs = sign1.to_be_signed()
    der = encode_dss_signature(
        int.from_bytes(sign1.signature[:32], "big"), int.from_bytes(sign1.signature[32:], "big")
    )
    public = key.public_key()
    algorithm = ec.ECDSA(hashes.SHA256())

    def checkpoint() -> bool:
        verdict = verify(text, ring, AT, checker=checker)
        if not verdict.valid or verdict.claims is None:
            return False
        # As the checkpoint service reads them: from the verdict, not a second decoding.
        assert verdict.signature is not None  # the COSE step passed
        coords = rc.coordinates(verdict.kid, verdict.alg, verdict.signature, verdict.claims)
        if snapshot.is_revoked(
            coords.kid, coords.signature, coords.uci, alg=coords.alg, country=coords.country
        ):
            return False
        claim = our_claim(verdict.claims)
        assert claim is not None  # the schema step passed
        data = acceptance.policy_data(
            claim,
            issued_at=verdict.claims.get(6),
            expires_at=verdict.claims.get(4),
            checkpoint="310000",
            at=AT,
        )
        return acceptance.decide(policy, data).accepted

    if not checkpoint():
        raise RuntimeError("the benchmark's own code is not accepted at the checkpoint")

    def full() -> None:
        if not checkpoint():
            raise RuntimeError("verification failed during the benchmark")

    def raw() -> None:
        public.verify(der, tbs, algorithm)

    def issue() -> None:
        encode_hc1(body, sign=sign, alg=-7, kid=kid)

    for fn in (full, raw, issue):  # warm-up: schema validators, OpenSSL contexts
        for _ in range(min(50, count)):
            fn()
    best: dict[str, float] = {}
    latencies: list[float] = []
    for _ in range(rounds):
        verify_rate, times = _rate(full, count)
        if verify_rate > best.get("verify", 0.0):
            best["verify"], latencies = verify_rate, times
        best["raw"] = max(best.get("raw", 0.0), _rate(raw, count)[0])
        best["issue"] = max(best.get("issue", 0.0), _rate(issue, count)[0])
    p99 = statistics.quantiles(latencies, n=100, method="inclusive")[98] if count > 1 else 0.0
    return BenchResult(
        verify_per_s=round(best["verify"], 1),
        verify_p99_ms=round(p99 * 1000, 4),
        raw_ecdsa_verify_per_s=round(best["raw"], 1),
        ratio=round(best["verify"] / best["raw"], 3),
        issue_per_s=round(best["issue"], 1),
    )


def with_reeval(result: BenchResult, residents: int) -> BenchResult:
    """``result`` with the batch re-evaluation figures of ``residents`` synthetic residents."""
    reeval = healthcode_reeval.measure(residents, baseline=min(residents, 100))
    return replace(
        result,
        reeval_residents_per_s=float(reeval.reeval_residents_per_s),
        reeval_peak_mb=reeval.reeval_peak_mb,
    )


def render(result: BenchResult) -> str:
    """A human-readable summary."""
    return "\n".join(
        [
            f"HC1 verify (full, offline)   {result.verify_per_s:>10.0f} /s"
            f"   p99 {result.verify_p99_ms:.3f} ms",
            f"bare ECDSA P-256 verify      {result.raw_ecdsa_verify_per_s:>10.0f} /s",
            f"ratio verify / bare          {result.ratio:>10.3f}   (aim >= 0.5)",
            f"HC1 issue (encode + sign)    {result.issue_per_s:>10.0f} /s",
            f"batch re-evaluation          {result.reeval_residents_per_s or 0:>10.0f} residents/s"
            f"   peak {result.reeval_peak_mb or 0:.1f} MB",
        ]
    )


def main(argv: Sequence[str] | None = None, out: Callable[[str], object] = print) -> int:
    """Command line: ``--count``, ``--rounds``, ``--json``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=3000, help="calls per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument(
        "--reeval", type=int, default=100_000, help="residents re-evaluated (0: skip)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    if args.count < 1 or args.rounds < 1 or args.reeval < 0:
        parser.error("--count and --rounds must be at least 1, --reeval at least 0")
    result = measure(count=args.count, rounds=args.rounds)
    if args.reeval:
        result = with_reeval(result, args.reeval)
    out(json.dumps(asdict(result)) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
