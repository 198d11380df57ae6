"""The shared polling lifecycle: first poll at once, repeats, survives a crashing poll, stops."""

from __future__ import annotations

import logging
import threading

import pytest

from dyrd.core.poller import PollingClient


class Counter(PollingClient):
    def __init__(self, *, fail_first: bool = False) -> None:
        super().__init__(interval=0.01, thread_name="dyrd-test-poller")
        self.polls = 0
        self.released = 0
        self.fail_first = fail_first
        self.twice = threading.Event()

    def _poll(self) -> None:
        self.polls += 1
        if self.polls >= 2:
            self.twice.set()
        if self.fail_first and self.polls == 1:
            raise RuntimeError("first poll fails")

    def _release(self) -> None:
        self.released += 1


def test_polls_repeatedly_until_closed_and_releases_once() -> None:
    with Counter() as client:
        client.start()
        client.start()  # a second start keeps the one thread
        assert client.twice.wait(5)
    polls = client.polls
    assert client.released == 1
    assert client._thread is None
    assert client.polls == polls  # nothing runs after close


def test_a_crashing_poll_is_logged_and_polling_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="dyrd.core.poller")
    client = Counter(fail_first=True)
    client.start()
    try:
        assert client.twice.wait(5)
    finally:
        client.close()
    assert any("dyrd-test-poller: poll crashed" in r.getMessage() for r in caplog.records)


def test_close_without_start_releases() -> None:
    client = Counter()
    client.close()
    assert client.released == 1
    assert client.polls == 0


def test_the_base_poll_must_be_defined() -> None:
    with pytest.raises(NotImplementedError):
        PollingClient(interval=1, thread_name="x")._poll()
