"""The run's one way to send a case: the right token and URL, the run's stop signal, one
redactor for every secret, and a count of identical transport failures in a row."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

import httpx

from .cases import Case
from .checks.auth import WRONG_TOKEN
from .http import Outcome, RequestBudget, send
from .redact import Redactor, url_secrets
from .slots import Slots
from .target import Target, percent_encoded

SAME_FAILURES_TO_STOP = 12
"""Identical transport failures in a row (no answer between them) that end a run."""


class Stopped(Exception):
    """The run was stopped (interrupted, or past its deadline) while a case was in flight:
    the case is not judged, since its answer was cut by the runner, not the server."""


@dataclass
class Sender:
    """Sends cases with the right token, and watches for a target that stopped answering."""

    client: httpx.Client
    target: Target
    timeout: float
    budget: RequestBudget
    deadline: float = math.inf
    """When the run must end (``time.monotonic()``): no exchange goes past it."""
    slots: Slots = field(default_factory=lambda: Slots(1, 1))
    """Exchanges in flight (see :mod:`.slots`)."""
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies_ms: list[float] = field(default_factory=list)
    timeouts: int = 0
    streak: tuple[str, int] = ("", 0)
    """The last transport failure's kind and how many times in a row it happened."""

    def __post_init__(self) -> None:
        self.redactor = Redactor(self.target.token, *url_secrets(self.target.url))

    def __call__(self, case: Case) -> Outcome:
        """Send *case* in one of the run's slots, or raise :class:`Stopped`: the run is
        over, or the failure that ends it already repeated (nothing more is sent then)."""
        self.slots.take(self.stop)
        outcome = None
        try:
            outcome = self._send(case)
            return outcome
        finally:  # after the failure streak is counted: the next sender sees it
            self.slots.give(outcome)

    def _send(self, case: Case) -> Outcome:
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.stop.set()
        if self.stop.is_set() or self.same_failures:
            raise Stopped
        timeout = min(self.timeout, left)
        token = {"given": self.target.token, "none": None, "wrong": WRONG_TOKEN}[case.token]
        url = self.target.urls[case.surface]
        url = percent_encoded(url) if case.percent_encoded else url
        outcome = send(
            self.client,
            url,
            case.body,
            token=token,
            timeout=timeout,
            budget=self.budget,
            redactor=self.redactor,
            stop=self.stop,
            give_up_at=self.deadline,
            slots=self.slots,
        )
        cut = timeout < self.timeout and (outcome.exchange.error or "").startswith("timeout")
        if self.stop.is_set() or cut:  # the runner cut the answer, not the server
            raise Stopped
        self._count(outcome)
        return outcome

    def _count(self, outcome: Outcome) -> None:
        error = outcome.exchange.error
        kind = error.split(":", 1)[0] if error else ""
        with self.lock:
            self.latencies_ms.append(round(outcome.exchange.elapsed_ms, 2))
            self.timeouts += kind == "timeout"
            last, count = self.streak
            self.streak = (kind, count + 1 if kind == last else 1) if kind else ("", 0)

    @property
    def same_failures(self) -> str | None:
        """The failure that repeated :data:`SAME_FAILURES_TO_STOP` times in a row, if any."""
        kind, count = self.streak
        return kind if kind and count >= SAME_FAILURES_TO_STOP else None
