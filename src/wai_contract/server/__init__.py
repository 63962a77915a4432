"""The local reference server: a faithful, deterministic stand-in for the live endpoint.

Use :func:`serve` from Python (a context manager that starts it on a free port in a
background thread), or ``wai-contract serve`` from a shell. It runs Starlette on uvicorn.
"""

from __future__ import annotations

import signal
import socket
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

from ..errors import ConfigError
from ..schemas import MODEL
from .app import BODY_TIMEOUT, HEAD_TIMEOUT, MAX_BODY_BYTES, ServerConfig, create_app
from .faults import FAULTS

__all__ = [
    "FAULTS",
    "LocalServer",
    "ServerConfig",
    "bind",
    "listening_url",
    "model_url",
    "run_forever",
    "serve",
    "serve_asgi",
]

LOCAL_ACCOUNT = "local"


@dataclass(frozen=True)
class LocalServer:
    """A running reference server: where it listens and how to call it."""

    base_url: str
    model_url: str
    account_id: str
    token: str | None

    def __str__(self) -> str:
        return self.model_url

    @property
    def openai_url(self) -> str:
        """The OpenAI-compatible endpoint of the same server (``.../ai/v1/chat/completions``)."""
        return f"{self.base_url}/client/v4/accounts/{self.account_id}/ai/v1/chat/completions"


def model_url(base_url: str, account_id: str = LOCAL_ACCOUNT) -> str:
    """The model's endpoint under *base_url* (``http://host:port``)."""
    return f"{base_url}/client/v4/accounts/{account_id}/ai/run/{MODEL}"


def check_faults(faults: Iterable[str]) -> frozenset[str]:
    """Validate fault names, with a clear error for an unknown one."""
    chosen = frozenset(faults)
    unknown = sorted(chosen - FAULTS.keys())
    if unknown:
        raise ConfigError(
            f"unknown fault {unknown[0]!r}; see `wai-contract serve "
            f"--list-faults` ({', '.join(FAULTS)})"
        )
    return chosen


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on *host*:*port* (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets that
    # say so, and without it every keep-alive answer waits 40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    return sock


def listening_url(sock: socket.socket) -> str:
    """``http://HOST:PORT`` of a listening socket (an IPv6 host in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _uvicorn_server_for(
    app: Any, access_log: bool = False, graceful: int = 5, head_timeout: float = HEAD_TIMEOUT
) -> Any:
    import uvicorn

    from .protocol import bounded_protocol

    class Server(uvicorn.Server):
        """Shuts down gracefully on SIGINT/SIGTERM and then exits 0: uvicorn would
        re-raise the signal afterwards, which kills the process (or raises
        KeyboardInterrupt), although the shutdown was clean."""

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            self.should_exit = True

    settings = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="off",
        access_log=access_log,
        timeout_graceful_shutdown=graceful,
        http=bounded_protocol(head_timeout),
    )
    if access_log:
        _log_access_to_stderr()
    return Server(settings)


def _log_access_to_stderr() -> None:
    """uvicorn logs each request at info level, to stdout; stdout is for the listening line."""
    import logging

    access = logging.getLogger("uvicorn.access")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access.handlers = [handler]
    access.setLevel(logging.INFO)
    access.propagate = False


def run_forever(
    config: ServerConfig,
    sock: socket.socket,
    *,
    access_log: bool = False,
    head_timeout: float = HEAD_TIMEOUT,
) -> None:
    """Serve on *sock* until SIGINT or SIGTERM, then shut down cleanly."""
    server = _uvicorn_server_for(create_app(config), access_log, head_timeout=head_timeout)
    server.run(sockets=[sock])


@contextmanager
def serve_asgi(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    graceful: int = 5,
    head_timeout: float = HEAD_TIMEOUT,
) -> Iterator[str]:
    """Serve any ASGI *app* on uvicorn in a background thread; yields its base URL.

    The reference server uses it, and so can a test of any other compatible server. On
    exit, requests still being answered get *graceful* seconds to finish. A request head
    must arrive within *head_timeout* seconds (see :mod:`.protocol`).
    """
    sock = bind(host, port)
    server = _uvicorn_server_for(app, graceful=graceful, head_timeout=head_timeout)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="wai-contract-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise ConfigError("the server did not start")
        time.sleep(0.005)
    try:
        yield listening_url(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def serve(
    *,
    token: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    token_delay_ms: float = 0.0,
    faults: Iterable[str] = (),
    max_body_bytes: int = MAX_BODY_BYTES,
    head_timeout: float = HEAD_TIMEOUT,
    body_timeout: float = BODY_TIMEOUT,
) -> Iterator[LocalServer]:
    """Run the reference server in a background thread for the ``with`` block.

    ``token=None`` disables auth. Yields a :class:`LocalServer` whose ``model_url`` is
    the endpoint to call (``str(server)`` is that URL too)::

        with serve(token="t") as server:
            httpx.post(server.model_url, json={"prompt": "hi"},
                       headers={"Authorization": "Bearer t"})
    """
    config = ServerConfig(
        token=token,
        token_delay_ms=token_delay_ms,
        faults=check_faults(faults),
        max_body_bytes=max_body_bytes,
        body_timeout=body_timeout,
    )
    with serve_asgi(create_app(config), host=host, port=port, head_timeout=head_timeout) as base:
        yield LocalServer(base, model_url(base), LOCAL_ACCOUNT, token)
