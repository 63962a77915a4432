"""One HTTP exchange: send a body once, read the whole answer within bounds, whatever the
server does, with every secret redacted as it arrives.

:class:`Exchange` is what a report shows of a request and its answer (never the token);
:class:`Outcome` adds what the answer parsed to (JSON, or the data of each SSE event).
:func:`post` makes one exchange through a :func:`client`; nothing here retries, waits for
a turn or judges. Private helpers: ``_transport`` (sockets with a deadline), ``_reading``
(bounded, decompressed bodies), ``_sse`` (event framing); public ones: :mod:`.redact`,
:mod:`.jsondepth`, :mod:`.classify` (transient and fatal answers).
"""

from __future__ import annotations

import functools
import json
import shlex
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from ..._version import __version__
from . import classify
from ._reading import BodyError, BodyReader
from ._sse import SseError
from ._transport import EXCESS, RESENT, DeadlineTransport, exchange_deadline
from .jsondepth import check_depth
from .redact import Redactor, redact_url

HEAD_BYTES = 1024
HEADERS_KEPT = 100
TOKEN_VARIABLE = "CLOUDFLARE_API_TOKEN"
"""The variable that reproduction commands read the token from; never the token itself."""
_HEADERS = {
    "User-Agent": f"wai-contract/{__version__}",
    "Accept": "*/*",
    # Only the encodings the runner decodes itself, with a cap (see ._reading).
    "Accept-Encoding": "gzip, deflate",
    "Connection": "keep-alive",
    "Content-Type": "application/json",
}


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
    response_tail: str = ""
    """The answer's last KB, when it is longer than its head (a stream's end, where a fault
    such as a missing ``[DONE]`` shows)."""
    error: str | None = None
    """A transport failure: timeout, reset connection, truncated or unreadable body."""
    elapsed_ms: float = 0.0

    def curl(self, body_file: str | None = None) -> str:
        """A ready-to-run ``curl`` command; the token is read from the environment."""
        parts = ["curl", "-sS", "-X", shlex.quote(self.method), shlex.quote(self.url)]
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
    resent_after: list[tuple[str | None, int | None]] = field(default_factory=list)
    """The answers after which the server closed kept-alive connections this request went
    out on (each then sent again on another): the label of the exchange that read each, and
    its status."""

    @property
    def status(self) -> int | None:
        return self.exchange.status

    @property
    def transient(self) -> bool:
        """A busy target's answer (429, 408, 502-504), worth another try."""
        return classify.is_transient(self.status, self.json)


def post(
    transport: httpx.BaseTransport,
    url: str,
    body: Any,
    *,
    token: str | None,
    timeout: float,
    redactor: Redactor | None = None,
    stop: threading.Event | None = None,
    label: str | None = None,
) -> Outcome:
    """POST *body* as JSON to *url* once, and read the answer completely; the answer is
    the exchange *label*'s (see :attr:`Outcome.resent_after`).

    *timeout* bounds the whole exchange, wall clock; setting *stop* ends it at once. The
    token is sent but recorded nowhere: the exchange notes whether one was sent, and
    everything the peer says passes *redactor* (by default, one for *token*) as it
    arrives. Nothing is retried here: that is the run's policy (``engine``)."""
    redactor = redactor if redactor is not None else Redactor(token)
    headers = (_HEADERS | {"Authorization": f"Bearer {token}"}) if token else _HEADERS
    outcome = Outcome(Exchange("POST", _shown(url), body, bool(token)))
    with exchange_deadline(time.monotonic() + timeout, stop, label):
        request = httpx.Request(
            "POST",
            _parsed(url),
            content=orjson.dumps(body),
            headers=headers,
            extensions={"timeout": httpx.Timeout(timeout).as_dict()},
        )
        _read(outcome, transport, request, timeout, redactor)
    return outcome


def transport(connections: int) -> httpx.BaseTransport:
    """A pool for *connections* requests in flight. An exchange goes to it straight, not
    through an ``httpx.Client``: nothing to follow (redirects are answers), no cookies to
    keep, and a third of the client's work per request saved."""
    return DeadlineTransport(connections)


def _read(
    outcome: Outcome,
    transport: httpx.BaseTransport,
    request: httpx.Request,
    timeout: float,
    redactor: Redactor,
) -> None:
    exchange = outcome.exchange
    started = time.monotonic()
    reader: BodyReader | None = None
    try:
        with _answer(transport, request) as response:
            exchange.status = response.status_code
            exchange.headers = _kept_headers(response.headers, redactor)
            outcome.content_type = response.headers.get("content-type", "").lower()
            reader = BodyReader(
                started + timeout,
                HEAD_BYTES + 256,  # room for a secret straddling the cut, redacted first
                outcome.content_type.startswith("text/event-stream"),
            )
            reader.read(response)
        outcome.resent_after = response.extensions.get(RESENT, [])
        excess = response.extensions.get(EXCESS, 0)
        if excess:
            exchange.error = (
                f"excess: {excess:,} bytes came after the end of the answer (its "
                "Content-Length or last chunk); a client reusing the connection would read "
                "them as the next answer (not reused here)"
            )
    except (httpx.TimeoutException, TimeoutError):
        exchange.error = f"timeout: no complete answer within {timeout:g} s"
    except httpx.RemoteProtocolError as exc:
        # Before a status line it is not HTTP at all; after it, the body was cut short.
        said = _short(exc, redactor)
        exchange.error = f"truncated: {said}" if exchange.status else f"{NOT_HTTP}{said}"
    except (httpx.NetworkError, httpx.ProtocolError) as exc:
        exchange.error = f"connection: {type(exc).__name__}: {_short(exc, redactor)}"
    except BodyError as exc:
        exchange.error = _short(exc, redactor)
    except SseError as exc:
        outcome.stream_error = str(exc)
    exchange.elapsed_ms = (time.monotonic() - started) * 1000
    if reader is not None:
        _keep(outcome, reader, redactor)


NOT_HTTP = "connection: not HTTP: "
"""How an exchange's error begins when the peer answered with something that is not HTTP:
it was reached, and failed."""


@contextmanager
def _answer(transport: httpx.BaseTransport, request: httpx.Request) -> Iterator[httpx.Response]:
    response = transport.handle_request(request)
    response.request = request
    try:
        yield response
    finally:
        response.close()


@functools.lru_cache(maxsize=64)
def _parsed(url: str) -> httpx.URL:
    """*url* parsed once for all its requests (httpx would parse it on each)."""
    return httpx.URL(url)


@functools.lru_cache(maxsize=64)
def _shown(url: str) -> str:
    return redact_url(url)


def _kept_headers(headers: httpx.Headers, redactor: Redactor) -> dict[str, str]:
    """The first :data:`HEADERS_KEPT` header fields, each cut to :data:`HEAD_BYTES`
    characters after redaction (a peer may send thousands: a report needs a few)."""
    fields = list(headers.items())  # a repeated name's values joined, as httpx reads them
    shown = redactor.texts([text for field in fields[:HEADERS_KEPT] for text in field])
    pairs = zip(shown[::2], shown[1::2], strict=True)
    kept = {name[:HEAD_BYTES]: value[:HEAD_BYTES] for name, value in pairs}
    if len(fields) > HEADERS_KEPT:
        kept["x-wai-contract-not-kept"] = f"{len(fields) - HEADERS_KEPT} more header fields"
    return kept


def _keep(outcome: Outcome, reader: BodyReader, redactor: Redactor) -> None:
    """What the reader got, redacted before anything cuts it."""
    exchange = outcome.exchange
    head = redactor.text(bytes(reader.head).decode("utf-8", "replace"))
    exchange.response_head = head[:HEAD_BYTES]
    if reader.size > HEAD_BYTES:  # redacted before the cut, as the head
        tail = redactor.text(reader.tail.decode("utf-8", "replace"))
        exchange.response_tail = tail[-min(HEAD_BYTES, reader.size - HEAD_BYTES) :]
    if exchange.error is not None or outcome.stream_error is not None:
        return
    if reader.streamed:
        events = redactor.texts(reader.events)
        outcome.events = [_redact_event(e, redactor) if "\\" in e else e for e in events]
        outcome.stream_leftover = redactor.text(reader.leftover)
        return
    body = reader.body()
    try:
        check_depth(body)
        parsed = orjson.loads(body)
        outcome.json = redactor.value(parsed) if redactor.might_hold(body) else parsed
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


__all__ = ["HEAD_BYTES", "TOKEN_VARIABLE", "Exchange", "Outcome", "post", "transport"]
