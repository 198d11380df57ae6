"""A live dashboard on 127.0.0.1 (uvicorn in a thread) and a headless Chromium to drive it."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn
from sqlalchemy.orm import Session

from dyrd import bootstrap
from dyrd.core.config import Settings
from dyrd.core.db import create_db_engine
from dyrd.region import service as region_service
from tests.conftest import fixed_clock

if TYPE_CHECKING:
    from playwright.sync_api import Browser

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The Chromium to drive: $DYRD_CHROMIUM, else /usr/bin/chromium; None when absent."""
    wanted = os.environ.get("DYRD_CHROMIUM") or DEFAULT_CHROMIUM
    found = shutil.which(wanted)
    return found if found and Path(found).is_file() else None


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the whole app served by uvicorn on a free 127.0.0.1 port (own SQLite file)."""
    db = tmp_path_factory.mktemp("live") / "live.db"
    engine = create_db_engine(f"sqlite:///{db}")
    bootstrap.upgrade_database(engine)
    with Session(engine) as session:
        region_service.load_bundled(session, clock=fixed_clock)
    app = bootstrap.build_app(
        Settings(database_url=str(engine.url)), engine=engine, clock=fixed_clock
    )
    # Bind before starting so the port is ours: no race between choosing and listening.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live dashboard server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from the system (never downloaded); skipped when absent, except in CI."""
    path = chromium_path()
    if path is None:
        reason = (
            f"Chromium not found at {os.environ.get('DYRD_CHROMIUM') or DEFAULT_CHROMIUM}: "
            "install it (apt-get install chromium) or set DYRD_CHROMIUM"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the browser tests.")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # The sync API drives its own event loop in a greenlet and detaches it between calls, so it
    # neither meets pytest's loop-less main thread nor warns under filterwarnings = error: no
    # filter is needed. Module scope stops it before the next module's tests run.
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
