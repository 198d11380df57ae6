"""Runs a federated region for the end-to-end test: a directory and member nodes as processes.

Each node gets its own SQLite database, key directory, ledger key and pseudonym secret under a
temporary directory, a free loopback port, and a log file. The operator steps that precede
`dyrd serve` (migrate, load members, create the member's key, users and tokens, register the
node with the directory) run in this process against each node's own files, exactly what the
`dyrd db upgrade / member load / key create / user create / token create / directory register`
commands do, without paying a 4 s interpreter start per command.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dyrd import bootstrap
from dyrd.core.actor import Actor
from dyrd.core.clock import utc_now
from dyrd.core.db import create_db_engine
from dyrd.core.types import REGION_MEMBER_ID
from dyrd.trust import service as trust_service
from dyrd.trust.adapters.file_keystore import FileKeyStore
from dyrd.trust.service.federation import register_member_node

# Generous: under pytest-xdist another worker may keep both cores busy while five nodes start.
STARTUP_TIMEOUT = 90.0
"""Seconds a node may take to answer /readyz (interpreter start is ~4 s on a quiet machine)."""


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Node:
    """One dyrd process: its files, its port, and the process while it runs."""

    name: str
    home: Path
    port: int
    member: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.home / 'dyrd.db'}"

    @property
    def key_dir(self) -> Path:
        return self.home / "keys"

    def settings_env(self) -> dict[str, str]:
        return {
            "DYRD_DATABASE_URL": self.db_url,
            "DYRD_KEY_DIR": str(self.key_dir),
            "DYRD_LEDGER_KEY_PATH": str(self.home / "ledger.pem"),
            "DYRD_PSEUDONYM_SECRET_PATH": str(self.home / "pseudonym.secret"),
            "DYRD_DIRECTORY_CACHE_PATH": str(self.home / "directory.json"),
            "DYRD_LEDGER_CHECKPOINT_SECONDS": "0",
            "DYRD_LOG_LEVEL": "WARNING",
            "DYRD_GATEWAY_RETRY_AFTER_SECONDS": "5",
            "DYRD_GATEWAY_UPSTREAM_TIMEOUT_SECONDS": "3",
            **self.env,
        }

    def engine(self) -> Engine:
        return create_db_engine(self.db_url)

    def keystore(self) -> FileKeyStore:
        return FileKeyStore(self.key_dir)

    def start(self) -> None:
        """Start `dyrd serve` for this node (returns at once; see wait_ready)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("DYRD_")}
        env.update(self.settings_env())
        args = ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        args += ["--member", self.member] if self.member else ["--directory"]
        self.log = (self.home / "serve.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603  # our own interpreter and arguments
            [sys.executable, "-c", "from dyrd.cli.main import main; main()", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, http: httpx.Client, *, directory: bool = False) -> None:
        """Poll /readyz (and /directoryz on a member node) until the node is ready."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        path = "/directoryz" if directory else "/readyz"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited early:\n{self.log_text()}")
            with contextlib.suppress(httpx.HTTPError):
                resp = http.get(self.url + path, timeout=2)
                if resp.status_code == 200 and (not directory or resp.json()["state"] == "fresh"):
                    return
            time.sleep(0.1)
        raise AssertionError(f"{self.name} not ready in {STARTUP_TIMEOUT} s:\n{self.log_text()}")

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and close its log."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def kill(self) -> None:
        """Kill the process at once, as a crash would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
        self.stop()

    def log_text(self) -> str:
        path = self.home / "serve.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def _migrate(node: Node) -> Engine:
    node.home.mkdir(parents=True, exist_ok=True)
    engine = node.engine()
    bootstrap.upgrade_database(engine)
    with Session(engine) as session:
        trust_service.load_default_members(session, clock=utc_now)
    return engine


def prepare_directory(node: Node) -> dict[str, Any]:
    """The directory's database with the members and the region root key; its public JWK."""
    engine = _migrate(node)
    try:
        with Session(engine) as session:
            trust_service.create_key(
                session,
                REGION_MEMBER_ID,
                algorithm="ES256",
                keystore=node.keystore(),
                by=Actor.system(),
                clock=utc_now,
            )
            root = trust_service.root_public_jwk(session)
    finally:
        engine.dispose()
    (node.home / "root.jwk").write_text(json.dumps(root))
    return root


def prepare_member(node: Node, users: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """A member node's database and key; ``users`` as (username, member, role), each with a
    token in ``node.tokens``. Returns the key export (`dyrd key list --member M --json`)."""
    assert node.member is not None
    engine = _migrate(node)
    try:
        with Session(engine) as session:
            trust_service.create_key(
                session,
                node.member,
                algorithm="ES256",
                keystore=node.keystore(),
                by=Actor.system(),
                clock=utc_now,
            )
            for username, member, role in users:
                trust_service.create_user(
                    session,
                    username=username,
                    member_id=member,
                    role=role,
                    by=Actor.system(),
                    clock=utc_now,
                )
                created = trust_service.create_token(
                    session, username, days=1, by=Actor.system(), clock=utc_now
                )
                node.tokens[username] = created.token
            keys = trust_service.list_keys(session, node.member)
            return [k.model_dump(mode="json") for k in keys]
    finally:
        engine.dispose()


def register(directory: Node, member: Node, export: list[dict[str, Any]]) -> None:
    """`dyrd directory register MEMBER --url URL --keys export.json` on the directory."""
    assert member.member is not None
    engine = directory.engine()
    try:
        with Session(engine) as session:
            register_member_node(session, member.member, url=member.url, keys=export, clock=utc_now)
    finally:
        engine.dispose()


@contextlib.contextmanager
def running(nodes: list[Node]) -> Iterator[None]:
    """Guaranteed teardown: every node's process is stopped and its log closed."""
    try:
        yield
    finally:
        for node in nodes:
            node.stop()
