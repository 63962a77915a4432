"""Benchmark: placing every finding of a body with thousands (the text formats' line:column).

Builds one pretty-printed chat whose messages all lack ``content`` and times, in this one
run, ``wai_contract.lint(text)`` (every finding located in one walk of the text) against
the former way: each finding's pointer located from the top of the text on its own
(``jsontext.locate`` + ``line_column``, per finding), and prints their ratio.
Usage: ``python bench/locate.py [--messages 2000]``.
"""

from __future__ import annotations

import argparse
import json
import time

from wai_contract import lint
from wai_contract.lint.jsontext import line_column, locate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    text = json.dumps({"messages": [{"role": "user"}] * args.messages}, indent=2)

    started = time.perf_counter()
    result = lint(text)
    ours = time.perf_counter() - started

    paths = [("messages", i, "content") for i in range(args.messages)]
    started = time.perf_counter()
    former = [line_column(text, locate(text, path)) for path in paths]
    baseline = time.perf_counter() - started

    assert [(f.line, f.column) for f in result.errors] == former  # the same places
    print(f"body: {args.messages:,} messages without content, {len(text) / 1e3:.0f} kB")
    print(f"lint(text), all findings placed  : {ours:7.3f} s")
    print(f"locate + line_column per finding : {baseline:7.3f} s (placing only)")
    print(f"ratio                            : {baseline / ours:7.0f}x")


if __name__ == "__main__":
    main()
