"""One HTTP exchange: send a body, read the whole answer within limits, whatever the server does.

:class:`Exchange` is what a report shows of a request and its answer (never the token);
:class:`Outcome` adds what the answer parsed to (JSON, or the data of each SSE event).
"""

from __future__ import annotations

import json
import random
import shlex
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from ..errors import TargetError
from . import retry
from .sse import SseError, SseParser

MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_EVENTS = 20_000
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


def default_client(concurrency: int, user_agent: str) -> httpx.Client:
    """A client for *concurrency* requests in flight, following no redirects."""
    # TCP_NODELAY: without it every keep-alive request can wait 40 ms for a delayed ACK.
    transport = httpx.HTTPTransport(
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)], retries=0
    )
    limits = httpx.Limits(
        max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2
    )
    return httpx.Client(
        transport=transport,
        limits=limits,
        follow_redirects=False,
        headers={"User-Agent": user_agent},
    )


def send(
    client: httpx.Client,
    url: str,
    body: Any,
    *,
    token: str | None,
    timeout: float,
    budget: RequestBudget,
) -> Outcome:
    """POST *body* as JSON to *url* and read the answer completely.

    A transient answer (429, 408, 502-504) is tried again, up to 3 times, after the
    server's ``Retry-After`` or an exponential backoff with jitter; an answer that says the
    target stopped serving (daily allocation used up, model deprecated, paid plan needed)
    raises :class:`~wai_contract.errors.TargetError`. The token is sent but recorded
    nowhere: the exchange only notes whether one was sent.
    """
    content = orjson.dumps(body)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    jitter = random.Random(content)
    for attempt in range(retry.RETRIES + 1):
        budget.take()
        outcome = Outcome(Exchange("POST", url, body, bool(token)))
        _read(outcome, client, content, headers, timeout, token)
        _stop_if_fatal(outcome, token)
        if not outcome.transient or attempt == retry.RETRIES:
            return outcome
        budget.note_retry()
        time.sleep(retry.wait_before(attempt, outcome.exchange.headers.get("retry-after"), jitter))
    return outcome  # pragma: no cover - the loop always returns


def _stop_if_fatal(outcome: Outcome, token: str | None) -> None:
    code = retry.fatal_code(outcome.status, outcome.json)
    if code is not None:
        said = scrub(" ".join(outcome.exchange.response_head.split())[:200], token)
        raise TargetError(
            f"the target stopped serving: {retry.FATAL_CODES[code]} "
            f"({outcome.status}, error {code}): {said}"
        )


def _read(
    outcome: Outcome,
    client: httpx.Client,
    content: bytes,
    headers: dict[str, str],
    timeout: float,
    token: str | None,
) -> None:
    exchange = outcome.exchange
    started = time.monotonic()
    reader = _BodyReader(timeout, started)
    try:
        with client.stream(
            "POST", exchange.url, content=content, headers=headers, timeout=timeout
        ) as response:
            exchange.status = response.status_code
            exchange.headers = {k: scrub(v, token) for k, v in response.headers.items()}
            outcome.content_type = response.headers.get("content-type", "").lower()
            reader.read(response, outcome)
    except httpx.TimeoutException as exc:
        exchange.error = f"timeout: {type(exc).__name__} after {timeout:g} s"
    except httpx.RemoteProtocolError as exc:
        # Before a status line it is not HTTP at all; after it, the body was cut short.
        kind = "truncated" if exchange.status is not None else "connection"
        exchange.error = f"{kind}: {_short(exc)}"
    except (httpx.NetworkError, httpx.ProtocolError) as exc:
        exchange.error = f"connection: {type(exc).__name__}: {_short(exc)}"
    exchange.elapsed_ms = (time.monotonic() - started) * 1000
    exchange.response_head = scrub(bytes(reader.head).decode("utf-8", "replace"), token)
    if exchange.error is None and outcome.events is None and exchange.status is not None:
        try:
            outcome.json = orjson.loads(b"".join(reader.chunks))
        except orjson.JSONDecodeError as exc:
            outcome.json_error = str(exc)


@dataclass
class _BodyReader:
    """Reads a response body in chunks: its head for the report, and either its bytes
    (capped) or its events (capped), all within the deadline."""

    timeout: float
    started: float
    head: bytearray = field(default_factory=bytearray)
    chunks: list[bytes] = field(default_factory=list)

    def read(self, response: httpx.Response, outcome: Outcome) -> None:
        exchange = outcome.exchange
        streamed = outcome.content_type.startswith("text/event-stream")
        parser = SseParser() if streamed else None
        events: list[str] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if len(self.head) < HEAD_BYTES:
                self.head += chunk[: HEAD_BYTES - len(self.head)]
            if time.monotonic() - self.started > self.timeout:
                exchange.error = f"timeout: no complete answer within {self.timeout:g} s"
                return
            if parser is None:
                self.chunks.append(chunk)
                if size > MAX_BODY_BYTES:
                    exchange.error = f"too-large: body over {MAX_BODY_BYTES:,} bytes"
                    return
                continue
            try:
                events += parser.feed(chunk)
            except SseError as exc:
                outcome.stream_error = str(exc)
                return
            if len(events) > MAX_EVENTS:
                exchange.error = f"too-large: more than {MAX_EVENTS:,} events"
                return
        if parser is not None:
            try:
                outcome.stream_leftover = parser.close()
            except SseError as exc:
                outcome.stream_error = str(exc)
                return
            outcome.events = events


def _short(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__)[:200]


def scrub(text: str, token: str | None) -> str:
    """*text* with every occurrence of *token* replaced by ``[REDACTED]``."""
    return text.replace(token, "[REDACTED]") if token else text
