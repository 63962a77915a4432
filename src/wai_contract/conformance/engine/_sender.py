"""The run's one way to send a case: the right token and URL, its turn under the budget and
the pace, retries of transient answers, the run's stop signal, one redactor for every
secret, and a count of identical transport failures in a row.

Retries (from ../shared/real-api.md, "Errors"): a transient answer (see
:mod:`..http.classify`) is tried again up to :data:`RETRIES` times, after the server's
``Retry-After`` or an exponential backoff with jitter; an answer that says the target
stopped serving raises :class:`~wai_contract.errors.TargetError`.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from ...errors import TargetError
from ...schemas import MODEL
from ..cases import WRONG_TOKEN, Case
from ..http import Outcome, classify, post
from ..http.redact import Redactor, url_secrets
from ..target import Target, percent_encoded
from ._slots import Slots

SAME_FAILURES_TO_STOP = 12
"""Identical transport failures in a row (no answer between them) that end a run."""
RETRIES = 3
BASE_WAIT = 0.5
MAX_WAIT = 30.0


class Stopped(Exception):
    """The run was stopped (interrupted, or past its deadline) while a case was in flight:
    the case is not judged, since its answer was cut by the runner, not the server."""


class BudgetExhausted(Exception):
    """``--max-requests`` is reached: no more requests may be sent."""


class RequestBudget:
    """A thread-safe count of requests sent, with an optional cap and pace."""

    def __init__(self, limit: int | None, per_minute: float | None = None) -> None:
        self.limit = limit
        self.sent = 0
        self.retries = 0
        self._interval = 60.0 / per_minute if per_minute else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def take(self) -> None:
        """Count one request, after waiting for its turn under the pace."""
        with self._lock:
            if self.limit is not None and self.sent >= self.limit:
                raise BudgetExhausted
            self.sent += 1
            now = time.monotonic()
            wait = max(0.0, self._next - now)
            self._next = max(now, self._next) + self._interval
        if wait:
            time.sleep(wait)

    def note_retry(self) -> None:
        """Count one retry of a transient answer (for the report)."""
        with self._lock:
            self.retries += 1


def send(
    transport: httpx.BaseTransport,
    url: str,
    body: Any,
    *,
    token: str | None,
    timeout: float,
    budget: RequestBudget,
    redactor: Redactor | None = None,
    stop: threading.Event | None = None,
    give_up_at: float = math.inf,
    slots: Slots | None = None,
    label: str | None = None,
) -> Outcome:
    """POST *body* to *url* (see :func:`..http.post`), each try counted in *budget*, a
    transient answer tried again (see the module's docstring); no retry waits past
    *give_up_at* (``time.monotonic()``): the last transient answer is returned. The caller
    holds one of *slots*: it is given back during the wait before a retry."""
    redactor = redactor if redactor is not None else Redactor(token)
    jitter: random.Random | None = None
    for attempt in range(RETRIES + 1):
        budget.take()
        outcome = post(
            transport, url, body, token=token, timeout=timeout, redactor=redactor, stop=stop,
            label=label,
        )  # fmt: skip
        _stop_if_fatal(outcome)
        if not outcome.transient or attempt == RETRIES:
            return outcome
        jitter = jitter or random.Random(orjson.dumps(body))  # a body waits the same
        wait = wait_before(attempt, outcome.exchange.headers.get("retry-after"), jitter)
        if time.monotonic() + wait >= give_up_at or _wait_freely(wait, stop, slots, outcome):
            return outcome
        budget.note_retry()
    return outcome  # pragma: no cover - the loop always returns


def wait_before(attempt: int, retry_after: str | None, rng: random.Random) -> float:
    """Seconds to wait before try *attempt* + 1: the server's ``Retry-After`` when it is a
    sane number of seconds, else exponential backoff with jitter; never over 30 s."""
    try:
        asked = float(retry_after) if retry_after is not None else math.nan
    except ValueError:
        asked = math.nan
    if math.isfinite(asked) and 0 <= asked <= MAX_WAIT:
        return asked
    backoff = BASE_WAIT * 2**attempt
    return float(min(backoff + rng.uniform(0, backoff), MAX_WAIT))


def pause(seconds: float, stop: threading.Event | None) -> bool:
    """Wait *seconds* before a retry; True when *stop* was set meanwhile."""
    if stop is None:
        time.sleep(seconds)
        return False
    return stop.wait(seconds)


def _wait_freely(
    seconds: float, stop: threading.Event | None, slots: Slots | None, outcome: Outcome
) -> bool:
    """Wait *seconds* before a retry, giving back the caller's slot meanwhile (it learns
    from *outcome*); True when *stop* was set."""
    if slots is None:
        return pause(seconds, stop)
    slots.give(outcome)
    try:
        return pause(seconds, stop)
    finally:
        slots.take(stop)


def _stop_if_fatal(outcome: Outcome) -> None:
    code = classify.fatal_code(outcome.status, outcome.json)
    if code is not None:
        said = " ".join(outcome.exchange.response_head.split())[:200]
        raise TargetError(
            f"the target stopped serving: {classify.FATAL_CODES[code]} "
            f"({outcome.status}, error {code}): {said}"
        )


@dataclass
class Sender:
    """Sends cases with the right token, and watches for a target that stopped answering."""

    transport: httpx.BaseTransport
    target: Target
    timeout: float
    budget: RequestBudget
    deadline: float = math.inf
    """When the run must end (``time.monotonic()``): no exchange goes past it."""
    slots: Slots = field(default_factory=lambda: Slots(1, 1))
    """Exchanges in flight (see :mod:`._slots`)."""
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies_ms: list[float] = field(default_factory=list)
    timeouts: int = 0
    streak: tuple[str, int] = ("", 0)
    """The last transport failure's kind and how many times in a row it happened."""
    resent: list[tuple[str, str | None, int | None]] = field(default_factory=list)
    """Cases sent again after the server closed a kept-alive connection under them: the
    case, and the case whose answer (with its status) was the connection's last."""

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
        body = case.body
        if case.surface == "openai" and self.target.model is not None:
            body = _renamed(body, self.target.model)
        outcome = send(
            self.transport,
            url,
            body,
            token=token,
            timeout=timeout,
            budget=self.budget,
            redactor=self.redactor,
            stop=self.stop,
            give_up_at=self.deadline,
            slots=self.slots,
            label=case.id,
        )
        if outcome.resent_after:
            with self.lock:
                self.resent += [(case.id, *after) for after in outcome.resent_after]
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


def _renamed(body: Any, model: str) -> Any:
    """*body* naming *model* where it names this model (a body that tests a wrong or missing
    ``model`` keeps it)."""
    if isinstance(body, dict) and body.get("model") == MODEL:
        return {**body, "model": model}
    return body
