"""The runner against hostile servers: bounded time and memory, a report always written,
and the run's own limits never blamed on the server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests import hostile
from tests.acceptance.hostile_runs import (
    peak_mb,
    report_of,
    run_against,
)
from tests.hostile import Hostile, Peer, Request


def _plain_or(streamed: Callable[[Request, Peer], None]) -> Callable[[Request, Peer], None]:
    """Correct plain answers; *streamed* answers every request for a stream."""

    def respond(request: Request, peer: Peer) -> None:
        if hostile.streamed(request):
            streamed(request, peer)
        else:
            peer.send(hostile.ok())

    return respond


SSE_HEAD = hostile.response(200, b"", {"Content-Type": "text/event-stream", "Content-Length": None})


def _gzip_json_bomb(request: Request, peer: Peer) -> None:
    if request.number == 0:
        peer.send(hostile.ok())
        return
    bomb = hostile.gzip_bomb()
    peer.send(hostile.response(200, bomb, {"Content-Encoding": "gzip"}))


HEAVY: dict[str, tuple[Callable[[Request, Peer], None], str]] = {
    "event-never-ends": (
        _plain_or(lambda r, p: hostile.endless(p, SSE_HEAD + b"data: ", b"x" * 65536)),
        "framing",
    ),
    "data-lines-without-blank-line": (
        _plain_or(lambda r, p: hostile.endless(p, SSE_HEAD, b"data: " + b"y" * 1000 + b"\n")),
        "framing",
    ),
    "line-without-ending": (
        _plain_or(lambda r, p: hostile.endless(p, SSE_HEAD, b"z" * 65536)),
        "framing",
    ),
    "gzip-bomb-on-streams": (
        _plain_or(
            lambda r, p: p.send(
                hostile.response(
                    200,
                    hostile.gzip_bomb(),
                    {"Content-Type": "text/event-stream", "Content-Encoding": "gzip"},
                )
            )
        ),
        "framing",  # a line of zeros: cut at the event cap, long before the body cap
    ),
    "gzip-bomb-on-json": (_gzip_json_bomb, "too-large"),
    "a-million-numbers": (
        lambda r, p: p.send(
            hostile.ok()
            if r.number == 0
            else hostile.response(
                200, b'{"result": {"response": "x", "n": [' + b"1.5," * 10**6 + b"1]}}"
            )
        ),
        "too-large",  # 4 MB of text, but some 60 MB once parsed: the values are capped
    ),
    "endless-json": (
        lambda r, p: (
            p.send(hostile.ok())
            if r.number == 0
            else hostile.endless(
                p, hostile.response(200, b"", {"Content-Length": None}) + b"[", b"1," * 32768
            )
        ),
        "too-large",
    ),
}


@pytest.mark.parametrize("name", list(HEAVY))
def test_endless_and_inflating_answers_are_cut_and_memory_stays_bounded(
    name: str, tmp_path: Path
) -> None:
    respond, code = HEAVY[name]
    out = tmp_path / "out"
    with Hostile(respond) as server:
        result = run_against(server.url, out, fresh=True)
    assert result.returncode == 1, result.stderr[-2000:]
    report = report_of(out)
    codes = {f["code"] for c in report["checks"] for f in c["failures"]}
    assert code in codes, codes
    assert peak_mb(result) < 200


def test_a_server_that_only_says_busy_never_passes(tmp_path: Path) -> None:
    def respond(request: Request, peer: Peer) -> None:
        busy = hostile.error(429, 3040, "Capacity temporarily exceeded")
        peer.send(busy.replace(b"\r\n\r\n", b"\r\nRetry-After: 0\r\n\r\n", 1))

    out = tmp_path / "out"
    with Hostile(respond) as server:
        result = run_against(server.url, out, "--max-requests", "8")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PASSED" not in result.stdout
    report = report_of(out)
    assert report["passed"] is False
    assert all(c["status"] != "passed" for c in report["checks"])  # a 429 rejects nothing


def test_an_event_nested_thousands_deep_fails_its_case_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    deep = b"[" * 5000 + b"]" * 5000
    out = tmp_path / "out"
    with Hostile(_plain_or(lambda r, p: p.send(hostile.stream([deep])))) as server:
        result = run_against(server.url, out)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    failures = [f for c in report_of(out)["checks"] for f in c["failures"]]
    assert any(f["code"] == "event-json" and "nested deeper than" in f["problem"] for f in failures)


def test_a_retry_after_that_is_not_a_number_waits_a_default(tmp_path: Path) -> None:
    def respond(request: Request, peer: Peer) -> None:
        if request.number == 1:
            peer.send(
                hostile.error(429, 3040).replace(b"\r\n\r\n", b"\r\nRetry-After: nan\r\n\r\n", 1)
            )
        else:
            peer.send(hostile.ok())

    out = tmp_path / "out"
    with Hostile(respond) as server:
        result = run_against(server.url, out, "--concurrency", "1")
    assert "Traceback" not in result.stderr and result.returncode == 1, result.stderr[-3000:]
    assert report_of(out)["retries"] == 1


def test_a_head_sent_a_byte_at_a_time_is_cut_at_the_timeout() -> None:
    from wai_contract.conformance import http

    def respond(request: Request, peer: Peer) -> None:
        for byte in hostile.ok():
            peer.send(bytes([byte]))
            if peer.stop.wait(0.1):
                return

    with Hostile(respond) as server, http.transport(1) as transport:
        started = time.monotonic()
        outcome = http.post(transport, server.url, {"prompt": "hi"}, token=None, timeout=1.0)
        took = time.monotonic() - started
    assert outcome.exchange.error == "timeout: no complete answer within 1 s"
    assert took < 5  # without the wall clock: 20 s, each byte well within the read timeout


def _hang(request: Request, peer: Peer) -> None:
    peer.hang()


def _head_then_hang(request: Request, peer: Peer) -> None:
    peer.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
    peer.hang()


def _busy_for_ages(request: Request, peer: Peer) -> None:
    peer.send(hostile.error(429, 3040).replace(b"\r\n\r\n", b"\r\nRetry-After: 999999\r\n\r\n", 1))


def _slow_but_right(request: Request, peer: Peer) -> None:
    if not peer.stop.wait(1.0):
        peer.send(hostile.ok())


STUCK: dict[str, tuple[Callable[[Request, Peer], None], list[str], set[str | None]]] = {
    # Each kind of request times out once, and the rest of it is not sent (or the streak of
    # identical failures stops the run first).
    "never-answers": (_hang, ["--timeout", "0.5", "--concurrency", "12"], {"same-failures", None}),
    "head-then-hang": (
        _head_then_hang,
        ["--timeout", "0.5", "--concurrency", "12"],
        {"same-failures", None},
    ),
    # Retries never wait past the deadline: the cases turn inconclusive first, or time is up.
    "busy-for-ages": (_busy_for_ages, ["--deadline", "2"], {"busy", "deadline"}),
    "slow-but-right": (_slow_but_right, ["--deadline", "1.5"], {"deadline"}),
}


@pytest.mark.parametrize("name", list(STUCK))
def test_a_server_that_never_finishes_is_judged_with_a_report_in_bounded_time(
    name: str, tmp_path: Path
) -> None:
    respond, options, stopped = STUCK[name]
    out = tmp_path / "out"
    with Hostile(respond) as server:
        result = run_against(server.url, out, *options)
    assert result.returncode == 1, result.stderr[-2000:]
    report = report_of(out)
    assert report["stopped"] in stopped and report["passed"] is False
    assert "stopped early" in result.stdout or "not sent: " in result.stdout  # it says why


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_stops_at_once_and_writes_a_partial_report(
    how: signal.Signals, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}

    def respond(request: Request, peer: Peer) -> None:
        if request.number == 0:
            peer.send(hostile.ok())
        else:
            peer.hang()

    with Hostile(respond) as server:
        args = ["run", "--endpoint", server.url, "--report-dir", str(out), "--timeout", "60"]
        child = subprocess.Popen(
            [sys.executable, "-m", "wai_contract", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            # A shell's background job ignores SIGINT, and so would the child: the test is
            # of Ctrl-C as it arrives at a run started in the foreground.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        assert child.stderr is not None
        assert child.stderr.readline().startswith("running:")  # the run has started
        child.send_signal(how)
        stdout, stderr = child.communicate(timeout=15)
    assert child.returncode == 2, stderr
    assert stderr.rstrip().endswith("error: interrupted") and "Traceback" not in stderr
    report = report_of(out)
    assert report["stopped"] == "interrupted" and report["passed"] is False
    assert "FAILED" in stdout


def test_the_user_timeout_is_kept_however_often_the_server_is_slow(tmp_path: Path) -> None:
    def respond(request: Request, peer: Peer) -> None:
        if request.number <= 8 and peer.stop.wait(0.8):
            return
        peer.send(hostile.ok())

    out = tmp_path / "out"
    with Hostile(respond) as server:
        run_against(server.url, out, "--timeout", "2", "--max-requests", "12", "--concurrency", "8")
    report = report_of(out)
    assert report["requests"] == 12
    failures = [f for c in report["checks"] for f in c["failures"]]
    assert not [f for f in failures if f["code"] == "timeout"]


def test_a_run_keeps_what_its_report_needs_not_every_answer(tmp_path: Path) -> None:
    """Every answer near every per-answer limit (200,000 JSON strings of 250,000 values,
    6.6 MB of 8, thousands of header fields): at the default concurrency (no growth), the
    run's memory stays within the documented 300 MB (docs/run.md, "Memory")."""
    big = hostile.ok_with_values(b",".join([b'"abcdefghijklmnopqrstuvwxyz0123"'] * 200_000), 3000)

    def respond(request: Request, peer: Peer) -> None:
        peer.send(big)

    out = tmp_path / "out"
    with Hostile(respond) as server:
        result = run_against(
            server.url, out, "--max-concurrency", "4", "--max-requests", "16", fresh=True
        )
    # Kept whole, 16 such answers (16 MB each, parsed) would take the run past 350 MB: its
    # peak is about 130 MB, whether it read 16 or 28 of them.
    assert report_of(out)["requests"] == 16
    assert peak_mb(result) < 300
