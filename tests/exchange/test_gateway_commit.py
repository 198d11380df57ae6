"""The gateway's write path: nonces claimed in batches, group commit across threads."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from dyrd.exchange.repository import NonceClaim, NonceRepository
from dyrd.exchange.service.gateway_commit import GroupCommit, SqliteWriterTurns

UNTIL = datetime(2099, 1, 1, tzinfo=UTC)


def _claim(client: str, nonce: str) -> NonceClaim:
    return NonceClaim(client, nonce, UNTIL, f"msg-{nonce}")


def test_a_nonce_is_won_once_within_a_batch_and_across_batches(session: Session) -> None:
    repo = NonceRepository(session)
    first = repo.claim_many([_claim("A", "n1"), _claim("A", "n2"), _claim("A", "n1")])
    assert first == [True, True, False]
    second = repo.claim_many([_claim("A", "n2"), _claim("B", "n2"), _claim("A", "n3")])
    assert second == [False, True, True]  # the nonce is per client
    assert repo.claim("A", "n3", expires_at=UNTIL, message_id="m") is False
    assert repo.claim("A", "n4", expires_at=UNTIL, message_id="m") is True
    assert repo.claim_many([]) == []


def test_many_claims_at_once(session: Session) -> None:
    claims = [_claim("C", f"n{i}") for i in range(450)]
    assert NonceRepository(session).claim_many(claims) == [True] * 450
    assert NonceRepository(session).claim_many(claims[::50]) == [False] * 9


def test_every_submitter_returns_after_the_commit_holding_its_item(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'gc.db'}", connect_args={"timeout": 30})
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE item (v INTEGER PRIMARY KEY)"))
    batches: list[int] = []

    def write(session: Session, items: Sequence[int]) -> None:
        batches.append(len(items))
        for v in items:
            session.execute(text("INSERT INTO item (v) VALUES (:v)"), {"v": v})

    commits: GroupCommit[int] = GroupCommit(write)
    seen_committed: list[bool] = []

    def submitter(v: int) -> None:
        with Session(engine) as session:
            commits.submit(session, v)
        with engine.connect() as conn:  # another connection sees it: it was committed
            found = conn.execute(text("SELECT count(*) FROM item WHERE v = :v"), {"v": v})
            seen_committed.append(found.scalar_one() == 1)

    threads = [threading.Thread(target=submitter, args=(v,)) for v in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen_committed == [True] * 40
    assert sum(batches) == 40 == commits.items
    assert commits.commits == len(batches)
    assert (tmp_path / "gc.db-writer.lock").exists()
    engine.dispose()


def test_a_failed_batch_raises_in_every_submitter_of_it(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'gc.db'}")

    def write(session: Session, items: Sequence[int]) -> None:
        session.execute(text("SELECT 1"))
        raise RuntimeError(f"disk full for {list(items)}")

    commits: GroupCommit[int] = GroupCommit(write)
    with Session(engine) as session, pytest.raises(RuntimeError, match="disk full"):
        commits.submit(session, 1)
    assert commits.commits == 0
    engine.dispose()


def test_writer_turns_only_for_sqlite_files(tmp_path: Path) -> None:
    turns = SqliteWriterTurns()
    memory = create_engine("sqlite://")
    with Session(memory) as session, turns.turn(session):
        pass
    assert not list(tmp_path.iterdir())
    on_file = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with Session(on_file) as session:
        with turns.turn(session):
            pass
        with turns.turn(session):  # released, so it can be taken again
            pass
    assert [p.name for p in tmp_path.iterdir()] == ["x.db-writer.lock"]
    memory.dispose()
    on_file.dispose()
