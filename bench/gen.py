"""Benchmark: ``wai-contract gen`` against ``hypothesis_jsonschema.from_schema``.

Measures, in one run, bodies per second of our generator (``generate()``, serialised to
JSONL as ``gen`` writes it) and of hypothesis-jsonschema drawing examples of the same
input schema inside a Hypothesis ``@given`` loop, prints their ratio, and how much of the
boundary checklist each covered.
Usage: ``python bench/gen.py [--ours 5000] [--theirs 300]``.
"""

from __future__ import annotations

import argparse
import io
import time
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema

from wai_contract import load_schema
from wai_contract.generate import checklist_ids, generate

LIMIT = 131072


def ours(count: int) -> tuple[float, int]:
    out = io.BytesIO()
    started = time.perf_counter()
    for number, body in enumerate(generate(count, seed=1), 1):
        out.write(orjson.dumps(body.record(f"b-{number:06d}")) + b"\n")
    elapsed = time.perf_counter() - started
    at_limit = out.getvalue().count(b'"at-max-length"')
    return count / elapsed, at_limit


def theirs(count: int) -> tuple[float, int, float]:
    drawn: list[Any] = []
    schema = load_schema("input")

    @settings(
        max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(from_schema(schema))
    def collect(body: Any) -> None:
        drawn.append(body)

    started = time.perf_counter()
    collect()
    elapsed = time.perf_counter() - started
    near_limit = sum(
        1 for b in drawn if isinstance(b, dict) and len(str(b.get("prompt", ""))) > LIMIT - 10
    )
    with_tools = sum(1 for b in drawn if isinstance(b, dict) and b.get("tools"))
    return len(drawn) / elapsed, near_limit, with_tools / max(len(drawn), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", type=int, default=5000)
    parser.add_argument("--theirs", type=int, default=300)
    args = parser.parse_args()
    rate, at_limit = ours(args.ours)
    their_rate, near, tools_share = theirs(args.theirs)
    items = len(checklist_ids())
    print(
        f"wai-contract generate : {rate:10,.0f} bodies/s  ({args.ours:,} bodies; "
        f"checklist of {items} items fully walked in the first {items}; "
        f"{at_limit} bodies at a 131072 limit)"
    )
    print(
        f"hypothesis-jsonschema : {their_rate:10,.0f} bodies/s  ({args.theirs:,} bodies; "
        f"{near} prompts near 131072; tools in {tools_share:.0%})"
    )
    print(f"ratio                 : {rate / their_rate:10.1f}x  (target >= 30x)")


if __name__ == "__main__":
    main()
