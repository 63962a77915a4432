"""The runner against hostile servers: no secret leaks, whatever the server echoes, and
every output format stays well-formed."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests import hostile
from tests.acceptance.hostile_runs import (
    TOKEN,
    every_text,
    leaks,
    report_of,
    run_against,
    wai,
)
from tests.forked_cli import cli
from tests.hostile import Hostile, Peer, Request


def _escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


ECHOES: dict[str, Callable[[Request, Peer], bytes]] = {
    "response": lambda r, p: hostile.ok({"response": f"the token is {TOKEN}"}),
    "error-code": lambda r, p: hostile.error(400, TOKEN),
    "tool-name": lambda r, p: hostile.ok(
        {"response": None, "tool_calls": [{"name": TOKEN, "arguments": {}}]}
    ),
    "event-not-json": lambda r, p: hostile.stream([TOKEN.encode()]),
    "after-done": lambda r, p: hostile.stream(
        [b'{"response":"a"}'], tail=f"data: {TOKEN}\n\n".encode()
    ),
    "streamed-answer": lambda r, p: hostile.stream([json.dumps({"response": TOKEN}).encode()]),
    "bad-header-line": lambda r, p: f"HTTP/1.1 200 OK\r\nX{TOKEN}\r\n\r\n".encode(),
    "status-line": lambda r, p: f"HTTP/1.1 {TOKEN} OK\r\n\r\n".encode(),
    "header-name": lambda r, p: hostile.response(200, b"{}", {TOKEN: "1"}),
    "header-value": lambda r, p: hostile.ok().replace(
        b"\r\n\r\n", f"\r\nX-Echo: Bearer {TOKEN}\r\n\r\n".encode(), 1
    ),
    "across-1024": lambda r, p: hostile.response(
        400, b'{"errors":[{"code":5006,"message":"' + b"x" * 983 + TOKEN.encode() + b'"}]}'
    ),
    "escaped": lambda r, p: hostile.response(
        200,
        b'{"success":true,"errors":[],"result":{"response":"' + _escaped(TOKEN).encode() + b'"}}',
    ),
    "escaped-event": lambda r, p: hostile.stream(
        [b'{"response":"' + _escaped(TOKEN).encode() + b'","x":1}', b"{"]
    ),
    # One character encoded, as a reader would decode it; the rest in clear.
    "one-char-json-escaped": lambda r, p: hostile.error(400, 5006, _one_encoded("\\u{:04x}")),
    "one-char-html": lambda r, p: hostile.error(400, 5006, _one_encoded("&#{};")),
    "one-char-percent": lambda r, p: hostile.error(400, 5006, _one_encoded("%{:02X}")),
    "base64-header": lambda r, p: hostile.response(
        400, b"{}", {"X-Echo": base64.b64encode(f"Authorization: Bearer {TOKEN}".encode()).decode()}
    ),
    "cut-after-multibyte": lambda r, p: hostile.response(
        400, ('{"errors":[{"code":5006,"message":"' + "é" * 505 + TOKEN + '"}]}').encode()
    ),
}


def _one_encoded(form: str) -> str:
    """The token with its middle character in *form* (given its code point)."""
    middle = len(TOKEN) // 2
    return TOKEN[:middle] + form.format(ord(TOKEN[middle])) + TOKEN[middle + 1 :]


def test_a_token_echoed_anywhere_is_never_written(tmp_path: Path) -> None:
    channels = list(ECHOES.values())

    def respond(request: Request, peer: Peer) -> None:
        if request.number == 0:
            peer.send(hostile.ok())  # the preflight
            return
        peer.send(channels[(request.number - 1) % len(channels)](request, peer))

    out = tmp_path / "out"
    with Hostile(respond) as server:
        result = run_against(server.url, out, "--max-examples", "8", "--concurrency", "1")
    assert result.returncode == 1, result.stderr
    report = report_of(out)
    assert report["requests"] > 2 * len(channels)
    text = every_text(out, result)
    assert "[REDACTED]" in text
    assert leaks(text, TOKEN) == []


def test_markdown_from_the_server_stays_text_in_the_summary(tmp_path: Path) -> None:
    evil = "```\n\n# Pwned\n\n![x](http://evil.test/x.png)\n<img src=x>\n````"

    def respond(request: Request, peer: Peer) -> None:
        if request.number == 0:
            peer.send(hostile.ok())
        else:
            peer.send(hostile.error(500, 1000, evil))

    out = tmp_path / "out"
    with Hostile(respond) as server:
        run_against(server.url, out, "--max-requests", "6")
    summary = (out / "summary.md").read_text()
    assert "Pwned" in summary  # shown, as text
    outside = _outside_fences(summary)
    assert not [line for line in outside if line.lstrip().startswith("# Pwned")]
    rest = "\n".join(outside)
    assert "![x](" not in rest and not re.search(r"(?<!\\)<img", rest)


def _outside_fences(markdown: str) -> list[str]:
    """The lines of *markdown* outside fenced blocks (CommonMark: a fence closes only with
    at least as many backticks as opened it)."""
    outside, fence = [], 0
    for line in markdown.splitlines():
        ticks = len(line) - len(line.lstrip("`"))
        if fence == 0 and ticks >= 3:
            fence = ticks
        elif fence and ticks >= fence and not line.strip("`"):
            fence = 0
        elif fence == 0:
            outside.append(line)
    return outside


def test_credentials_in_the_endpoint_are_never_written(tmp_path: Path) -> None:
    """A key in the query is the user's to send, and stays out of every output."""
    key = "key-Hs4Wd9Mb6Qe1Uo"
    seen: list[str] = []

    def respond(request: Request, peer: Peer) -> None:
        seen.append(request.path)
        echo = f"{request.path} {request.headers.get('authorization', '')}"
        peer.send(hostile.ok() if request.number == 0 else hostile.error(400, 5006, echo))

    out = tmp_path / "out"
    with Hostile(respond) as server:
        result = run_against(server.url + f"?key={key}", out, "--max-requests", "6")
    assert any(key in path for path in seen)  # the key was sent, as the user asked
    text = every_text(out, result)
    assert leaks(text, key) == []
    assert "[REDACTED]" in report_of(out)["target"]


PASSWORD = "pw-Zq8Lk3Nv7Rt2Xy"
USERINFO_URLS = [
    f"http://user:{PASSWORD}@127.0.0.1:9/ai/run/m",
    f"https://{PASSWORD}@example.test/ai/run/m",
    f"http://user:{PASSWORD}@127.0.0.1:notaport/ai/run/m",
    f"http://user:{PASSWORD}@[::1/ai/run/m",
    f"http://user:{PASSWORD[:6]} {PASSWORD[6:]}@host/ai/run/m",
]


@pytest.mark.parametrize("url", USERINFO_URLS)
def test_userinfo_in_the_endpoint_is_refused_in_one_line_without_it(
    tmp_path: Path, url: str
) -> None:
    """user:password@ would replace the Bearer token on every request: refused before any
    request, by the CLI, the plugin and the Python API, never printing it."""
    cli = wai("run", "--endpoint", url, "--report-dir", str(tmp_path / "out"), cwd=tmp_path)
    assert cli.returncode == 2 and "must not carry credentials" in cli.stderr
    said = [line for line in cli.stderr.splitlines() if not line.startswith("peak-rss-kb")]
    assert len(said) == 1 and not (tmp_path / "out").exists()
    outputs = [cli.stdout, cli.stderr]
    if url == USERINFO_URLS[0]:  # the plugin takes the same path: once is enough
        plugin = subprocess.run(
            [sys.executable, "-m", "pytest", "--wai-endpoint", url, "-p", "no:cacheprovider"],
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert plugin.returncode != 0 and "must not carry credentials" in plugin.stdout
        outputs += [plugin.stdout, plugin.stderr]
    for text in outputs:
        assert leaks(text, PASSWORD) == [], text[-500:]
    from wai_contract import ConfigError, run

    with pytest.raises(ConfigError, match="must not carry credentials") as refused:
        run(url, token="t")
    assert leaks(str(refused.value), PASSWORD) == []


def test_progress_in_a_log_is_a_plain_line(tmp_path: Path) -> None:
    result = wai("run", "--local", "--api", "native", "--max-examples", "0", cwd=tmp_path)
    lines = [x for x in result.stderr.splitlines() if x.startswith("running:")]
    assert lines and lines[-1].startswith("running: ") and " cases, 0 failing" in lines[-1]
    done, total = lines[-1].split()[1].split("/")
    assert done == total


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_the_token_can_come_from_a_file_or_stdin_and_stays_out_of_the_output(
    source: str, tmp_path: Path
) -> None:
    seen: list[str] = []

    def respond(request: Request, peer: Peer) -> None:
        seen.append(request.headers.get("authorization", ""))
        peer.send(hostile.error(400, 5006, f"you sent {seen[-1]}"))

    (tmp_path / "token").write_text(TOKEN + "\n")
    out = tmp_path / "out"
    with Hostile(respond) as server:
        args = ["run", "--endpoint", server.url, "--report-dir", str(out), "--max-requests", "3"]
        args += ["--token-file", str(tmp_path / "token") if source == "file" else "-"]
        result = cli(
            *args,
            input=TOKEN if source == "stdin" else None,
            env={k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")},
        )
    assert f"Bearer {TOKEN}" in seen
    assert leaks(every_text(out, result), TOKEN) == []


def test_a_short_token_is_warned_about_and_does_not_mangle_words(tmp_path: Path) -> None:
    def respond(request: Request, peer: Peer) -> None:
        said = "The T answers: T is not valid"
        peer.send(hostile.ok() if request.number == 0 else hostile.error(400, 5006, said))

    out = tmp_path / "out"
    with Hostile(respond) as server:
        result = wai(
            *["run", "--endpoint", server.url, "--report-dir", str(out), "--max-requests", "4"],
            token="T",
        )
    assert "warning: the token is shorter than 8 characters" in result.stderr
    text = every_text(out, result)
    assert "The [REDACTED] answers: [REDACTED] is not valid" in text
    assert "[REDACTED]he" not in text and "</details>" in text


TERMINAL_TRICKS = [
    "\x1b]52;c;ZWNobyBwd25lZA==\x07",  # write to the clipboard
    "\x1b]0;owned\x07",  # the window's title
    "\r\x1b[32mPASSED\x1b[0m",  # a fake green verdict over the line
    "\x00\x9b31m\u202eevil\u2066",  # NUL, a C1 escape, marks that reorder text
]
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def test_terminal_escapes_from_a_server_reach_no_output(tmp_path: Path) -> None:
    def respond(request: Request, peer: Peer) -> None:
        trick = TERMINAL_TRICKS[request.number % len(TERMINAL_TRICKS)].encode()
        raw = hostile.response(500, b"boom " + trick, {"Content-Type": "text/plain"})
        peer.send(hostile.ok() if request.number == 0 else raw)

    out = tmp_path / "out"
    with Hostile(respond) as server:
        result = run_against(server.url, out, "--max-requests", "12")
    assert result.returncode == 1, result.stderr
    shown = [result.stdout, result.stderr, (out / "summary.md").read_text("utf-8")]
    assert [RAW.findall(text) for text in shown] == [[], [], []]
    assert "\\x1b[32mPASSED" in result.stdout  # shown as text, never obeyed
    assert any(line.startswith("FAILED: ") for line in result.stdout.splitlines())


@pytest.mark.parametrize(
    "said", [b"GARBAGE NOT HTTP\r\n\r\n", b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n"]
)
def test_a_target_that_does_not_speak_http_fails_with_a_report(tmp_path: Path, said: bytes) -> None:
    """It was reached, so it is judged: exit 1, the protocol error named in the report;
    exit 2 is for a target that cannot be reached, and leaves no folder behind."""

    def respond(request: Request, peer: Peer) -> None:
        peer.send(said)

    with Hostile(respond) as server:
        done = run_against(server.url, tmp_path / "out")
    assert done.returncode == 1, done.stderr
    transport = {c["id"]: c for c in report_of(tmp_path / "out")["checks"]}["transport"]
    assert transport["status"] == "failed" and "not HTTP" in transport["failures"][0]["problem"]
    unreachable = "http://127.0.0.1:9/client/v4/accounts/a/ai/run/@cf/mistral/m"
    refused = cli("run", "--endpoint", unreachable, "--token", TOKEN, cwd=tmp_path)
    assert refused.returncode == 2 and refused.stderr.startswith("error: cannot reach")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "no reports/ left"
