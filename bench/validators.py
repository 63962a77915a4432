"""Benchmark: the validator backends on the same bodies, verdicts and full error lists.

Prints bodies per second of every backend in ``wai_contract.validators.BACKENDS`` and
their ratio to the reference ``py`` backend. This is the measurement behind the choice
of jsonschema-rs for the hot path (docs/performance.md, "Why these libraries").
Usage: ``python bench/validators.py [--bodies 5000]``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lint import invalid_body, valid_body
from wai_contract.validators import BACKENDS, compile_validator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=5000)
    args = parser.parse_args()
    rng = random.Random(11)
    bodies = [
        valid_body(rng, False) if i % 2 else invalid_body(rng, False) for i in range(args.bodies)
    ]
    bodies = [b for b in bodies if isinstance(b, dict)]
    rates: dict[tuple[str, str], float] = {}
    for name in BACKENDS:
        validator = compile_validator("input", backend=name)
        started = time.perf_counter()
        for body in bodies:
            validator.is_valid(body)
        rates[name, "is_valid"] = len(bodies) / (time.perf_counter() - started)
        started = time.perf_counter()
        for body in bodies:
            list(validator.iter_errors(body))
        rates[name, "iter_errors"] = len(bodies) / (time.perf_counter() - started)
    print(f"{len(bodies):,} bodies, half invalid")
    for (name, op), rate in rates.items():
        ratio = rate / rates["py", op]
        print(f"{name:3s} {op:12s} {rate:12,.0f} bodies/s  {ratio:7.1f}x py")


if __name__ == "__main__":
    main()
