"""Sign and verify throughput of the trust domain's ports, against bare ``cryptography`` calls.

For each algorithm (ES256, EdDSA) it times, in one process and in alternating rounds:

* ``bare``: ``cryptography`` signing (DER for ECDSA) and verifying with a loaded public key;
* ``store``: ``FileKeyStore.sign`` (64-byte r || s for ES256) on a key file in a temporary dir;
* ``verifier``: ``KeyTableVerifier.verify`` on a temporary SQLite key table (cached keys, the
  validity window checked on every call);
* ``directory``: ``Directory.verify``, a signed directory used as the verifier (no database).

and prints operations per second and the ratio port/bare (1.0 = no overhead). Absolute numbers
depend on the machine; the ratios are what to compare between commits.

    python bench/trust_signing.py [--seconds 1.0] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dyrd import bootstrap
from dyrd.core.db import create_db_engine, make_session_factory
from dyrd.trust import service
from dyrd.trust.adapters.file_keystore import FileKeyStore
from dyrd.trust.compute import directory as doc
from dyrd.trust.types import KeyAlgorithm

MESSAGE = b"x" * 256
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds`` (after a short warm-up)."""
    for _ in range(20):
        fn()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            fn()
        calls += 50
    return calls / elapsed


def bare(algorithm: KeyAlgorithm) -> tuple[Callable[[], object], Callable[[], object]]:
    if algorithm is KeyAlgorithm.EDDSA:
        ed = Ed25519PrivateKey.generate()
        ed_pub, ed_sig = ed.public_key(), ed.sign(MESSAGE)
        return (lambda: ed.sign(MESSAGE)), (lambda: ed_pub.verify(ed_sig, MESSAGE))
    key = ec.generate_private_key(ec.SECP256R1())
    pub, sig = key.public_key(), key.sign(MESSAGE, ec.ECDSA(hashes.SHA256()))
    return (lambda: key.sign(MESSAGE, ec.ECDSA(hashes.SHA256()))), (
        lambda: pub.verify(sig, MESSAGE, ec.ECDSA(hashes.SHA256()))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_db_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        bootstrap.upgrade_database(engine)
        factory = make_session_factory(engine)
        store = FileKeyStore(Path(tmp) / "keys")
        with factory() as session:
            service.load_default_members(session, clock=lambda: NOW)
            service.init_default_keys(session, keystore=store, clock=lambda: NOW)
            root = service.root_public_jwk(session)
            signed = service.publish_directory(session, keystore=store, clock=lambda: NOW)
        directory = doc.verify_directory(signed.document, root, at=NOW)
        verifier = service.key_verifier(factory, cache_seconds=3600)
        at = NOW + timedelta(minutes=1)
        for algorithm in KeyAlgorithm:
            with factory() as session:
                signer = service.member_signer(
                    session, "CN-YRD/GOV/330000", keystore=store, algorithm=algorithm.value
                )
            signature = signer.sign(MESSAGE)
            bare_sign, bare_verify = bare(algorithm)
            row: dict[str, Any] = {}
            for _ in range(2):  # alternating rounds, keep the better of each
                figures = {
                    "bare_sign": rate(bare_sign, args.seconds),
                    "store_sign": rate(lambda s=signer: s.sign(MESSAGE), args.seconds),
                    "bare_verify": rate(bare_verify, args.seconds),
                    "verifier_verify": rate(
                        lambda k=signer.key_id, s=signature: verifier.verify(k, MESSAGE, s, at=at),
                        args.seconds,
                    ),
                    "directory_verify": rate(
                        lambda k=signer.key_id, s=signature: directory.verify(k, MESSAGE, s, at=at),
                        args.seconds,
                    ),
                }
                for name, value in figures.items():
                    row[name] = max(row.get(name, 0.0), value)
            row["sign_ratio"] = row["store_sign"] / row["bare_sign"]
            row["verifier_ratio"] = row["verifier_verify"] / row["bare_verify"]
            row["directory_ratio"] = row["directory_verify"] / row["bare_verify"]
            results[algorithm.value] = row
        engine.dispose()
    if args.json:
        print(json.dumps({"message_bytes": len(MESSAGE), "results": results}, indent=2))
        return 0
    print(
        f"{'per second':<12}{'sign bare':>11}{'sign store':>12}{'ratio':>7}"
        f"{'verify bare':>13}{'verifier':>10}{'ratio':>7}{'directory':>11}{'ratio':>7}"
    )
    for name, r in results.items():
        print(
            f"{name:<12}{r['bare_sign']:>11,.0f}{r['store_sign']:>12,.0f}{r['sign_ratio']:>7.2f}"
            f"{r['bare_verify']:>13,.0f}{r['verifier_verify']:>10,.0f}{r['verifier_ratio']:>7.2f}"
            f"{r['directory_verify']:>11,.0f}{r['directory_ratio']:>7.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
