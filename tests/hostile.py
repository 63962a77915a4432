"""Small hostile HTTP servers on loopback, written at the socket level: they send whatever
bytes a broken or malicious peer would (bad status lines, endless streams, bombs, hangs).

``Hostile(respond)`` accepts connections in a thread; for the request on each connection
it reads the head and the ``Content-Length`` body and calls ``respond(request, peer)``,
which writes raw bytes to ``peer.sock``; then it closes the connection (so a body without
a length ends there), unless it keeps connections alive (``keep_alive=True``): then it reads
the next request on the same connection. Every wait is bounded by the server's lifetime, and the
server closes every connection when its ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import socket
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MODEL_PATH = "/client/v4/accounts/hostile/ai/run/@cf/mistral/mistral-7b-instruct-v0.2-lora"
OK_RESULT = {
    "response": "Hello.",
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
}


@dataclass
class Request:
    number: int
    """Requests seen by the server before this one (0 for the first)."""
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Peer:
    sock: socket.socket
    stop: threading.Event

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def hang(self, seconds: float = 60.0) -> None:
        """Say nothing more until the server stops (or *seconds* pass)."""
        self.stop.wait(seconds)


Respond = Callable[[Request, Peer], None]


def response(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    head = [f"HTTP/1.1 {status} X"]
    all_headers = {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "Connection": "close",  # each connection serves one request
    }
    all_headers.update(headers or {})
    head += [f"{k}: {v}" for k, v in all_headers.items() if v is not None]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def json_response(status: int, value: Any, headers: dict[str, str] | None = None) -> bytes:
    return response(status, json.dumps(value).encode(), headers)


def ok(result: Any = None) -> bytes:
    """A correct success envelope."""
    body = {"result": result or OK_RESULT, "success": True, "errors": [], "messages": []}
    return json_response(200, body)


def ok_with_values(values: bytes, fields: int) -> bytes:
    """A 200 whose ``result`` carries *values* (the items of a JSON array, as text) beside
    its response, with *fields* more header fields: an answer near the runner's caps."""
    body = b'{"success":true,"errors":[],"result":{"response":"ok","x":[' + values + b"]}}"
    return response(200, body, {f"X-F{n}": "v" for n in range(fields)})


def error(status: int, code: Any, message: str = "Bad input") -> bytes:
    body = {"result": None, "success": False, "errors": [{"code": code, "message": message}]}
    return json_response(status, body)


def stream(events: list[bytes], *, done: bool = True, tail: bytes = b"") -> bytes:
    """An event stream, as a close-delimited body."""
    body = b"".join(b"data: " + e + b"\n\n" for e in events)
    body += (b"data: [DONE]\n\n" if done else b"") + tail
    return response(200, body, {"Content-Type": "text/event-stream", "Content-Length": None})


def gzipped(status: int, data: bytes, content_type: str = "application/json") -> bytes:
    body = gzip.compress(data, compresslevel=9)
    return response(status, body, {"Content-Type": content_type, "Content-Encoding": "gzip"})


@dataclass
class Hostile:
    respond: Respond
    lifetime: float = 60.0
    max_connections: int = 400
    keep_alive: bool = False
    stop: threading.Event = field(default_factory=threading.Event)
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _socks: list[socket.socket] = field(default_factory=list)

    @property
    def connections(self) -> int:
        """Connections accepted so far."""
        with self._lock:
            return len(self._socks)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}{MODEL_PATH}"

    def __enter__(self) -> Hostile:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._listener.close()
        with self._lock:
            for sock in self._socks:
                _close(sock)

    def _accept(self) -> None:
        accepted = 0
        while not self.stop.is_set() and accepted < self.max_connections:
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted += 1
            with self._lock:
                self._socks.append(sock)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(self.lifetime)
        buffer = b""
        try:
            while not self.stop.is_set():
                request, buffer = _read_request(sock, buffer)
                if request is None:
                    return
                with self._lock:
                    request.number, self.requests = self.requests, self.requests + 1
                self.respond(request, Peer(sock, self.stop))
                if not self.keep_alive:
                    return
        except OSError:
            return
        finally:
            _close(sock)


def _read_request(sock: socket.socket, buffer: bytes) -> tuple[Request | None, bytes]:
    while b"\r\n\r\n" not in buffer:
        data = sock.recv(65536)
        if not data:
            return None, b""
        buffer += data
    head, _, buffer = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = [*lines[0].split(" "), "", ""][:3]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    while len(buffer) < length:
        data = sock.recv(65536)
        if not data:
            return None, b""
        buffer += data
    raw, buffer = buffer[:length], buffer[length:]
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    return Request(0, method, path, headers, body), buffer


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def streamed(request: Request) -> bool:
    return isinstance(request.body, dict) and request.body.get("stream") is True


def endless(peer: Peer, first: bytes, piece: bytes, limit: int = 256 * 1024 * 1024) -> None:
    """Send *first*, then *piece* again and again until the client leaves (or *limit*)."""
    peer.send(first)
    sent = 0
    while sent < limit and not peer.stop.is_set():
        peer.send(piece)
        sent += len(piece)


@functools.cache
def gzip_bomb(size: int = 64 * 1024 * 1024) -> bytes:
    """*size* bytes of zeros, gzipped (about 64 KB for the default 64 MB: 8 times the cap)."""

    engine = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    return b"".join(engine.compress(block) for _ in range(size // len(block))) + engine.flush()
