"""Checkpoint verification through the service, audited per verification against batched counts.

    uv run --frozen --no-sync python bench/healthcode_checkpoint.py [--count 300] [--json]

In one process, on a temporary SQLite database with every migration, the four jurisdictions'
keys and DSCs, the stored SAMPLE policies and one Zhejiang-issued green code of a resident of
this node: ``verify_at_checkpoint`` at a Shanghai checkpoint, ``--count`` times each way, in
alternating ``--rounds`` (the better of each kept):

* ``per_check``: a count entry appended to the ledger and committed on every verification (what
  the checkpoint did before the tally, and what a tally-less caller such as the CLI still does);
* ``batched``: counted in a ``VerificationTally`` (flushed every 1000 and once at the end; the
  final flush is inside the timing).

Both also write the resident's access log (the resident is registered here). ``ratio`` =
batched rate / per-check rate; ``ledger_ms_saved`` = the difference in milliseconds per check.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dyrd import bootstrap
from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.db import create_db_engine, make_session_factory
from dyrd.core.types import Role
from dyrd.healthcode import service
from dyrd.healthcode.adapters.credential_codec import HcertCodec
from dyrd.healthcode.schemas import ResidentCreate
from dyrd.healthcode.service.tally import CHECKPOINT_VERIFIED, VerificationTally
from dyrd.ledger.models import LedgerEntry
from dyrd.region import service as region_service
from dyrd.trust import service as trust_service
from dyrd.trust.adapters.file_keystore import FileKeyStore
from dyrd.trust.adapters.local_trust_list import LocalTrustList

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
ID_NUMBER = "33010619850101001X"  # synthetic; valid GB 11643 check digit
OFFICER = Actor(user="bench.officer", member="CN-YRD/GOV/310000")
STEWARD = Principal("bench.steward", {"CN-YRD/GOV/330000": frozenset({Role.DATA_STEWARD})})


def clock() -> datetime:
    """The frozen benchmark clock (the code stays valid throughout)."""
    return NOW


@dataclass(frozen=True)
class Result:
    """The figures ``--json`` prints."""

    count: int
    per_check_per_s: float
    per_check_ms: float
    batched_per_s: float
    batched_ms: float
    ratio: float
    ledger_ms_saved: float
    entries_per_check: int
    entries_batched: int


def _setup(tmp: Path) -> tuple[Callable[[], Session], str, FileKeyStore]:
    engine = create_db_engine(f"sqlite:///{tmp / 'bench.db'}")
    bootstrap.upgrade_database(engine)
    factory = make_session_factory(engine)
    store = FileKeyStore(tmp / "keys")
    with factory() as session:
        region_service.load_bundled(session, clock=clock)
        trust_service.load_default_members(session, clock=clock)
        trust_service.init_default_keys(session, keystore=store, clock=clock)
        for code in ("310000", "320000", "330000", "340000"):
            trust_service.issue_certificate(
                session, f"CN-YRD/GOV/{code}", keystore=store, by=Actor.system(), clock=clock
            )
        service.load_sample_rules(session, keystore=store, clock=clock)
        service.store_sample_policies(session, keystore=store, clock=clock)
        resident = service.register_resident(
            session,
            ResidentCreate(id_number=ID_NUMBER, initials="ZS", jurisdiction="330000"),
            principal=STEWARD,
            clock=clock,
            secret=lambda: b"bench-secret-" * 3,
        )
        text = service.issue_code(
            session, resident.id, principal=STEWARD, clock=clock, keystore=store,
            codec=HcertCodec(),
        ).text  # fmt: skip
    return factory, text, store


def _entries(factory: Callable[[], Session]) -> int:
    with factory() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(LedgerEntry)
                .where(LedgerEntry.kind == CHECKPOINT_VERIFIED)
            )
            or 0
        )


def measure(count: int = 300, rounds: int = 2) -> Result:
    """Run both ways on one database; raise if a verification is not accepted."""
    with tempfile.TemporaryDirectory() as name:
        factory, text, store = _setup(Path(name))
        codec = HcertCodec()
        trust_list = LocalTrustList(factory, clock=clock)

        def run(tally: VerificationTally | None) -> float:
            with factory() as session:
                book = service.checkpoint_policies(session, keystore=store, clock=clock)
                started = time.perf_counter()
                for _ in range(count):
                    verdict = service.verify_at_checkpoint(
                        session, text, checkpoint_jurisdiction="310000", at=None, clock=clock,
                        actor=OFFICER, verifier=codec, trust_list=trust_list, revocation=None,
                        policies=book, tally=tally,
                    )  # fmt: skip
                    if not verdict.accepted:
                        raise RuntimeError(f"the benchmark code was refused: {verdict.reason}")
                if tally is not None:
                    tally.flush(session)
                return time.perf_counter() - started

        run(VerificationTally(sessions=factory, clock=clock))  # warm-up (caches, JIT-free)
        best: dict[str, float] = {}
        entries: dict[str, int] = {}
        for _ in range(rounds):
            before = _entries(factory)
            best["per"] = min(best.get("per", float("inf")), run(None))
            entries["per"] = _entries(factory) - before
            before = _entries(factory)
            tally = VerificationTally(sessions=factory, clock=clock)
            best["batched"] = min(best.get("batched", float("inf")), run(tally))
            entries["batched"] = _entries(factory) - before
    per_ms, batched_ms = best["per"] * 1000 / count, best["batched"] * 1000 / count
    return Result(
        count=count,
        per_check_per_s=round(count / best["per"], 1),
        per_check_ms=round(per_ms, 3),
        batched_per_s=round(count / best["batched"], 1),
        batched_ms=round(batched_ms, 3),
        ratio=round(best["per"] / best["batched"], 2),
        ledger_ms_saved=round(per_ms - batched_ms, 3),
        entries_per_check=entries["per"],
        entries_batched=entries["batched"],
    )


def render(result: Result) -> str:
    """A small table."""
    rows: list[tuple[str, Any]] = list(asdict(result).items())
    return "\n".join(f"{name:>18}: {value}" for name, value in rows)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--count``, ``--rounds``, ``--json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.count, args.rounds)
    print(json.dumps(asdict(result)) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
