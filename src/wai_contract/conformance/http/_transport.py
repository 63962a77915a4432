"""An httpx transport whose exchanges keep a wall-clock deadline, and stop when told.

httpx's timeouts bound each read; a server that sends one byte a second never trips them.
:class:`DeadlineTransport` is an ``httpx.BaseTransport`` over an httpcore connection pool
whose sockets give each call only the time left before the exchange's deadline (set with
:func:`exchange_deadline` by the thread that sends) and wake every quarter second to see
whether the run was stopped (Ctrl-C, SIGTERM, the run's deadline). As in httpx's own
``HTTPTransport``, every httpcore error is mapped to httpx's in one place.

A server may send more than its answer's framing holds (bytes after ``Content-Length``, or
after the last chunk). On a kept-alive connection those bytes would be read as the next
request's answer. Each socket therefore follows the framing of what it reads (counting,
as h11 frames it for httpcore); when an answer ends with bytes left over, their count is put
in the response's extensions under :data:`EXCESS` and the connection is not used again.

A server may also close a kept-alive connection as the next request goes out on it (an idle
timeout, a restart, a crash on an earlier request): that request then fails before any
answer, through no doing of its own. It is sent again, on another connection, as HTTP/1.1
lets a client do (RFC 9112, 9.3.1); only a failure on a connection that had not answered
before is the request's. Each resend closes one stale connection, so there are at most as
many as the pool holds, all within the exchange's deadline. The response says, under
:data:`RESENT`, after which answers (the label of the exchange that read each, and its status)
the connections it was dropped on had been closed.
"""

from __future__ import annotations

import re
import threading
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

EXCESS = "wai_contract.excess_bytes"
"""Response extension: bytes the server sent after the end of this answer."""
RESENT = "wai_contract.resent_after"
"""Response extension: for each time the request was sent again, the last answer read on the
connection that was closed under it, as (label, status)."""
POLL_SECONDS = 0.25
WRITE_PIECE = 64 * 1024
_local = threading.local()
_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    # Most specific first: the first match is the one raised.
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def exchange_deadline(
    deadline: float, stop: threading.Event | None = None, label: str | None = None
) -> Iterator[None]:
    """Within this block, this thread's socket calls end by *deadline* (``time.monotonic``)
    or as soon as *stop* is set; an answer read is the exchange *label*'s."""
    _local.deadline, _local.stop, _local.label = deadline, stop, label
    try:
        yield
    finally:
        _local.deadline, _local.stop, _local.label = None, None, None


class DeadlineTransport(httpx.BaseTransport):
    """HTTP/1.1 to the target through *connections* pooled connections, never retried (a
    request dropped on a kept-alive connection is sent again: see the module's docstring)."""

    def __init__(self, connections: int) -> None:
        self._connections = connections
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=connections,
            max_keepalive_connections=connections,
            retries=0,
            network_backend=_DeadlineBackend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        dropped: list[tuple[str | None, int | None]] = []
        for resends in range(self._connections + 1):
            _local.stream = None
            try:
                with _httpx_errors():
                    answer = self._pool.handle_request(core)
                break
            except (httpx.NetworkError, httpx.RemoteProtocolError):
                used: _DeadlineStream | None = getattr(_local, "stream", None)
                if used is None or not used.served or resends == self._connections:
                    raise  # the request's own failure (see the module's docstring)
                dropped.append(used.last_answer)
        assert isinstance(answer.stream, Iterable)
        stream = _ResponseStream(answer.stream, answer.extensions.get("network_stream"))
        response = httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=stream,
            extensions=answer.extensions,
        )
        stream.extensions = response.extensions  # httpx keeps a copy of the dict
        if dropped:
            response.extensions[RESENT] = dropped
        return response

    def close(self) -> None:
        self._pool.close()


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes], socket: object) -> None:
        self._stream = stream
        self._socket = socket
        self.extensions: dict[str, typing.Any] = {}
        """The response's extensions, where :data:`EXCESS` goes."""

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream
        excess = self._socket.answered() if isinstance(self._socket, _DeadlineStream) else 0
        if excess:
            self.extensions[EXCESS] = excess

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


@contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        mapped = next((to for core, to in _ERRORS if isinstance(exc, core)), None)
        if mapped is None:
            raise
        raise mapped(str(exc)) from exc


def _time_left(exc: type[Exception], timeout: float | None) -> float | None:
    """Seconds this socket call may wait, or raise *exc* when the time is up."""
    stop: threading.Event | None = getattr(_local, "stop", None)
    if stop is not None and stop.is_set():
        raise exc("the run was stopped")
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise exc("no complete answer before the deadline")
    return min(left, POLL_SECONDS)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream
        self._framing: _Framing | None = None
        """Where the answer to the request in flight ends."""
        self._requesting = False
        self._spoiled = False
        self.served = 0
        """Answers read whole on this connection."""
        self.last_answer: tuple[str | None, int | None] = (None, None)
        """The label of the exchange that read the last of them, and its status."""

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        while True:
            wait = _time_left(httpcore.ReadTimeout, timeout)
            try:
                data = self._stream.read(max_bytes, wait)
            except httpcore.ReadTimeout:
                if getattr(_local, "deadline", None) is None:
                    raise
                continue
            self._requesting = False
            if self._framing is not None:
                self._framing.feed(data)
            return data

    def answered(self) -> int:
        """httpcore has read a whole answer: the bytes the server sent after its end. If
        any, this connection is reported as closed by the server, so it is not reused."""
        framing, self._framing = self._framing, None
        self.served += 1
        self.last_answer = (getattr(_local, "label", None), framing.status if framing else None)
        if framing is None or framing.lost or framing.state != "done":
            return 0
        excess = framing.excess
        self._spoiled = self._spoiled or excess > 0
        return excess

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not self._requesting:  # a request's head: its first write
            self._requesting = True
            self._framing = _Framing()
            _local.stream = self
        view = memoryview(buffer)
        while view:
            wait = _time_left(httpcore.WriteTimeout, timeout)
            piece = view[:WRITE_PIECE]
            try:
                self._stream.write(bytes(piece), wait)
            except httpcore.WriteTimeout:
                if getattr(_local, "deadline", None) is None:
                    raise
                continue  # a timed-out send wrote nothing of this piece
            view = view[WRITE_PIECE:]

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: typing.Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(httpcore.ConnectTimeout, timeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "is_readable" and self._spoiled:
            return True
        return self._stream.get_extra_info(info)


class _Framing:
    """Where the answer to the request in flight ends, found by counting as h11 parses:
    interim (1xx) heads, the final head, then ``Content-Length`` bytes or chunks and their
    trailers. :attr:`excess` counts what was read past that end; :attr:`lost` means it
    cannot tell (a head too long, a body that ends with the connection, folded lines)."""

    def __init__(self) -> None:
        self.pending = bytearray()  # an incomplete head, chunk-size line or trailers
        self.state = "head"  # then "body", "size", "trailers", "done"
        self.chunked = False
        self.left = 0  # bytes of the body, or of a chunk and its CRLF, still to come
        self.excess = 0
        self.lost = False
        self.status: int | None = None
        """The final head's status code."""

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view and not self.lost:
            if self.state == "done":
                self.excess += len(view)
                return
            if self.state == "body":
                step = min(self.left, len(view))
                self.left -= step
                view = view[step:]
                if not self.left:
                    self.state = "size" if self.chunked else "done"
                continue
            view = self._unit(view)

    def _unit(self, view: memoryview) -> memoryview:
        """Feed a head, a chunk-size line or the trailers; return what follows it."""
        start = max(0, len(self.pending) - 3)
        self.pending += view
        found = (_LINE if self.state == "size" else _BLANK_LINE).search(self.pending, start)
        if found is None:
            self.lost = len(self.pending) > _H11_EVENT_BYTES
            return view[len(view) :]
        unit, rest = bytes(self.pending[: found.end()]), len(self.pending) - found.end()
        self.pending.clear()
        if self.state == "head":
            self._head(unit)
        elif self.state == "size":
            self._size(unit)
        else:
            self.state = "done"  # the blank line after the trailers
        return view[len(view) - rest :]

    def _head(self, head: bytes) -> None:
        status = _STATUS.match(head)
        if status is None or b"\n " in head or b"\n\t" in head:
            self.lost = True
            return
        code = int(status.group(1))
        if code < 200:  # interim, the final head follows; 101 leaves HTTP/1.1
            self.lost = code == 101
            return
        self.status = code
        coding = _TRANSFER_ENCODING.search(head)
        length = _CONTENT_LENGTH.search(head)
        if code in (204, 304):
            self.state = "done"
        elif coding is not None:  # h11 knows no coding but chunked, and it wins
            self.chunked, self.state = True, "size"
            self.lost = not coding.group(1).strip().lower().endswith(b"chunked")
        elif length is not None:
            values = {value.strip() for value in length.group(1).split(b",")}
            number = values.pop()
            self.lost = bool(values - {number}) or not number.isdigit()
            self.left = 0 if self.lost else int(number)
            self.state = "body" if self.left else "done"
        else:
            self.lost = True  # the body ends with the connection: nothing comes after

    def _size(self, line: bytes) -> None:
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            self.lost = True
            return
        if size:
            self.left, self.state = size + 2, "body"
        else:  # the last chunk: trailers end with a blank line, which may come at once
            self.state = "trailers"
            self.pending += b"\r\n"


_BLANK_LINE = re.compile(rb"\n\r?\n")  # as h11 ends a head
_LINE = re.compile(rb"\n")
_STATUS = re.compile(rb"HTTP/1\.[01] ([0-9]{3})")
_TRANSFER_ENCODING = re.compile(rb"\ntransfer-encoding:([^\r\n]*)", re.IGNORECASE)
_CONTENT_LENGTH = re.compile(rb"\ncontent-length:([^\r\n]*)", re.IGNORECASE)
_H11_EVENT_BYTES = 100 * 1024  # httpcore's own limit for one head


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        deadline: float | None = getattr(_local, "deadline", None)
        left = timeout if deadline is None else max(0.001, deadline - time.monotonic())
        stream = super().connect_tcp(host, port, left, local_address, socket_options)
        return _DeadlineStream(stream)
