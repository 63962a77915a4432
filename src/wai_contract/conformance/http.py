"""One HTTP exchange: send a body, read the whole answer within limits, whatever the server does.

:class:`Exchange` is what a report shows of a request and its answer (never the token);
:class:`Outcome` adds what the answer parsed to (JSON, or the data of each SSE event).
"""

from __future__ import annotations

import json
import math
import random
import shlex
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from ..errors import TargetError
from . import retry
from .jsondepth import check_depth
from .reading import BodyError, BodyReader
from .redact import Redactor, redact_url
from .slots import Slots
from .sse import SseError
from .transport import exchange_deadline

HEAD_BYTES = 1024
TOKEN_VARIABLE = "CLOUDFLARE_API_TOKEN"
"""The variable that reproduction commands read the token from; never the token itself."""


@dataclass
class Exchange:
    """One HTTP request and what came back (or the transport error), with no secrets."""

    method: str
    url: str
    body: Any
    authorised: bool = True
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    response_head: str = ""
    """The first KB of the response body, decoded leniently."""
    error: str | None = None
    """A transport failure: timeout, reset connection, truncated or unreadable body."""
    elapsed_ms: float = 0.0

    def curl(self, body_file: str | None = None) -> str:
        """A ready-to-run ``curl`` command; the token is read from the environment."""
        parts = ["curl", "-sS", "-X", self.method, shlex.quote(self.url)]
        if self.authorised:
            parts += ["-H", f'"Authorization: Bearer ${TOKEN_VARIABLE}"']
        parts += ["-H", "'Content-Type: application/json'"]
        if body_file is not None:
            parts += ["--data-binary", shlex.quote("@" + body_file)]
        else:
            parts += ["--data-binary", shlex.quote(json.dumps(self.body, ensure_ascii=False))]
        return " ".join(parts)


@dataclass
class Outcome:
    """One request's result: the exchange, and the body parsed as JSON or as SSE."""

    exchange: Exchange
    content_type: str = ""
    json: Any = None
    json_error: str | None = None
    events: list[str] | None = None
    stream_error: str | None = None
    stream_leftover: str = ""

    @property
    def status(self) -> int | None:
        return self.exchange.status

    @property
    def transient(self) -> bool:
        """A busy target's answer (429, 408, 502-504), worth another try."""
        return retry.is_transient(self.status, self.json)


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
    client: httpx.Client,
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
) -> Outcome:
    """POST *body* as JSON to *url* and read the answer completely.

    A transient answer (429, 408, 502-504) is tried again, up to 3 times, after the
    server's ``Retry-After`` or an exponential backoff with jitter; an answer that says the
    target stopped serving (daily allocation used up, model deprecated, paid plan needed)
    raises :class:`~wai_contract.errors.TargetError`. *timeout* bounds the whole exchange,
    wall clock; setting *stop* ends it at once, and no retry waits past *give_up_at*
    (``time.monotonic()``): the last transient answer is returned. The token is sent but
    recorded nowhere: the exchange notes whether one was sent, and everything the peer
    says passes *redactor* (by default, one for *token*) as it arrives. The caller holds
    one of *slots* (see :mod:`.slots`): it is given back during the wait before a retry.
    """
    redactor = redactor if redactor is not None else Redactor(token)
    content = orjson.dumps(body)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    jitter = random.Random(content)
    for attempt in range(retry.RETRIES + 1):
        budget.take()
        outcome = Outcome(Exchange("POST", redact_url(url), body, bool(token)))
        with exchange_deadline(time.monotonic() + timeout, stop):
            _read(outcome, client, url, content, headers, timeout, redactor)
        _stop_if_fatal(outcome)
        if not outcome.transient or attempt == retry.RETRIES:
            return outcome
        wait = retry.wait_before(attempt, outcome.exchange.headers.get("retry-after"), jitter)
        if time.monotonic() + wait >= give_up_at or _wait_freely(wait, stop, slots, outcome):
            return outcome
        budget.note_retry()
    return outcome  # pragma: no cover - the loop always returns


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
    code = retry.fatal_code(outcome.status, outcome.json)
    if code is not None:
        said = " ".join(outcome.exchange.response_head.split())[:200]
        raise TargetError(
            f"the target stopped serving: {retry.FATAL_CODES[code]} "
            f"({outcome.status}, error {code}): {said}"
        )


def _read(
    outcome: Outcome,
    client: httpx.Client,
    url: str,
    content: bytes,
    headers: dict[str, str],
    timeout: float,
    redactor: Redactor,
) -> None:
    exchange = outcome.exchange
    started = time.monotonic()
    reader: BodyReader | None = None
    try:
        with client.stream(
            "POST", url, content=content, headers=headers, timeout=timeout
        ) as response:
            exchange.status = response.status_code
            exchange.headers = {
                redactor.text(k): redactor.text(v) for k, v in response.headers.items()
            }
            outcome.content_type = response.headers.get("content-type", "").lower()
            reader = BodyReader(
                started + timeout,
                HEAD_BYTES + 256,  # room for a secret straddling the cut, redacted first
                outcome.content_type.startswith("text/event-stream"),
            )
            reader.read(response)
    except (httpx.TimeoutException, TimeoutError):
        exchange.error = f"timeout: no complete answer within {timeout:g} s"
    except httpx.RemoteProtocolError as exc:
        # Before a status line it is not HTTP at all; after it, the body was cut short.
        kind = "truncated" if exchange.status is not None else "connection"
        exchange.error = f"{kind}: {_short(exc, redactor)}"
    except (httpx.NetworkError, httpx.ProtocolError) as exc:
        exchange.error = f"connection: {type(exc).__name__}: {_short(exc, redactor)}"
    except BodyError as exc:
        exchange.error = _short(exc, redactor)
    except SseError as exc:
        outcome.stream_error = str(exc)
    exchange.elapsed_ms = (time.monotonic() - started) * 1000
    if reader is not None:
        _keep(outcome, reader, redactor)


def _keep(outcome: Outcome, reader: BodyReader, redactor: Redactor) -> None:
    """What the reader got, redacted before anything cuts it."""
    exchange = outcome.exchange
    head = redactor.text(bytes(reader.head).decode("utf-8", "replace"))
    exchange.response_head = head[:HEAD_BYTES]
    if exchange.error is not None or outcome.stream_error is not None:
        return
    if reader.streamed:
        outcome.events = [_redact_event(event, redactor) for event in reader.events]
        outcome.stream_leftover = redactor.text(reader.leftover)
        return
    body = reader.body()
    try:
        check_depth(body)
        outcome.json = redactor.value(orjson.loads(body))
    except ValueError as exc:  # orjson.JSONDecodeError, TooDeep
        outcome.json_error = str(exc)


def _redact_event(event: str, redactor: Redactor) -> str:
    event = redactor.text(event)
    if redactor and "\\" in event:  # an escaped secret shows only once decoded
        try:
            check_depth(event)
            decoded = orjson.loads(event)
        except ValueError:
            return event
        clean = redactor.value(decoded)
        if clean != decoded:
            return orjson.dumps(clean).decode()
    return event


def _short(exc: Exception, redactor: Redactor) -> str:
    return redactor.text(str(exc) or type(exc).__name__)[:200]


__all__ = ["HEAD_BYTES", "Exchange", "Outcome", "RequestBudget", "send"]
