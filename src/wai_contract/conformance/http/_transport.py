"""An httpx transport whose exchanges keep a wall-clock deadline, and stop when told.

httpx's timeouts bound each read; a server that sends one byte a second never trips them.
:class:`DeadlineTransport` is an ``httpx.BaseTransport`` over an httpcore connection pool
whose sockets give each call only the time left before the exchange's deadline (set with
:func:`exchange_deadline` by the thread that sends) and wake every quarter second to see
whether the run was stopped (Ctrl-C, SIGTERM, the run's deadline). As in httpx's own
``HTTPTransport``, every httpcore error is mapped to httpx's in one place.
"""

from __future__ import annotations

import threading
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

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
def exchange_deadline(deadline: float, stop: threading.Event | None = None) -> Iterator[None]:
    """Within this block, this thread's socket calls end by *deadline* (``time.monotonic``)
    or as soon as *stop* is set."""
    _local.deadline, _local.stop = deadline, stop
    try:
        yield
    finally:
        _local.deadline, _local.stop = None, None


class DeadlineTransport(httpx.BaseTransport):
    """HTTP/1.1 to the target through *connections* pooled connections, never retried."""

    def __init__(self, connections: int) -> None:
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
        with _httpx_errors():
            answer = self._pool.handle_request(core)
        assert isinstance(answer.stream, Iterable)
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_ResponseStream(answer.stream),
            extensions=answer.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream

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

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        while True:
            wait = _time_left(httpcore.ReadTimeout, timeout)
            try:
                return self._stream.read(max_bytes, wait)
            except httpcore.ReadTimeout:
                if getattr(_local, "deadline", None) is None:
                    raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
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
        return self._stream.get_extra_info(info)


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
