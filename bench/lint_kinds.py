"""Benchmark: lint's cost per kind of body, against the plain loop, and the Python API's.

Every kind of body the boundary checklist produces (valid ones; invalid ones by the kind of
violation: a bound, a type, a missing key, both branches, a tool fitting every variant, ...)
becomes a JSONL file of that kind alone (the checklist's bodies of the kind, repeated), and
the bench's mixed corpus (``bench/lint.py``) one more. For each, in this one run:

* ``cli``: ``wai-contract lint --format json -j 1 FILE``, per body: the difference between
  a file of N bodies and one of 4N, so that start-up cancels out;
* ``api``: ``wai_contract.lint(line)`` in this process, per body, as called by default
  (with line and column for every finding), and ``api-nopos`` with ``positions=False``
  (what ``--format json`` does);
* ``loop``: ``json.loads`` + ``Draft202012Validator.iter_errors``, per body;
* ``parse``: ``orjson.loads`` alone, per body: ``loop / parse`` is the most any checker
  that parses the text with orjson can reach (the long kinds are bound by it);
* ``e2e``: ``wai-contract lint --format json FILE`` as a user runs it (every core, start-up
  included) on a file of ``--e2e-bodies`` bodies of the kind (a tenth of that for the long
  kinds), per body;

and prints loop / cli (one core each), loop / e2e (the issue's measure: the tool as run
against the plain loop), api / cli, and each kind's cli cost against a valid body's.
Usage: ``python bench/lint_kinds.py [--bodies 2000] [--e2e-bodies 20000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import orjson

from lint import build_corpus, command, time_cli, time_loop
from wai_contract.generate import generate
from wai_contract.lint import lint

LONG = 100_000
"""Bodies of this many bytes or more form kinds of their own (``... long``)."""


def kinds() -> dict[str, list[bytes]]:
    """The checklist's bodies, by kind: ``valid``, ``valid long``, or the violation."""
    found: dict[str, list[bytes]] = defaultdict(list)
    for body in generate(471, seed=0):
        line = json.dumps(body.payload, ensure_ascii=False).encode()
        kind = "valid" if body.valid else body.tags[-1]
        if kind.startswith(("type-", "not-object-")):
            kind = kind.split("-")[0] + "-" + "-".join(kind.split("-")[1:2])
        found[kind + (" long" if len(line) >= LONG else "")].append(line)
    return dict(sorted(found.items()))


def _write(path: Path, lines: list[bytes], count: int) -> int:
    with path.open("wb") as out:
        for i in range(count):
            out.write(lines[i % len(lines)] + b"\n")
    return count


def _cli(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [*command(), "lint", "--format", "json", "-j", "1", str(path)],
        stdout=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - started


def _api(lines: list[bytes], positions: bool = True) -> float:
    started = time.perf_counter()
    for line in lines:
        lint(line, positions=positions)
    return time.perf_counter() - started


def _parse(lines: list[bytes]) -> float:
    started = time.perf_counter()
    for line in lines:
        try:  # noqa: SIM105 - suppress() would cost more than the parse of a short body
            orjson.loads(line)
        except orjson.JSONDecodeError:
            pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bodies", type=int, default=3000, help="bodies a kind (long: 1/10)")
    parser.add_argument("--e2e-bodies", type=int, default=20000, help="bodies a kind (long: 1/10)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        mixed = work / "mixed.jsonl"
        build_corpus(mixed, args.bodies * 2)
        groups = {**kinds(), "mixed (bench/lint.py)": mixed.read_bytes().splitlines()}
        lint(b'{"prompt": "hi"}')
        _cli(mixed)  # bytecode and caches, as an installed tool has them
        print("per body, in microseconds:")
        print(f"{'kind':22} {'bodies':>6} {'cli':>7} {'api':>7} {'api-nopos':>9} {'loop':>7} "
              f"{'e2e':>6} {'loop/cli':>8} {'loop/e2e':>8} {'loop/parse':>10} {'api/cli':>7} "
              f"{'nopos/cli':>9} {'/valid':>6}")  # fmt: skip
        valid_cost = None
        for name, lines in groups.items():
            tenth = 10 if name.endswith("long") else 1
            count = max(1, args.bodies // tenth)
            small, large = work / "small.jsonl", work / "large.jsonl"
            _write(small, lines, count)
            _write(large, lines, 4 * count)
            sample = small.read_bytes().splitlines()
            spans = [_cli(large) - _cli(small) for _ in range(args.repeat)]
            cli = max(statistics.median(spans), 1e-6) / (3 * count)
            api = min(_api(sample) for _ in range(args.repeat)) / count
            nopos = min(_api(sample, positions=False) for _ in range(args.repeat)) / count
            loop = min(time_loop(sample) for _ in range(args.repeat)) / count
            parse = min(_parse(sample) for _ in range(args.repeat)) / count
            whole = work / "whole.jsonl"
            e2e_count = _write(whole, lines, max(1, args.e2e_bodies // tenth))
            e2e = statistics.median(time_cli(whole) for _ in range(args.repeat)) / e2e_count
            valid_cost = valid_cost or (cli if name == "valid" else None)
            relative = f"{cli / valid_cost:6.1f}" if valid_cost else "     -"
            print(
                f"{name:22} {count:6} {cli * 1e6:7.1f} {api * 1e6:7.1f} {nopos * 1e6:9.1f} "
                f"{loop * 1e6:7.1f} {e2e * 1e6:6.1f} {loop / cli:7.1f}x {loop / e2e:7.1f}x "
                f"{loop / parse:9.1f}x {api / cli:6.2f}x {nopos / cli:8.2f}x "
                f"{relative}",
                flush=True,
            )


if __name__ == "__main__":
    main()
