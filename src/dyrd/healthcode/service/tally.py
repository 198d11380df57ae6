"""Checkpoint verification counts, batched into the audit ledger (issue 4 item 8).

A ledger append costs a lock, a hash-chain step and a commit: one per verification put that on
every checkpoint request. A ``VerificationTally`` instead counts verifications in memory, per
checkpoint jurisdiction, checking member and minute, and appends one count entry
(``healthcode.checkpoint.verified``) per such bucket when it is flushed:

* every ``every`` verifications (on the request that reaches it, in that request's session);
* every ``interval`` seconds by a background thread (``start``), so a quiet checkpoint's counts
  reach the ledger within that time;
* on shutdown (``stop``), with whatever is pending.

What a crash loses, and only that: the counts since the last flush (at most ``every``
verifications and ``interval`` seconds' worth). The resident-level record of who checked a code
(the access log on the resident's node) is still written on every verification, in the request.
A flush that fails puts its counts back, to be retried by the next flush.

An entry's payload (no resident, no holder data)::

    {"checkpoint_jurisdiction": "310000", "window_start": ISO, "window_end": ISO,
     "verified": n, "accepted": n, "refused": n, "valid": n, "revocation_checked": n,
     "by_issuer": {"330000": {"verified": n, "accepted": n, "refused": n}, "unknown": {...}},
     "failed_steps": {"signature": n, ...}, "colours": {"green": n, ...},
     "policies": {"SH-ACC-001 v2": n}}

``by_issuer`` counts under ``unknown`` the codes whose issuer could not be read (a signature that
did not verify vouches for nothing).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dyrd import ledger
from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.healthcode.checkpoint_schemas import CheckpointVerdictRead

log = logging.getLogger(__name__)

CHECKPOINT_VERIFIED = "healthcode.checkpoint.verified"
TALLY_USER = "system:checkpoint-tally"

DEFAULT_EVERY = 1000
"""Verifications counted before a flush on the request path. A platform choice: a per-check
append cost about 13 ms of a verification on SQLite (bench/healthcode_checkpoint.py, 300 checks,
ledger_ms_saved); one append per 1000 checks spreads that below 0.02 ms a check, and a crash
loses at most 1000 counts."""

DEFAULT_INTERVAL_S = 60.0
"""Longest a count waits for the ledger: one minute, the window the entries are kept in."""


@dataclass
class _Bucket:
    window_start: datetime
    window_end: datetime
    verified: int = 0
    accepted: int = 0
    valid: int = 0
    revocation_checked: int = 0
    by_issuer: dict[str, Counter[str]] = field(default_factory=dict)
    failed_steps: Counter[str] = field(default_factory=Counter)
    colours: Counter[str] = field(default_factory=Counter)
    policies: Counter[str] = field(default_factory=Counter)

    def add(self, verdict: CheckpointVerdictRead, at: datetime) -> None:
        self.window_end = max(self.window_end, at)
        self.verified += 1
        self.accepted += verdict.accepted
        self.valid += verdict.valid
        self.revocation_checked += verdict.revocation_checked
        issuer = self.by_issuer.setdefault(verdict.issuing_jurisdiction or "unknown", Counter())
        issuer["verified"] += 1
        issuer["accepted" if verdict.accepted else "refused"] += 1
        failed = next((step for step, ok in verdict.steps.items() if ok is False), None)
        if failed is not None:
            self.failed_steps[failed] += 1
        if verdict.colour is not None:
            self.colours[str(verdict.colour)] += 1
        if verdict.policy_id is not None:
            self.policies[f"{verdict.policy_id} v{verdict.policy_version}"] += 1

    def merge(self, other: _Bucket) -> None:
        self.window_start = min(self.window_start, other.window_start)
        self.window_end = max(self.window_end, other.window_end)
        self.verified += other.verified
        self.accepted += other.accepted
        self.valid += other.valid
        self.revocation_checked += other.revocation_checked
        for issuer, counts in other.by_issuer.items():
            self.by_issuer.setdefault(issuer, Counter()).update(counts)
        self.failed_steps.update(other.failed_steps)
        self.colours.update(other.colours)
        self.policies.update(other.policies)

    def payload(self, jurisdiction: str) -> dict[str, Any]:
        return {
            "checkpoint_jurisdiction": jurisdiction,
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "verified": self.verified,
            "accepted": self.accepted,
            "refused": self.verified - self.accepted,
            "valid": self.valid,
            "revocation_checked": self.revocation_checked,
            "by_issuer": {
                issuer: {k: counts[k] for k in ("verified", "accepted", "refused")}
                for issuer, counts in sorted(self.by_issuer.items())
            },
            "failed_steps": dict(sorted(self.failed_steps.items())),
            "colours": dict(sorted(self.colours.items())),
            "policies": dict(sorted(self.policies.items())),
        }


_Key = tuple[str, str, datetime]
"""(checkpoint jurisdiction, checking member, minute)."""


def _entries(buckets: dict[_Key, _Bucket]) -> list[ledger.NewEntry]:
    return [
        ledger.NewEntry(
            kind=CHECKPOINT_VERIFIED,
            subject=jurisdiction,
            actor=Actor(user=TALLY_USER, member=member),
            payload=bucket.payload(jurisdiction),
        )  # stamped at the append (ledger time follows sequence); the window is in the payload
        for (jurisdiction, member, _), bucket in sorted(buckets.items())
    ]


def record_one(
    session: Session, verdict: CheckpointVerdictRead, *, actor: Actor, clock: Clock
) -> None:
    """Append the count entry of a single verification and commit (a one-off CLI check)."""
    now = clock()
    bucket = _Bucket(window_start=now, window_end=now)
    bucket.add(verdict, now)
    key = (verdict.checkpoint_jurisdiction, actor.member, now)
    ledger.append_many(session, _entries({key: bucket}), clock=clock)
    session.commit()


class VerificationTally:
    """Counts checkpoint verifications in memory and appends them to the ledger in batches."""

    def __init__(
        self,
        *,
        sessions: Callable[[], Session],
        clock: Clock,
        every: int = DEFAULT_EVERY,
        interval: float = DEFAULT_INTERVAL_S,
    ) -> None:
        if every < 1 or interval <= 0:
            raise ValueError("every >= 1 and interval > 0")
        self._sessions = sessions
        self._clock = clock
        self.every = every
        self.interval = interval
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._buckets: dict[_Key, _Bucket] = {}
        self._pending = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def pending(self) -> int:
        """Verifications counted and not yet in the ledger."""
        with self._lock:
            return self._pending

    def add(self, verdict: CheckpointVerdictRead, *, actor: Actor) -> bool:
        """Count one verification; True when ``every`` are pending (the caller flushes)."""
        now = self._clock()
        key = (verdict.checkpoint_jurisdiction, actor.member, now.replace(second=0, microsecond=0))
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(window_start=now, window_end=now)
            bucket.add(verdict, now)
            self._pending += 1
            return self._pending >= self.every

    def _take(self) -> tuple[dict[_Key, _Bucket], int]:
        with self._lock:
            taken, count = self._buckets, self._pending
            self._buckets, self._pending = {}, 0
        return taken, count

    def _put_back(self, taken: dict[_Key, _Bucket], count: int) -> None:
        with self._lock:
            for key, bucket in taken.items():
                held = self._buckets.get(key)
                if held is None:
                    self._buckets[key] = bucket
                else:
                    held.merge(bucket)
            self._pending += count

    def flush(self, session: Session | None = None) -> int:
        """Append every pending count (in ``session``, or a new one) and commit.

        Returns the number of verifications written. On failure the counts are put back and
        the error is raised (the caller's transaction is rolled back).
        """
        with self._flush_lock:  # one flush at a time keeps the entries in window order
            taken, count = self._take()
            if not taken:
                return 0
            own = session is None
            active = self._sessions() if session is None else session
            try:
                ledger.append_many(active, _entries(taken), clock=self._clock)
                active.commit()
            except BaseException:
                active.rollback()
                self._put_back(taken, count)
                raise
            finally:
                if own:
                    active.close()
            return count

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:  # a database outage: the counts wait for the next flush
                log.exception("checkpoint verification counts could not be flushed")

    def start(self) -> None:
        """Flush every ``interval`` seconds in a background thread until ``stop``."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="healthcode-checkpoint-tally", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread and flush what is pending (shutdown)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.flush()
