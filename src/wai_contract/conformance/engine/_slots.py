"""How many exchanges a run keeps in flight: the run's concurrency, more while the target
answers slowly in parallel, less when it pushes back.

A slow answer (:data:`SLOW_ANSWER` or more) that took no longer than :data:`QUEUEING` times
the fastest slow answer seen means the target waits in parallel (a model generating, a
proxy): one more exchange may be in flight, up to the ceiling. An answer slower than that
means the target queues what it is sent: one less, never below the run's concurrency, so a
run does not grow a queue into timeouts. A transient answer (429, 408, 502-504) halves the
allowance, and a transport failure or a server error (5xx) while above the run's
concurrency returns to it; either way the allowance never grows again in that run. A
retry's wait holds no slot.
"""

from __future__ import annotations

import math
import threading

from ..http import Outcome

SLOW_ANSWER = 0.5
"""Seconds: an answer this slow is mostly the target's waiting, which more in flight hides."""
QUEUEING = 2.0
"""An answer this many times slower than the fastest slow one: the target queues."""


class Slots:
    """How many exchanges may be in flight (:attr:`allowed`): *start*, adapting up to
    *ceiling*."""

    def __init__(self, start: int, ceiling: int) -> None:
        self.start = max(1, start)
        self.ceiling = max(self.start, ceiling)
        self.allowed = self.peak = self.start
        self.busy = 0
        self.growing = self.ceiling > self.start
        self.fastest = math.inf
        self._changed = threading.Condition()

    @property
    def senders(self) -> int:
        """Threads a run may keep sending: the ceiling in flight, and as many again as the
        start waiting to retry (holding no slot)."""
        return self.ceiling + self.start

    def take(self, stop: threading.Event | None = None) -> None:
        """Wait for a free slot (or for *stop*: the exchange is then cut at once)."""
        with self._changed:
            while self.busy >= self.allowed and not (stop is not None and stop.is_set()):
                self._changed.wait(0.25)  # woken by give(); the timeout notices *stop*
            self.busy += 1

    def give(self, outcome: Outcome | None) -> None:
        """Free a slot, and learn from the *outcome* of its exchange (if one came)."""
        with self._changed:
            self.busy -= 1
            if outcome is not None:
                self._learn(outcome)
            # As many waiters as there are free slots: waking all of them costs a healthy
            # run a third of its time.
            self._changed.notify(max(0, self.allowed - self.busy))

    def _learn(self, outcome: Outcome) -> None:  # with the lock held
        seconds = outcome.exchange.elapsed_ms / 1000
        if outcome.transient:
            self.allowed = max(1, self.allowed // 2)
            self.growing = False
        elif outcome.exchange.error is not None or (outcome.status or 0) >= 500:
            if self.allowed > self.start:  # maybe our doing: back to what the user asked
                self.allowed = self.start
                self.growing = False
        elif seconds >= SLOW_ANSWER:
            self.fastest = min(self.fastest, seconds)
            if seconds > QUEUEING * self.fastest:
                if self.allowed > self.start:
                    self.allowed -= 1
            elif self.growing:
                self.allowed = min(self.ceiling, self.allowed + 1)
                self.peak = max(self.peak, self.allowed)
