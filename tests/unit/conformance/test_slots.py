"""Exchanges in flight: growth while answers are slow and parallel, retreat otherwise."""

from __future__ import annotations

import threading

import httpx
import pytest

from wai_contract.conformance.engine import _sender
from wai_contract.conformance.engine._sender import RequestBudget, send
from wai_contract.conformance.engine._slots import Slots
from wai_contract.conformance.http import Exchange, Outcome


def outcome(seconds: float, status: int | None = 200, error: str | None = None) -> Outcome:
    exchange = Exchange("POST", "http://x.test/", {}, True)
    exchange.status, exchange.elapsed_ms, exchange.error = status, seconds * 1000, error
    return Outcome(exchange)


def settle(slots: Slots, *outcomes: Outcome) -> Slots:
    for answer in outcomes:
        slots.take()
        slots.give(answer)
    return slots


def test_slow_answers_in_parallel_grow_the_limit_one_each_up_to_the_ceiling() -> None:
    slots = settle(Slots(4, 7), *[outcome(2.0) for _ in range(2)])
    assert (slots.allowed, slots.peak) == (6, 6)
    settle(slots, *[outcome(2.5) for _ in range(5)])
    assert (slots.allowed, slots.peak, slots.busy) == (7, 7, 0)


def test_fast_answers_leave_the_limit_alone() -> None:
    assert settle(Slots(4, 64), *[outcome(0.01) for _ in range(50)]).allowed == 4


def test_answers_that_queue_shrink_the_limit_back_to_the_start_not_below() -> None:
    slots = settle(Slots(4, 64), outcome(1.0), outcome(1.0), outcome(1.0))
    assert slots.allowed == 7
    settle(slots, *[outcome(2.5) for _ in range(5)])
    assert slots.allowed == 4 and slots.peak == 7


def test_a_transient_answer_halves_the_limit_and_growth_stops() -> None:
    slots = settle(Slots(4, 64), outcome(1.0), outcome(1.0), outcome(0.1, status=429))
    assert slots.allowed == 3 and not slots.growing
    settle(slots, outcome(1.0), outcome(0.1, status=503), outcome(0.1, status=503))
    assert slots.allowed == 1


@pytest.mark.parametrize(
    "failure",
    [outcome(30.0, status=None, error="timeout: no answer in 30 s"), outcome(0.2, status=500)],
)
def test_a_failure_above_the_start_returns_to_it_for_good(failure: Outcome) -> None:
    slots = settle(Slots(4, 64), outcome(1.0), outcome(1.0))
    settle(slots, failure)
    assert slots.allowed == 4 and not slots.growing
    assert settle(slots, outcome(1.0)).allowed == 4


def test_a_ceiling_at_the_start_never_grows() -> None:
    assert settle(Slots(4, 4), *[outcome(2.0) for _ in range(9)]).allowed == 4
    assert Slots(8, 2).ceiling == 8


def test_take_waits_for_a_free_slot_and_stop_ends_the_wait() -> None:
    slots = Slots(1, 1)
    slots.take()
    taken = threading.Event()
    waiter = threading.Thread(target=lambda: (slots.take(), taken.set()))
    waiter.start()
    assert not taken.wait(0.3)
    slots.give(outcome(0.01))
    assert taken.wait(5)
    waiter.join(5)
    stop = threading.Event()
    stop.set()
    slots.take(stop)  # at the limit, but the run is stopping: no wait
    assert slots.busy == 2


def test_a_retry_waits_without_holding_a_slot(monkeypatch: pytest.MonkeyPatch) -> None:
    slots = Slots(2, 2)
    held_while_waiting: list[int] = []
    monkeypatch.setattr(_sender, "pause", lambda s, stop: held_while_waiting.append(slots.busy))
    answers = iter([httpx.Response(429, headers={"retry-after": "1"}), httpx.Response(200)])
    slots.take()  # as the run's sender does before it sends
    with httpx.MockTransport(lambda r: next(answers)) as transport:
        result = send(
            transport, "http://x.test/", {"prompt": "hi"}, token=None, timeout=5.0,
            budget=RequestBudget(None), slots=slots,
        )  # fmt: skip
    assert result.status == 200 and held_while_waiting == [0] and slots.busy == 1
    assert slots.allowed == 1  # the 429 halved it
