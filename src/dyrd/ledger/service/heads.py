"""Signing tree heads off the append path: one use case and the thread that runs it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.core.errors import ConfigurationError
from dyrd.ledger.compute import merkle
from dyrd.ledger.compute.signatures import key_id as key_id_of
from dyrd.ledger.compute.signatures import tree_head_message, truncate_to_ms, verify_signature
from dyrd.ledger.models import LedgerTreeHead
from dyrd.ledger.ports import Signer
from dyrd.ledger.repository import LedgerRepository
from dyrd.ledger.types import TreeHead

log = logging.getLogger(__name__)


def sign_pending_head(session: Session, *, signer: Signer, clock: Clock) -> TreeHead | None:
    """Sign a tree head over every committed entry, if any are not yet covered; commits.

    Pass a fresh session. The state is read in one short transaction, the signature is made
    with no transaction open (a signer may be slow: an HSM, a remote service), and the head is
    stored in a second short transaction, so appends neither wait for the signer nor are
    blocked by a read lock held across it (X-Road's exchange froze while it timestamped its
    message log: xroad-joint-development #152). The root comes from the stored frontier, so
    the cost does not grow with the backlog (X-Road's proxy ran out of memory timestamping a
    large backlog: X-Road #1293).
    """
    repo = LedgerRepository(session)
    state = repo.state()
    latest = repo.latest_head()
    latest_size = latest.size if latest else 0
    latest_at = latest.timestamp if latest else None
    session.commit()  # end the read transaction before signing
    if state.size <= latest_size:
        return None
    root = merkle.Frontier.from_bytes(state.size, state.frontier).root()
    at = truncate_to_ms(clock())
    if latest_at is not None and at < latest_at:
        at = latest_at  # a clock stepped back must not make heads go back in time
    message = tree_head_message(state.size, root, at)
    public = signer.public_key
    signature = signer.sign(message)
    key_id, algorithm = signer.key_id, signer.algorithm
    if key_id != key_id_of(public) or not verify_signature(algorithm, public, message, signature):
        raise ConfigurationError(
            f"The ledger signer {key_id!r} produced a signature its public key does not verify.",
            "账本签名器产生的签名无法用其公钥验证。",
            hint="Check the signing key file or HSM configuration.",
        )
    head = TreeHead(state.size, root, at, key_id, algorithm, signature)
    try:
        # Take the appenders' lock before reading: on SQLite (WAL) a transaction that reads and
        # then writes fails at once if an append committed in between; one that starts with
        # the write waits its turn. Held only for these few statements.
        repo.lock_state()
        if repo.key(key_id) is None:
            repo.add_key(key_id=key_id, algorithm=algorithm, public_key=public, at=at)
        if repo.latest_head_size() >= head.size:
            session.rollback()
            return None  # another signer got there first
        repo.add_head(
            LedgerTreeHead(
                size=head.size,
                root_hash=head.root_hash,
                timestamp=head.timestamp,
                key_id=head.key_id,
                algorithm=head.algorithm,
                signature=head.signature,
            )
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        return None  # a concurrent signer stored the same size or key first
    log.info("ledger tree head signed", extra={"tree_size": head.size, "key_id": head.key_id})
    return head


class Checkpointer:
    """Signs tree heads in a background thread: every ``interval`` seconds while entries wait,
    or as soon as ``batch`` entries wait. Batching makes signing cost depend on time, not on
    traffic (X-Road timestamps its message log in batches the same way)."""

    def __init__(
        self,
        *,
        session_factory: Callable[[], Session],
        signer: Signer,
        clock: Clock,
        interval: float = 10.0,
        batch: int = 1000,
        poll: float = 1.0,
    ) -> None:
        self._session_factory = session_factory
        self._signer = signer
        self._clock = clock
        self._interval = interval
        self._batch = batch
        self._poll = min(poll, interval) if interval > 0 else poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    def pending(self) -> int:
        """Committed entries not yet covered by a signed head."""
        with self._session_factory() as session:
            repo = LedgerRepository(session)
            return repo.state().size - repo.latest_head_size()

    def run_once(self) -> TreeHead | None:
        """Sign a head now if entries wait."""
        with self._session_factory() as session:
            return sign_pending_head(session, signer=self._signer, clock=self._clock)

    def start(self) -> None:
        """Start the background thread (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, name="dyrd-ledger-checkpointer", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Ask the thread to stop; True if it ended within ``timeout`` (a signer may hang)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def should_sign(self, waiting: int, elapsed: float) -> bool:
        """Sign when entries wait and ``batch`` of them do, or ``interval`` seconds passed."""
        return waiting > 0 and (waiting >= self._batch or elapsed >= self._interval)

    def _loop(self) -> None:
        last = time.monotonic() - self._interval  # a backlog left by a restart is signed at once
        while not self._stop.wait(self._poll):
            try:
                if self.should_sign(self.pending(), time.monotonic() - last):
                    self.run_once()
                    last = time.monotonic()
                self.last_error = None
            except Exception as exc:  # keep the thread alive: the next poll retries
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("ledger checkpoint failed; retrying at the next poll")
