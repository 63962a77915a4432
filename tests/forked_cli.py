"""The command line in a process of its own, forked from a warm one.

``cli(*args)`` does what ``subprocess.run([python, "-m", "wai_contract", *args])`` does (a
fresh process: its own exit code, streams, working directory, environment and globals),
but the child is forked from a single-threaded helper that has already imported the
package, so a call costs the command's work, not half a second of imports. A test that
needs the interpreter's own start-up (a signal sent to a real child) runs it with
:mod:`subprocess` instead; ``PYTHONIOENCODING`` in the environment given is honoured as the
interpreter's start-up would (the child's standard streams are made anew).
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

_HELPER = r"""
import json, os, sys, traceback
import wai_contract.cli.run, wai_contract.conformance.engine, wai_contract.server
import hypothesis, jsonschema, uvicorn  # what most commands import anyway
from wai_contract.cli import main
requests, answers = os.fdopen(int(sys.argv[1]), "r"), os.fdopen(int(sys.argv[2]), "w")
for line in requests:
    call = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setpgid(0, 0)
            requests.close()
            answers.close()
            os.chdir(call["cwd"])
            os.environ.clear()
            os.environ.update(call["env"])
            for fd, (path, flags) in enumerate(call["files"]):
                os.dup2(os.open(path, flags, 0o600), fd)
            if "PYTHONIOENCODING" in call["env"]:  # as the interpreter's start-up reads it
                import io
                encoding, _, errors = call["env"]["PYTHONIOENCODING"].partition(":")
                sys.stdout, sys.stderr = (
                    io.TextIOWrapper(open(fd, "wb", closefd=False), encoding, errors or "strict",
                                     line_buffering=fd == 2)
                    for fd in (1, 2)
                )
            sys.argv = ["wai-contract", *call["args"]]
            try:
                main(call["args"])
                code = 0
            except SystemExit as exc:  # as the interpreter ends on it
                if exc.code is None or isinstance(exc.code, int):
                    code = exc.code or 0
                else:
                    print(exc.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    answers.write(f"{pid}\n")
    answers.flush()
    _, status = os.waitpid(pid, 0)
    answers.write(f"{os.waitstatus_to_exitcode(status)}\n")
    answers.flush()
"""

_lock = threading.Lock()
_helper: dict[str, Any] = {}


def _start() -> dict[str, Any]:
    if not _helper:
        requests_r, requests_w = os.pipe()
        answers_r, answers_w = os.pipe()
        process = subprocess.Popen(
            [sys.executable, "-c", _HELPER, str(requests_r), str(answers_w)],
            pass_fds=(requests_r, answers_w),
            stdin=subprocess.DEVNULL,
        )
        os.close(requests_r)
        os.close(answers_w)
        _helper.update(
            process=process, requests=os.fdopen(requests_w, "w"), answers=os.fdopen(answers_r)
        )
        atexit.register(_stop)
    return _helper


def _stop() -> None:
    _helper["requests"].close()
    _helper["process"].wait(timeout=10)


def cli(
    *args: str | bytes,
    input: str | bytes | None = None,
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    text: bool = True,
) -> subprocess.CompletedProcess[Any]:
    """``wai-contract ARGS`` in a forked child; the result as :func:`subprocess.run` gives
    it with ``capture_output=True`` (raising :class:`subprocess.TimeoutExpired` too)."""
    words = [a.decode("utf-8", "surrogateescape") if isinstance(a, bytes) else a for a in args]
    with tempfile.TemporaryDirectory() as scratch, _lock:
        paths = [os.path.join(scratch, name) for name in ("in", "out", "err")]
        data = input.encode() if isinstance(input, str) else input or b""
        Path(paths[0]).write_bytes(data)
        helper = _start()
        call = {
            "args": words,
            "cwd": str(cwd or os.getcwd()),
            "env": dict(os.environ if env is None else env),
            "files": [
                (paths[0], os.O_RDONLY),
                *((p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC) for p in paths[1:]),
            ],
        }
        helper["requests"].write(json.dumps(call) + "\n")
        helper["requests"].flush()
        pid = int(helper["answers"].readline())
        code = _wait(helper, pid, timeout, words)
        out, err = (Path(p).read_bytes() for p in paths[1:])
    if text:
        return subprocess.CompletedProcess(words, code, out.decode(), err.decode())
    return subprocess.CompletedProcess(words, code, out, err)


def _wait(helper: dict[str, Any], pid: int, timeout: float, words: list[str]) -> int:
    killed = threading.Event()
    timer = threading.Timer(timeout, _kill, (pid, killed))
    timer.start()
    try:
        code = int(helper["answers"].readline())
    finally:
        timer.cancel()
    if killed.is_set():
        raise subprocess.TimeoutExpired(words, timeout)
    return code


def _kill(pid: int, killed: threading.Event) -> None:
    killed.set()
    for kill in (os.killpg, os.kill):  # the child may not lead its group yet
        try:
            kill(pid, signal.SIGKILL)
            return
        except ProcessLookupError:
            pass
