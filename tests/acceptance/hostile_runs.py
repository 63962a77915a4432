"""Running the CLI against a hostile server, and reading what it wrote: the helpers of the
hostile-peer tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.forked_cli import cli
from tests.leaks import leaked

TOKEN = "tok9F3kQ7zLm2Wx8Rb4Tn6Yc1Hv5Jd0Pq"
PEAK_RSS = (
    "import atexit, sys\n"
    "def peak():\n"
    "    hwm = next(x for x in open('/proc/self/status') if x.startswith('VmHWM:'))\n"
    "    print('peak-rss-kb', hwm.split()[1], file=sys.stderr)\n"
    "atexit.register(peak)\n"
    "from wai_contract.cli import main\n"
    "main()"
)
"""The CLI, printing its peak resident memory on exit (VmHWM: getrusage's ru_maxrss
would carry the parent's peak across fork and exec)."""


def wai(
    *args: str,
    timeout: float = 60,
    token: str | None = TOKEN,
    cwd: Path | None = None,
    fresh: bool = False,
) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process; a *fresh* one (a new interpreter, not a fork of a warm
    one) reports its peak memory on exit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    if token:
        env["CLOUDFLARE_API_TOKEN"] = token
    if not fresh:
        return cli(*args, timeout=timeout, env=env, cwd=cwd)
    return subprocess.run(
        [sys.executable, "-c", PEAK_RSS, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
    )


def peak_mb(result: subprocess.CompletedProcess[str]) -> float:
    line = next(x for x in result.stderr.splitlines() if x.startswith("peak-rss-kb"))
    return int(line.split()[1]) / 1024


def run_against(url: str, out: Path, *extra: str, timeout: float = 60, fresh: bool = False) -> Any:
    args = [
        "run",
        "--endpoint",
        url,
        "--report-dir",
        str(out),
        "--max-examples",
        "0",
        "--timeout",
        "5",
    ]
    return wai(*args, "--no-shrink", *extra, timeout=timeout, fresh=fresh)


def report_of(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "report.json").read_text())
    return data


def every_text(out: Path, result: subprocess.CompletedProcess[str]) -> str:
    files = [p.read_text("utf-8", "replace") for p in sorted(out.rglob("*")) if p.is_file()]
    return "\n".join([*files, result.stdout, result.stderr])


def leaks(text: str, secret: str) -> list[str]:
    """Every run of 8 characters of *secret* a reader could recover from *text* (see
    ``tests/leaks.py``)."""
    return leaked(text, secret)
