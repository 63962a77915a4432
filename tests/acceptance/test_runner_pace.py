"""Requests in flight, as a server counts them: more while answers are slow and parallel,
no more than the run's concurrency (give or take the first answers) when the server queues."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tests.faulty_servers import TOKEN, faulty_app

from wai_contract import MODEL
from wai_contract.conformance import RunOptions, Target, load_contract, run
from wai_contract.conformance.engine import _slots as slots
from wai_contract.server import serve_asgi

DELAY = 0.1


class Counted:
    """An ASGI app that answers every request after :data:`DELAY`, at once or one at a
    time (*serial*), and counts the requests it holds at the same time."""

    def __init__(self, app: Any, *, serial: bool) -> None:
        self.app, self.serial = app, serial
        self.lock: asyncio.Lock | None = None
        self.now = self.peak = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            if self.serial:
                self.lock = self.lock or asyncio.Lock()
                async with self.lock:
                    await asyncio.sleep(DELAY)
                    await self.app(scope, receive, send)
            else:
                await asyncio.sleep(DELAY)
                await self.app(scope, receive, send)
        finally:
            self.now -= 1


def _run(app: Counted) -> Any:
    with serve_asgi(app, graceful=1) as base:
        target = Target(f"{base}/client/v4/accounts/a/ai/run/{MODEL}", TOKEN)
        options = RunOptions(max_examples=60, concurrency=2, max_concurrency=12)
        return run(target, load_contract().only({"accepts-valid"}), options)


@pytest.fixture(autouse=True)
def _slow_is_most_of_the_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slots, "SLOW_ANSWER", 0.07)


def test_slow_answers_given_in_parallel_grow_the_requests_in_flight() -> None:
    app = Counted(faulty_app(None), serial=False)
    report = _run(app)
    assert report.passed
    assert 4 < app.peak <= 12, "the run stayed near its concurrency of 2"
    assert any(n.startswith("requests in flight grew from 2 to ") for n in report.notes)


def test_a_server_that_queues_is_not_sent_more() -> None:
    app = Counted(faulty_app(None), serial=True)
    report = _run(app)
    assert report.passed
    assert app.peak <= 6, "queued answers took longer and longer, yet the run kept growing"
