"""Peak memory of ``wai-contract run`` against servers that send the most the runner reads.

Each line runs the CLI in a child process (the default concurrency, a full plan of probes)
against one loopback server and prints its peak RSS beside two figures measured in the same
run: the floor (the same run against a server with small answers) and the bound that
docs/run.md ("Memory") promises. Usage: ``python bench/memory.py [--max-examples 0]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import hostile
from tests.acceptance.hostile_runs import peak_mb, report_of, run_against
from tests.hostile import Hostile, Peer, Request

BOUND_MB = 300
"""docs/run.md: under 300 MB at the default concurrency, whatever the server sends."""

_STRINGS = b",".join([b'"abcdefghijklmnopqrstuvwxyz0123"'] * 200_000)
_NUMBERS = b",".join([b"7"] * 240_000)


def _always(data: bytes) -> Callable[[Request, Peer], None]:
    def respond(request: Request, peer: Peer) -> None:
        peer.send(data)

    return respond


def _stream_at_the_caps(request: Request, peer: Peer) -> None:
    event = b'{"response":"' + b"w" * 300 + b'","p":"x"}'
    peer.send(hostile.stream([event] * 19_000))


SERVERS: dict[str, Callable[[Request, Peer], None]] = {
    "floor: small answers": _always(hostile.ok()),
    "200,000 strings (6.6 MB), 3,000 fields": _always(hostile.ok_with_values(_STRINGS, 3000)),
    "240,000 numbers, 10,000 fields": _always(hostile.ok_with_values(_NUMBERS, 10_000)),
    "gzip bomb (64 MB inflated)": _always(
        hostile.response(200, hostile.gzip_bomb(), {"Content-Encoding": "gzip"})
    ),
    "19,000 events of 300 characters": _stream_at_the_caps,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", default="0", help="generated bodies per run")
    args = parser.parse_args()
    floor = None
    print(f"{'server':42} {'requests':>8} {'peak MB':>8} {'x floor':>8} {'of bound':>8}")
    for name, respond in SERVERS.items():
        with tempfile.TemporaryDirectory() as folder, Hostile(respond) as server:
            out = Path(folder) / "out"
            result = run_against(server.url, out, "--max-examples", args.max_examples)
            requests = report_of(out)["requests"] if (out / "report.json").exists() else 0
        peak = peak_mb(result)
        floor = floor or peak
        print(f"{name:42} {requests:8} {peak:8.0f} {peak / floor:8.2f} {peak / BOUND_MB:8.0%}")


if __name__ == "__main__":
    main()
