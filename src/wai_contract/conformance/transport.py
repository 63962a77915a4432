"""Sockets that keep a wall-clock deadline for a whole exchange, and stop when told.

httpx's timeouts bound each read; a server that sends one byte a second never trips them.
The client made by :func:`default_client` reads and writes through :class:`_DeadlineStream`,
which gives each socket call only the time left before the exchange's deadline (set with
:func:`exchange_deadline` by the thread that sends) and wakes every quarter second to see
whether the run was stopped (Ctrl-C, SIGTERM, the run's deadline).
"""

from __future__ import annotations

import threading
import time
import typing
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore
import httpx

POLL_SECONDS = 0.25
WRITE_PIECE = 64 * 1024
_local = threading.local()


@contextmanager
def exchange_deadline(deadline: float, stop: threading.Event | None = None) -> Iterator[None]:
    """Within this block, this thread's socket calls end by *deadline* (``time.monotonic``)
    or as soon as *stop* is set."""
    _local.deadline, _local.stop = deadline, stop
    try:
        yield
    finally:
        _local.deadline, _local.stop = None, None


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


def default_client(connections: int, user_agent: str) -> httpx.Client:
    """A client for *connections* requests in flight, following no redirects, asking for
    only the encodings the runner decodes itself (with a cap: see :mod:`.reading`)."""
    transport = httpx.HTTPTransport(retries=0)
    # httpx has no parameter for the network backend: the pool is rebuilt with ours.
    transport._pool = httpcore.ConnectionPool(
        max_connections=connections,
        max_keepalive_connections=connections,
        retries=0,
        network_backend=_DeadlineBackend(),
    )
    return httpx.Client(
        transport=transport,
        follow_redirects=False,
        headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
    )
