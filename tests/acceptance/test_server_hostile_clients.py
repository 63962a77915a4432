"""The reference server (``wai-contract serve``) against hostile clients on loopback:
never a 500 or a traceback, bounded heads and bodies, JSON error envelopes, bounded memory."""

from __future__ import annotations

import contextlib
import json
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from wai_contract import lint

TOKEN = "serve-token-4f8a2c9e71b3"
PATH = "/client/v4/accounts/local/ai/run/@cf/mistral/mistral-7b-instruct-v0.2-lora"
OPENAI_PATH = "/client/v4/accounts/local/ai/v1/chat/completions"


@dataclass
class Served:
    process: subprocess.Popen[str]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def peak_mb(self) -> float:
        with open(f"/proc/{self.process.pid}/status") as status:
            line = next(x for x in status if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024


def start_serve(*options: str) -> Served:
    """``wai-contract serve --port 0`` in a child process, once it listens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "wai_contract", "serve", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return Served(process, int(process.stdout.readline().rsplit(":", 1)[1]))


def stop_serve(served: Served) -> str:
    """Stop the server; what it wrote to stderr."""
    served.process.terminate()
    _, stderr = served.process.communicate(timeout=15)
    return stderr


@contextlib.contextmanager
def serving(*options: str) -> Iterator[Served]:
    """``wai-contract serve`` with *options* for a block; no traceback in its log after."""
    server = start_serve("--token", TOKEN, *options)
    yield server
    stderr = stop_serve(server)
    assert "Traceback" not in stderr, stderr[-3000:]


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with serving("--head-timeout", "1", "--body-timeout", "1") as server:
        yield server


def exchange(port: int, data: bytes, wait: float = 5.0) -> bytes:
    """Send *data* on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        with contextlib.suppress(OSError):  # it may answer and close before taking all
            sock.sendall(data)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
    return answer


def status_and_envelope(answer: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower(), head
    envelope = json.loads(body)
    assert envelope["success"] is False and envelope["errors"][0]["code"], envelope
    return int(head.split()[1]), envelope


def post(path: str, body: bytes, headers: bytes = b"") -> bytes:
    return (
        (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n"
        ).encode()
        + headers
        + b"\r\n"
        + body
    )


SURROGATES = [
    b'{"prompt": "\\ud83d"}',
    b'{"prompt": "ok", "\\ud83d": 1}',
    b'{"messages": [{"role": "user", "content": "\\udc00 hi"}]}',
    b'{"messages": [{"role": "user", "content": "hi", "\\ud83d": 2}]}',
    b'{"prompt": "\\ud83d", "stream": true}',
    b'{"prompt": "hi", "tools": [{"name": "f", "description": "d", "parameters": '
    b'{"type": "object", "properties": {"\\ud83d": {"type": "string"}}}}]}',
]


@pytest.mark.parametrize("body", SURROGATES)
def test_a_lone_surrogate_anywhere_is_answered_as_lint_judges_it(
    served: Served, body: bytes
) -> None:
    answer = exchange(served.port, post(PATH, body))
    status = int(answer.split()[1])
    assert status == (200 if lint(body).valid else 400), answer[:300]


def test_a_lone_surrogate_on_the_openai_surface_is_no_server_error(served: Served) -> None:
    body = (
        b'{"model": "@cf/mistral/mistral-7b-instruct-v0.2-lora", '
        b'"messages": [{"role": "user", "content": "\\ud83d"}]}'
    )
    assert exchange(served.port, post(OPENAI_PATH, body)).split()[1] == b"200"


def test_an_oversized_head_gets_431_and_memory_stays_bounded(served: Served) -> None:
    def unfinished_header() -> None:
        with socket.create_connection(("127.0.0.1", served.port), timeout=5) as sock:
            try:
                sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: ")
                for _ in range(1024):  # up to 64 MB, until the server hangs up
                    sock.sendall(b"a" * 65536)
            except OSError:
                pass

    threads = [threading.Thread(target=unfinished_header) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 1000) for i in range(2000))  # 2 MB
    status, envelope = status_and_envelope(exchange(served.port, post(PATH, b"{}", many)))
    assert status == 431 and "Header" in envelope["errors"][0]["message"]
    assert served.peak_mb() < 300


@pytest.mark.parametrize("size", [65 * 1024, 100 * 1024, 1024 * 1024])
def test_one_head_limit_however_the_bytes_arrive(served: Served, size: int) -> None:
    """A head over the limit in one write is refused as one that trickles in."""
    big = b"X-Big: " + b"a" * size + b"\r\n"
    status, envelope = status_and_envelope(exchange(served.port, post(PATH, b"{}", big)))
    assert status == 431 and "Header" in envelope["errors"][0]["message"]


def test_trailer_fields_count_against_the_head_limit(served: Served) -> None:
    """Fields after a chunked body (trailers) are held too: they are bounded as a head."""
    # With the token: the app waits for the whole message, so no early answer (a 400 for a
    # missing token) can come before the guard's 431.
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    trailers = b"".join(b"X-T%d: %s\r\n" % (i, b"v" * 1000) for i in range(4000))  # 4 MB
    answer = exchange(served.port, head.encode() + b"2\r\n{}\r\n0\r\n" + trailers + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert served.peak_mb() < 300


def test_slow_heads_are_closed_after_the_head_timeout(served: Served) -> None:
    socks = [socket.create_connection(("127.0.0.1", served.port)) for _ in range(200)]
    try:
        for sock in socks:
            sock.sendall(b"POST / HTTP/1.1\r\n")
        deadline = time.monotonic() + 10
        answers = []
        for sock in socks:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            data = b""
            try:
                while True:
                    piece = sock.recv(65536)
                    if not piece:
                        break
                    data += piece
                    sock.sendall(b"X")  # a slowloris keeps trickling
            except OSError:
                pass
            answers.append(data)
    finally:
        for sock in socks:
            sock.close()
    assert all(a.startswith(b"HTTP/1.1 408") for a in answers), {a[:40] for a in answers}
    assert served.peak_mb() < 300


@pytest.mark.parametrize(
    "request_bytes",
    [
        post(PATH, b'{"prompt": "hi"}')[: -len(b'{"prompt": "hi"}')] + b'{"pro',
        f"POST {PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        'Transfer-Encoding: chunked\r\n\r\n5\r\n{"pro\r\n'.encode(),
    ],
    ids=["short-body", "chunked-without-end"],
)
def test_a_body_that_never_arrives_gets_408(served: Served, request_bytes: bytes) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(request_bytes)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            piece = sock.recv(65536)
            if not piece:
                break
            answer += piece
    status, _ = status_and_envelope(answer)
    assert status == 408


def _send_a_huge_body(port: int, head: bytes, piece: bytes, seconds: float) -> tuple[bytes, float]:
    """Send *head*, then *piece* after *piece* without end; the answer read and the seconds
    until the server closed (*seconds* when it never did)."""
    started = time.monotonic()
    answer = b""
    # A send that times out may have sent part of a piece: then a chunked body's framing
    # would be broken. So a send waits as long as the test: a server that neither reads
    # nor closes makes it time out, and the test fail.
    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as sock:
        sock.sendall(head)
        while time.monotonic() - started < seconds:
            try:
                sock.sendall(piece)
            except OSError:
                break  # closed (reset, broken pipe), or stuck past the time (TimeoutError)
            if not select.select([sock], [], [], 0)[0]:
                continue  # nothing to read yet (a socket with a timeout waits in recv)
            try:
                got = sock.recv(65536)
            except OSError:
                break
            if not got:
                break
            answer += got
        sock.settimeout(1)
        with contextlib.suppress(OSError):
            while got := sock.recv(65536):
                answer += got
    return answer, time.monotonic() - started


@pytest.fixture(scope="module")
def small_bodies() -> Iterator[Served]:
    """A server taking bodies of 1 MB at most, with time for them to arrive."""
    with serving("--max-body-bytes", "1000000", "--body-timeout", "30") as server:
        yield server


@pytest.mark.parametrize("framing", ["declared", "chunked"])
def test_an_answer_before_the_body_closes_the_connection(
    small_bodies: Served, framing: str
) -> None:
    """A 413 (a declared 10 GB, or a chunked body past the limit) is answered and the
    connection closed within the linger, however long the client would go on sending:
    20 such clients leave no connection open."""
    length = (
        "Content-Length: 10000000000\r\n"
        if framing == "declared"
        else "Transfer-Encoding: chunked\r\n"
    )
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n{length}\r\n"
    ).encode()
    piece = b"x" * 65536 if framing == "declared" else b"10000\r\n" + b"x" * 65536 + b"\r\n"
    results: list[tuple[bytes, float]] = []

    def client() -> None:
        results.append(_send_a_huge_body(small_bodies.port, head, piece, 20))

    threads = [threading.Thread(target=client) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 20
    assert all(answer.startswith(b"HTTP/1.1 413") for answer, _ in results), results[0][0][:80]
    assert max(took for _, took in results) < 10, [round(took, 1) for _, took in results]


def test_a_client_that_leaves_mid_body_leaves_no_traceback(served: Served) -> None:
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", served.port)) as sock:
            sock.sendall(post(PATH, b'{"prompt": "hi"}')[:-5])
    # the module fixture checks the server's stderr for tracebacks when it stops


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"POST / HTTP/9.9\r\nHost: x\r\n\r\n",
        f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
        "Content-Length: 5\r\n\r\n{}".encode(),
        f"POST {PATH} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".encode(),
        b"POST / HTTP/1.1\r\nBad Header\r\n\r\n",
    ],
    ids=["request-line", "version", "two-lengths", "chunk-size", "header-line"],
)
def test_malformed_http_gets_a_json_error_envelope(served: Served, request_bytes: bytes) -> None:
    status, _ = status_and_envelope(exchange(served.port, request_bytes))
    assert status == 400


def test_two_authorization_headers_are_refused(served: Served) -> None:
    headers = [("Authorization", f"Bearer {TOKEN}"), ("Authorization", "Bearer wrong")]
    answer = httpx.post(served.url + PATH, json={"prompt": "hi"}, headers=headers, timeout=10)
    assert answer.status_code == 400 and answer.json()["success"] is False


def test_the_server_still_answers_after_every_attack(served: Served) -> None:
    answer = httpx.post(
        served.url + PATH,
        json={"prompt": "hi"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 200 and answer.json()["success"] is True


def test_the_access_log_shows_each_request() -> None:
    server = start_serve("--no-auth", "--access-log")
    httpx.post(server.url + PATH, json={"prompt": "hi"}, timeout=10)
    stderr = stop_serve(server)
    # The path as the client wrote it: httpx 0.28 escapes the model's "@", 0.29 does not.
    sent = (f'POST {path} HTTP/1.1" 200' for path in (PATH, PATH.replace("@", "%40")))
    assert any(line in stderr for line in sent), stderr
