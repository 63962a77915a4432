"""Benchmark: how long ``run`` takes to judge a server with each planted fault.

For every bug of ``tests/faulty_servers.py`` (an independent compatible server with one
realistic bug each) and every fault of the reference server (``serve --list-faults``), one
run with default settings (timeout 30 s, concurrency 4, 500 examples), in this process,
against a server on loopback; it prints the seconds to the report, the verdict, the checks
that failed or warned, the requests sent and the cases not sent (a kind that hangs).

It also times a healthy server's run twice over, with and without the spared kinds of
request (``conformance/engine/_kinds.py``), alternating, to show a healthy run is not slower.
Usage: ``python bench/faults.py [--only BUG ...] [--healthy-runs 3]``.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.faulty_servers import BUGS, TOKEN, faulty_app

from wai_contract import MODEL
from wai_contract.conformance import Report, Target, run
from wai_contract.conformance.engine import _kinds as kinds_module
from wai_contract.server import FAULTS, serve, serve_asgi


def _judge_bug(bug: str | None) -> tuple[float, Report]:
    with serve_asgi(faulty_app(bug), graceful=1) as base:
        started = time.perf_counter()
        report = run(Target(f"{base}/client/v4/accounts/a/ai/run/{MODEL}", TOKEN))
        return time.perf_counter() - started, report


def _judge_fault(fault: str) -> tuple[float, Report]:
    with serve(token="bench-token-0123", faults=[fault]) as server:
        target = Target(server.model_url, "bench-token-0123", server.openai_url)
        started = time.perf_counter()
        report = run(target)
        return time.perf_counter() - started, report


def _line(name: str, seconds: float, report: Report) -> str:
    flagged = [f"{c.id}({c.status})" for c in report.checks if c.status in ("failed", "warned")]
    spared = sum(len(ids) for ids in report.not_sent.values())
    verdict = "PASSED" if report.passed else "FAILED"
    return (
        f"{name:24} {seconds:6.1f} s  {verdict:6}  {report.requests:5} requests  "
        f"{spared:4} not sent  {', '.join(flagged) or '-'}"
    )


def _healthy(runs: int) -> None:
    always_send: Any = lambda self, index: kinds_module.Admission.SEND  # noqa: E731
    admit = kinds_module.KindGate.admit
    times: dict[str, list[float]] = {"with kinds": [], "without": []}
    for _ in range(runs):
        for label in times:
            kinds_module.KindGate.admit = admit if label == "with kinds" else always_send
            try:
                times[label].append(_judge_bug(None)[0])
            finally:
                kinds_module.KindGate.admit = admit
    with_kinds, without = (statistics.median(times[k]) for k in times)
    print(
        f"healthy server, median of {runs}: {with_kinds:.2f} s with kinds of request, "
        f"{without:.2f} s without ({with_kinds / without:.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", default=None, help="bugs or faults to judge")
    parser.add_argument("--healthy-runs", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.ERROR)  # the bugs' own tracebacks (uvicorn resets its levels)
    _healthy(args.healthy_runs)
    for bug in sorted(BUGS):
        if args.only is None or bug in args.only:
            print(_line(bug, *_judge_bug(bug)), flush=True)
    for fault in sorted(FAULTS):
        if args.only is None or fault in args.only:
            print(_line(f"--local-fault {fault}", *_judge_fault(fault)), flush=True)


if __name__ == "__main__":
    main()
