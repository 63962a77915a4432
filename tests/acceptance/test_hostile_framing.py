"""Kept-alive connections. Bytes after the end of an answer: the case that got them fails
with the excess named, and no later case reads them as its own answer. A connection dropped
as a request goes out on it: the request is sent again, and blamed only when it is dropped
on a connection of its own too."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from tests import hostile
from tests.acceptance.hostile_runs import report_of, run_against
from tests.hostile import Hostile, Peer, Request

LIVE = {"Connection": "keep-alive"}
FAKE_500 = b"HTTP/1.1 500 X\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
SPOILED = 2
"""The request whose answer carries the excess (the pre-flight and one more go first)."""


def _chunked(body: bytes, content_type: str) -> bytes:
    head = f"HTTP/1.1 200 X\r\nTransfer-Encoding: chunked\r\nContent-Type: {content_type}\r\n\r\n"
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (body[:7], body[7:]) if p)
    return head.encode() + chunks + b"0\r\n\r\n"


def _answer(request: Request, chunked: bool) -> bytes:
    """A right answer to any request, kept alive, framed by length or by chunks."""
    if hostile.streamed(request):
        body = b'data: {"response": "Hi"}\n\ndata: [DONE]\n\n'
        kind = "text/event-stream"
    else:
        result = {"result": hostile.OK_RESULT, "success": True, "errors": [], "messages": []}
        body, kind = json.dumps(result).encode(), "application/json"
    if chunked:
        return _chunked(body, kind)
    return hostile.response(200, body, {"Content-Type": kind, "Connection": None})


EXCESS: dict[str, tuple[bool, bytes]] = {
    "a-whole-answer-after-content-length": (False, FAKE_500),
    "a-whole-answer-after-the-last-chunk": (True, FAKE_500),
    "garbage-after-content-length": (False, b"\x00garbage\r\n"),
    "one-byte-after-the-last-chunk": (True, b"\n"),
    "a-second-copy-of-the-body": (False, json.dumps({"result": {}}).encode()),
}


def _failures(report: dict[str, Any], *codes: str) -> list[Any]:
    """The failures (of every check) whose cause is one of *codes*."""
    failures = [f for check in report["checks"] for f in check["failures"]]
    return [f for f in failures if f["cause"].split("|")[1] in codes]


def _excess_and_server_errors(report: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """The failures whose cause is bytes after an answer, and a 5xx."""
    return _failures(report, "excess"), _failures(report, "server-error")


@pytest.mark.parametrize("name", list(EXCESS))
def test_bytes_after_an_answer_fail_its_case_and_no_other(name: str, tmp_path: Path) -> None:
    chunked, extra = EXCESS[name]

    def respond(request: Request, peer: Peer) -> None:
        answer = _answer(request, chunked)
        peer.send(answer + extra if request.number == SPOILED else answer)

    out = tmp_path / "out"
    with Hostile(respond, keep_alive=True) as server:
        run_against(server.url, out, "--concurrency", "1", "--max-concurrency", "1")
    report = report_of(out)
    excess, errors = _excess_and_server_errors(report)
    assert report["requests"] > SPOILED + 5
    assert {f["id"] for f in excess} == {excess[0]["id"]}, excess  # one case, the spoiled one
    assert {f["cause"].split("|")[0] for f in excess} >= {"transport"}
    assert f"{len(extra):,} bytes came after the end" in json.dumps(excess)
    assert errors == []  # the fake 500 was never read as an answer


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_exact_framing_on_kept_alive_connections_is_no_excess(
    chunked: bool, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with Hostile(lambda r, p: p.send(_answer(r, chunked)), keep_alive=True) as server:
        run_against(server.url, out, "--concurrency", "2")
        connections = server.connections
    report = report_of(out)
    assert _excess_and_server_errors(report) == ([], [])
    assert connections < report["requests"] / 4  # the connections were kept and reused


def _failed_by_the_connection(report: dict[str, Any]) -> list[Any]:
    """The failures whose cause is a connection dropped or an answer cut short."""
    return _failures(report, "connection", "truncated")


@pytest.mark.parametrize("concurrency", ["1", "3"])
def test_a_kept_alive_connection_dropped_under_a_request_is_not_its_fault(
    concurrency: str, tmp_path: Path
) -> None:
    """The server answers once on each connection and drops it when the next request
    arrives (an idle timeout's race, a crash on an earlier request): that request is sent
    again on another connection and judged by its answer."""
    answered: set[socket.socket] = set()  # held: a number or an id may be used again
    dropped: list[Request] = []

    def respond(request: Request, peer: Peer) -> None:
        if peer.sock in answered:
            dropped.append(request)
            peer.sock.close()  # no answer, no Connection: close
            return
        answered.add(peer.sock)
        peer.send(_answer(request, chunked=False))

    out = tmp_path / "out"
    limit = ("--concurrency", concurrency, "--max-concurrency", concurrency)
    with Hostile(respond, keep_alive=True) as server:
        run_against(server.url, out, *limit)
    report = report_of(out)
    assert _failed_by_the_connection(report) == []
    assert len(answered) == report["requests"] and len(dropped) > 5
    (note,) = [n for n in report["notes"] if n.startswith("the server closed a kept-alive")]
    assert " (200): " in note and f"({len(dropped) - 1} more times)" in note


def test_a_request_that_drops_every_connection_it_goes_out_on_is_blamed(
    tmp_path: Path,
) -> None:
    """A streamed request is dropped on every connection, new or kept alive: its cases
    fail by the connection; the others, sent on the same connections, pass."""

    def respond(request: Request, peer: Peer) -> None:
        if hostile.streamed(request):
            peer.sock.close()
            return
        peer.send(_answer(request, chunked=False))

    out = tmp_path / "out"
    with Hostile(respond, keep_alive=True) as server:
        run_against(server.url, out, "--concurrency", "2")
    report = report_of(out)
    dropped = _failed_by_the_connection(report)
    streamed = {f["id"] for c in report["checks"] if c["id"] == "streaming" for f in c["failures"]}
    assert dropped and {f["id"] for f in dropped} == streamed, dropped


def test_a_500_that_takes_its_kept_alive_connection_down_is_blamed_not_the_next_case(
    tmp_path: Path,
) -> None:
    """A server error that takes the connection down with it (a crashing worker: the next
    request on that connection is dropped as it arrives): the 500 fails its own case, and
    the request sent next on that connection is sent again and judged by its answer."""
    crashed: set[socket.socket] = set()
    errors: list[Request] = []

    def respond(request: Request, peer: Peer) -> None:
        if peer.sock in crashed:
            peer.sock.close()
        elif request.number % 5 == 3:  # every fifth request
            errors.append(request)
            crashed.add(peer.sock)
            peer.send(hostile.response(500, b"{}", {"Connection": None}))
        else:
            peer.send(_answer(request, chunked=False))

    out = tmp_path / "out"
    with Hostile(respond, keep_alive=True) as server:
        run_against(server.url, out, "--concurrency", "2")
    report = report_of(out)
    assert len(errors) > 1
    assert _failed_by_the_connection(report) == []
    server_errors = {c["id"]: c for c in report["checks"]}["no-server-errors"]
    assert server_errors["status"] == "failed" and server_errors["failure_count"] == len(errors)
    # The report names the answer after which the connection closed.
    (note,) = [n for n in report["notes"] if n.startswith("the server closed a kept-alive")]
    after = note.split("after the answer to ", 1)[1].split(" (500): ", 1)[0]
    assert after in {case for ids in server_errors["causes"].values() for case in ids}, note
