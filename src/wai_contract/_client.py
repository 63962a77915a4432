"""Sending one request and reading its answer within limits, whatever the server does."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import orjson

from .checks.base import Outcome
from .report.model import Exchange
from .sse import SseError, SseParser

MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_EVENTS = 20_000
HEAD_BYTES = 1024
MAX_RETRIES_429 = 3
MAX_RETRY_AFTER = 30.0


class BudgetExhausted(Exception):
    """``--max-requests`` is reached: no more requests may be sent."""


class RequestBudget:
    """A thread-safe count of requests sent, with an optional cap."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.sent = 0
        self._lock = threading.Lock()

    def take(self) -> None:
        with self._lock:
            if self.limit is not None and self.sent >= self.limit:
                raise BudgetExhausted
            self.sent += 1


def send(
    client: httpx.Client,
    url: str,
    body: Any,
    *,
    token: str | None,
    timeout: float,
    budget: RequestBudget,
    raw: bytes | None = None,
) -> Outcome:
    """POST *body* (or *raw* bytes) as JSON to *url* and read the answer completely.

    Honours 429 with ``Retry-After`` (up to 3 retries). The token is sent but recorded
    nowhere: the exchange only notes whether one was sent.
    """
    content = raw if raw is not None else orjson.dumps(body)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    for attempt in range(MAX_RETRIES_429 + 1):
        budget.take()
        outcome = _exchange(client, url, body, content, headers, timeout, token)
        if outcome.status != 429 or attempt == MAX_RETRIES_429:
            return outcome
        time.sleep(_retry_after(outcome.exchange.headers.get("retry-after")))
    return outcome  # pragma: no cover - the loop always returns


def _retry_after(value: str | None) -> float:
    try:
        return min(max(float(value or 1), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return 1.0


def _exchange(
    client: httpx.Client,
    url: str,
    body: Any,
    content: bytes,
    headers: dict[str, str],
    timeout: float,
    token: str | None,
) -> Outcome:
    exchange = Exchange("POST", url, body, authorised=bool(token))
    outcome = Outcome(exchange)
    started = time.monotonic()
    head = bytearray()
    chunks: list[bytes] = []
    try:
        with client.stream(
            "POST", url, content=content, headers=headers, timeout=timeout
        ) as response:
            exchange.status = response.status_code
            exchange.headers = _redact(dict(response.headers), token)
            outcome.content_type = response.headers.get("content-type", "").lower()
            parser = SseParser() if outcome.content_type.startswith("text/event-stream") else None
            events: list[str] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                if time.monotonic() - started > timeout:
                    exchange.error = f"timeout: no complete answer within {timeout:g} s"
                    break
                if parser is not None:
                    try:
                        events += parser.feed(chunk)
                    except SseError as exc:
                        outcome.stream_error = str(exc)
                        break
                    if len(events) > MAX_EVENTS:
                        exchange.error = f"too-large: more than {MAX_EVENTS:,} events"
                        break
                else:
                    chunks.append(chunk)
                    if size > MAX_BODY_BYTES:
                        exchange.error = f"too-large: body over {MAX_BODY_BYTES:,} bytes"
                        break
            if parser is not None and exchange.error is None and outcome.stream_error is None:
                try:
                    outcome.stream_leftover = parser.close()
                except SseError as exc:
                    outcome.stream_error = str(exc)
                outcome.events = events
    except httpx.TimeoutException as exc:
        exchange.error = f"timeout: {type(exc).__name__} after {timeout:g} s"
    except httpx.RemoteProtocolError as exc:
        # Before a status line it is not HTTP at all; after it, the body was cut short.
        kind = "truncated" if exchange.status is not None else "connection"
        exchange.error = f"{kind}: {_short(exc)}"
    except (httpx.NetworkError, httpx.ProtocolError) as exc:
        exchange.error = f"connection: {type(exc).__name__}: {_short(exc)}"
    exchange.elapsed_ms = (time.monotonic() - started) * 1000
    exchange.response_head = _scrub(bytes(head).decode("utf-8", "replace"), token)
    if exchange.error is None and outcome.events is None and exchange.status is not None:
        try:
            outcome.json = orjson.loads(b"".join(chunks))
        except orjson.JSONDecodeError as exc:
            outcome.json_error = str(exc)
    return outcome


def _short(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__)[:200]


def _scrub(text: str, token: str | None) -> str:
    return text.replace(token, "[REDACTED]") if token else text


def _redact(headers: dict[str, str], token: str | None) -> dict[str, str]:
    return {k: _scrub(v, token) for k, v in headers.items()}
