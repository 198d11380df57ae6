"""SM2-with-SM3 sign and verify throughput against ES256, both through the trust domain's ports.

In one process and in alternating rounds (the best of each kept) it times:

* ES256: ``FileKeyStore.sign`` (64-byte r || s) and ``jose.verify_with_key`` on a P-256 key;
* SM2: ``Sm2KeyStore.sign`` (64-byte r || s over SM3(Z || M), default user id) and
  ``compute.sm2.verify_with_key`` on an SM2 key,

both on a 256-byte message with keys in a temporary directory, and prints operations per second
and the ratios SM2/ES256 (1.0 = as fast as ES256). Absolute numbers depend on the machine.

Why ``tongsuopy``: the SM2 packages on PyPI that install on CPython 3.11 / x86-64 Linux were
measured side by side (November 2026, same run, 256-byte message, sign/s and verify/s):
ES256 with ``cryptography`` 26,500 / 9,400; ``tongsuopy`` 1.0.1 (Tongsuo) 1,600 / 1,700;
``gmalglib`` 0.5.9 (C, source build only) 7,000 / 1,200; ``gmssl-fast`` 0.1.0 (GmSSL) 750 / 470;
``gmssl-pyx`` 2.1.0 (GmSSL) 320 / 1,400; ``smcryptopy`` 0.2.1 (Rust) 25 / 14 (and it aborts the
process on a malformed signature); pure-Python ``gmssl`` 3.2.2 96 / 40. All those that ran
verified the GB/T 32918.5-2017 Annex A signature. ``tongsuopy`` ships a wheel, is the fastest
verifier and the only one with standard SPKI and encrypted PKCS#8 serialization.

    python bench/sm2.py [--seconds 1.0] [--rounds 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path

from dyrd.trust.adapters.file_keystore import FileKeyStore
from dyrd.trust.adapters.sm2_signer import Sm2KeyStore
from dyrd.trust.compute import jose, sm2
from dyrd.trust.types import KeyAlgorithm

MESSAGE = b"x" * 256


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds`` (after a short warm-up)."""
    for _ in range(5):
        fn()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(10):
            fn()
        calls += 10
    return calls / elapsed


def measure(*, seconds: float = 1.0, rounds: int = 2) -> dict[str, float | str]:
    """The figures ``--json`` prints (each rate the best of ``rounds`` alternating rounds)."""
    with tempfile.TemporaryDirectory() as tmp:
        es_store = FileKeyStore(Path(tmp) / "keys")
        es_kid = es_store.generate(KeyAlgorithm.ES256)
        es_key = jose.key_from_jwk(jose.public_jwk(es_store.public_key(es_kid)))
        es_sig = es_store.sign(es_kid, MESSAGE)
        sm_store = Sm2KeyStore(Path(tmp) / "sm2")
        sm_kid = sm_store.generate()
        sm_key = sm2.load_spki(sm_store.public_key(sm_kid))
        sm_sig = sm_store.sign(sm_kid, MESSAGE)
        if not (
            jose.verify_with_key(KeyAlgorithm.ES256, es_key, MESSAGE, es_sig)
            and sm2.verify_with_key(sm_key, MESSAGE, sm_sig)
        ):
            raise RuntimeError("a signature made for the benchmark does not verify")
        timed: dict[str, Callable[[], object]] = {
            "es256_sign_per_s": lambda: es_store.sign(es_kid, MESSAGE),
            "sm2_sign_per_s": lambda: sm_store.sign(sm_kid, MESSAGE),
            "es256_verify_per_s": lambda: jose.verify_with_key(
                KeyAlgorithm.ES256, es_key, MESSAGE, es_sig
            ),
            "sm2_verify_per_s": lambda: sm2.verify_with_key(sm_key, MESSAGE, sm_sig),
        }
        best = dict.fromkeys(timed, 0.0)
        for _ in range(rounds):
            for name, fn in timed.items():
                best[name] = max(best[name], rate(fn, seconds))
    return {
        **best,
        "sm2_library": f"tongsuopy {version('tongsuopy')}",
        "ratio_sign": best["sm2_sign_per_s"] / best["es256_sign_per_s"],
        "ratio_verify": best["sm2_verify_per_s"] / best["es256_verify_per_s"],
    }


def main(argv: Sequence[str] | None = None, *, out: Callable[[str], object] = print) -> int:
    """Run the benchmark and print a table, or JSON with ``--json``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (best kept)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    r = measure(seconds=args.seconds, rounds=args.rounds)
    if args.json:
        out(json.dumps(r))
        return 0
    out(f"SM2 with SM3 ({r['sm2_library']}) against ES256, {len(MESSAGE)}-byte message")
    out(f"{'per second':<12}{'ES256':>10}{'SM2':>10}{'SM2/ES256':>11}")
    for op in ("sign", "verify"):
        out(
            f"{op:<12}{r[f'es256_{op}_per_s']:>10,.0f}{r[f'sm2_{op}_per_s']:>10,.0f}"
            f"{r[f'ratio_{op}']:>11.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
