"""No command fails on its console's encoding: a Windows runner's cp1252, or ASCII. Our
symbols fall back to ASCII of the same width; anything else is written as an escape. (click
takes an ASCII console for a misconfigured one and writes UTF-8 there: what it writes is
read as UTF-8 below.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.forked_cli import cli

BODIES = (
    '{"prompt": "hi \U0001f600", "temprature": 1, "x\U0001f600": 2}\n'  # two emoji warnings
    '{"prompt": "", "top_k": 99}\n'  # and an error: lint exits 1
)


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_run_and_lint_end_with_their_verdicts_on_any_console(encoding: str, tmp_path: Path) -> None:
    (tmp_path / "bodies.jsonl").write_text(BODIES, encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    quick = ("--max-examples", "10", "--report-dir")
    for args, code in (
        (("run", "--local", *quick, "ok"), 0),
        (("run", "--local", "--local-fault", "no-done", *quick, "no-done"), 1),
        (("lint", "bodies.jsonl"), 1),
    ):
        done = cli(*args, cwd=tmp_path, env=env, text=False)
        said = "utf-8" if encoding == "ascii" else encoding
        out, err = done.stdout.decode(said), done.stderr.decode(said)
        assert done.returncode == code, (args, err[-2000:])
        assert "Traceback" not in out + err and "Error" not in err, err[-2000:]
        if args[0] == "run" and encoding == "cp1252":
            assert ("+ pass" in out) and (("x FAIL" in out) is (code == 1)), out
        elif args[0] == "lint":
            assert "x\\U0001f600" in out and "[error" in out, out


def test_a_real_interpreter_with_an_ascii_console_lints_emoji(tmp_path: Path) -> None:
    """The same, started as a user starts it (the interpreter sets the streams up)."""
    (tmp_path / "bodies.jsonl").write_text(BODIES, encoding="utf-8")
    command = [sys.executable, "-m", "wai_contract", "lint", "bodies.jsonl"]
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, timeout=60)
    assert done.returncode == 1 and done.stderr == b"", done.stderr[-2000:]
    assert b"/x\\U0001f600: " in done.stdout
