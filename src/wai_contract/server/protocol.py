"""The reference server's HTTP/1.1 connection: uvicorn's httptools protocol, behind a guard.

uvicorn, as configured by default, holds an unfinished request head of any size, never
closes a connection that sends its head a byte at a time, and answers malformed HTTP with a
``text/plain`` 400. Here a head must arrive whole within ``head_timeout`` seconds and
``max_head_bytes`` bytes, however its bytes are cut (a head in one piece counts up to its
end; its fields and a chunked body's trailer fields count together), or the connection gets
a JSON error envelope (408, 431) and is closed; malformed HTTP gets the envelope too (400).
Our reading of the codes: 3003 ("request is missing headers or body") for malformed or
oversized heads, 3007 ("timeout") for a slow one, from the vendor's error table
(../shared/real-api.md, "Errors").

:class:`GuardedConnection` is an ``asyncio.Protocol`` of its own, given to uvicorn through
its documented ``Config(http=...)``: it reads the bytes first (with httptools' own parser,
to find where each head ends and whether it is HTTP at all) and hands them on to uvicorn's
protocol, which it holds and drives only through the ``asyncio.Protocol`` interface. That
protocol writes to an ``asyncio.Transport`` of ours whose ``close`` is the guard's: an
answer given before the whole body arrived (413, 408) closes the connection after reading
and dropping what still arrives for :data:`LINGER_SECONDS`, never at once (unread bytes would
reset it before the client read the answer) nor never (uvicorn would read a declared 10 GB).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httptools
import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .app import HEAD_TIMEOUT

MAX_HEAD_BYTES = 64 * 1024
LINGER_SECONDS = 1.0
"""After refusing, the connection reads and drops what the client still sends for this long
before closing: closing at once with unread data resets it, losing the answer."""
REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


def envelope_bytes(code: int, message: str) -> bytes:
    """A v4 platform error envelope (``result`` null), as the app's ``envelope_error``."""
    error = {"code": code, "message": message}
    return orjson.dumps({"result": None, "success": False, "errors": [error], "messages": []})


class GuardedConnection(asyncio.Protocol):
    """One connection: a bounded, timed request head and JSON refusals, then uvicorn."""

    head_timeout = HEAD_TIMEOUT
    max_head_bytes = MAX_HEAD_BYTES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._http = HttpToolsProtocol(*args, **kwargs)  # uvicorn's, as it would build it
        self._parser = httptools.HttpRequestParser(self)
        self._loop = kwargs.get("_loop") or asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._in_head = True
        self._head_bytes = 0
        self._field_bytes = 0
        self._head_was_over = False
        """A head (or trailer) over the limit was parsed in the piece being read."""
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False
        self._body_due = False
        """A request's head was read and its body is not all here yet."""
        self._lingering = False

    def connection_made(self, transport: Any) -> None:  # uvloop's are not asyncio's classes
        self._transport = transport
        self._http.connection_made(_LingeringClose(transport, self._close))
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        if not self._refused:  # a refusal told uvicorn already
            self._http.connection_lost(exc)

    def eof_received(self) -> None:
        if not self._refused:
            self._http.eof_received()

    def pause_writing(self) -> None:
        self._http.pause_writing()

    def resume_writing(self) -> None:
        self._http.resume_writing()

    def data_received(self, data: bytes) -> None:
        if self._refused or self._lingering:
            return  # read and dropped until the close, so the answer is not reset
        if self._in_head and self._head_timer is None:
            self._arm_head_timer()
        if self._in_head:  # up to the head's end, when it is in this piece
            end = data.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end == -1 else end + 4
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            pass  # uvicorn answers an upgrade itself
        except httptools.HttpParserError as exc:
            self._refuse(400, 3003, f"Invalid HTTP request received: {exc}")
            return
        if (self._over_the_limit() or self._head_was_over) and not self._refused:
            size = f"over {self.max_head_bytes:,} bytes"
            self._refuse(431, 3003, f"Request Header Fields Too Large: the head is {size}")
            return
        if not self._refused:
            self._http.data_received(data)

    # httptools calls these as it parses (the names are its callbacks').
    def on_header(self, name: bytes, value: bytes) -> None:
        self._field_bytes += len(name) + len(value) + 4  # trailer fields count too

    def on_headers_complete(self) -> None:
        self._in_head, self._body_due = False, True
        self._disarm_head_timer()
        self._head_was_over |= self._over_the_limit()

    def on_message_complete(self) -> None:
        self._body_due = False
        self._head_was_over |= self._over_the_limit()  # with the trailer fields
        self._in_head, self._head_bytes, self._field_bytes = True, 0, 0

    def _over_the_limit(self) -> bool:
        return max(self._head_bytes, self._field_bytes) > self.max_head_bytes

    def _refuse(self, status: int, code: int, message: str) -> None:
        transport = self._transport
        if self._refused or transport is None or transport.is_closing():
            return
        self._refused = True
        # To uvicorn the connection is gone: the app's answer in progress, if any, is dropped.
        self._http.connection_lost(ConnectionAbortedError(message))
        body = envelope_bytes(code, message)
        head = (
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n"
            % (status, REASONS[status], len(body))
        )
        transport.write(head + body)
        self._disarm_head_timer()
        self._linger(transport)

    def _close(self) -> None:
        """uvicorn closes the connection: at once, unless a body is still arriving (an
        answer before the whole body, as a 413): then after dropping what arrives for
        :data:`LINGER_SECONDS`, so that closing with unread data does not reset the
        connection before the client read the answer."""
        transport = self._transport
        if transport is None or transport.is_closing() or self._lingering:
            return
        if not self._body_due:
            transport.close()
            return
        self._lingering = True
        transport.resume_reading()  # uvicorn may have paused it: the rest is read, dropped
        self._linger(transport)

    def _linger(self, transport: Any) -> None:
        """End what we send now; close after :data:`LINGER_SECONDS` (what arrives until then
        is read and dropped by :meth:`data_received`)."""
        if transport.can_write_eof():
            transport.write_eof()
        self._loop.call_later(LINGER_SECONDS, transport.close)

    def _arm_head_timer(self) -> None:
        self._disarm_head_timer()
        self._head_timer = self._loop.call_later(self.head_timeout, self._head_too_slow)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._in_head:
            seconds = f"{self.head_timeout:g} s"
            self._refuse(408, 3007, f"Request Timeout: no complete head within {seconds}")


class _LingeringClose(asyncio.Transport):
    """The transport as uvicorn's protocol sees it: the same, but its ``close`` is the
    guard's, and it reads as closing once that began."""

    def __init__(self, transport: Any, close: Callable[[], None]) -> None:
        super().__init__()
        self._transport = transport
        self._close = close
        self._closing = False

    def close(self) -> None:
        self._closing = True
        self._close()

    def is_closing(self) -> bool:
        return self._closing or bool(self._transport.is_closing())

    def write(self, data: Any) -> None:
        self._transport.write(data)

    def writelines(self, list_of_data: Any) -> None:
        self._transport.writelines(list_of_data)

    def write_eof(self) -> None:
        self._transport.write_eof()

    def can_write_eof(self) -> bool:
        return bool(self._transport.can_write_eof())

    def abort(self) -> None:
        self._transport.abort()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def is_reading(self) -> bool:
        return bool(self._transport.is_reading())

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        protocol: asyncio.BaseProtocol = self._transport.get_protocol()
        return protocol

    def get_write_buffer_size(self) -> int:
        return int(self._transport.get_write_buffer_size())

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)


def bounded_protocol(
    head_timeout: float = HEAD_TIMEOUT, max_head_bytes: int = MAX_HEAD_BYTES
) -> type[GuardedConnection]:
    """The protocol class to give uvicorn (``Config(http=...)``), with these bounds."""
    bounds = {"head_timeout": head_timeout, "max_head_bytes": max_head_bytes}
    return type("GuardedConnection", (GuardedConnection,), bounds)
