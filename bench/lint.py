"""Benchmark: ``wai-contract lint --format json`` end to end vs a plain jsonschema loop.

Builds a mixed corpus (half invalid, some 131072-character strings), writes it as JSONL,
then times, in this one run:

* ``wai-contract lint --format json CORPUS`` as a subprocess, start-up included (the
  console script installed beside this interpreter);
* a plain loop over the same file: ``json.loads`` + ``Draft202012Validator.iter_errors``;

and prints both throughputs and their ratio, plus the start-up time of ``--help``.
The two are timed in turns (CLI, loop, CLI, loop, ...) so that both see the same machine
load, and the medians are compared. One untimed CLI run comes first, with bytecode
writing allowed, so that the timed runs start as an installed tool does: from compiled
bytecode, even where ``PYTHONDONTWRITEBYTECODE`` is set.
Usage: ``python bench/lint.py [--bodies 20000] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema

from wai_contract import load_schema

SMILE = "\U0001f600"


def _tool(rng: random.Random, variant: int) -> dict[str, Any]:
    spec = {
        "name": f"tool_{rng.randrange(100)}",
        "description": "does things",
        "parameters": {
            "type": "object",
            "required": ["q"],
            "properties": {"q": {"type": "string", "description": "query"}},
        },
    }
    return spec if variant == 0 else {"type": "function", "function": spec}


WORDS = ("the", "model", "answer", "pizza", "why", "é", "数据", "tokens", "stream", "seed")


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def valid_body(rng: random.Random, big: bool) -> dict[str, Any]:
    """A realistic body: a prompt, or a chat of 1..8 turns, sometimes with tools."""
    text = (SMILE if rng.random() < 0.5 else "a") * 131072 if big else _text(rng, 3, 200)
    if rng.random() < 0.4:
        body: dict[str, Any] = {"prompt": text}
    else:
        turns = [{"role": "system", "content": _text(rng, 5, 60)}]
        for turn in range(rng.randint(0, 6)):
            turns.append({"role": ("user", "assistant")[turn % 2], "content": _text(rng, 1, 80)})
        body = {"messages": [*turns, {"role": "user", "content": text}]}
        if rng.random() < 0.3:
            body["tools"] = [_tool(rng, rng.randrange(2)) for _ in range(rng.randrange(1, 4))]
    for key, low, high in (("temperature", 0, 5), ("top_p", 0, 2), ("repetition_penalty", 0, 2)):
        if rng.random() < 0.4:
            body[key] = round(rng.uniform(low, high), 3)
    if rng.random() < 0.4:
        body["top_k"] = rng.randint(1, 50)
    if rng.random() < 0.4:
        body["seed"] = rng.randint(1, 9999999999)
    if rng.random() < 0.3:
        body["max_tokens"] = rng.randint(1, 1024)
    if rng.random() < 0.2:
        body["stream"] = True
    return body


def invalid_body(rng: random.Random, big: bool) -> dict[str, Any] | str:
    body = valid_body(rng, big=False)
    kind = rng.randrange(8)
    if kind == 0:
        body["top_k"] = 51
    elif kind == 1:
        body["temperature"] = "0.5"
    elif kind == 2:
        body["seed"] = 0
    elif kind == 3:
        body = {"prompt": "x" * (131073 if big else 0)}
    elif kind == 4:
        body = {"messages": [{"role": "user"}], "max_tokens": 10}
    elif kind == 5:
        body = {"prompt": "hi", "messages": [{"role": "user", "content": "hi"}]}
    elif kind == 6:
        body = {
            "messages": [{"role": "user", "content": "hi"}],
            "tools": [{"type": "function", "function": {"name": "f"}}],
        }
    else:
        return '{"prompt": "hi", "temperature": NaN}'
    return body


def build_corpus(path: Path, count: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            big = i % 100 in (0, 1)
            body = valid_body(rng, big) if i % 2 else invalid_body(rng, big)
            out.write(
                (body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)) + "\n"
            )
    return path.stat().st_size


def command() -> list[str]:
    """``wai-contract`` as a user runs it: the console script beside this interpreter
    (``python -m wai_contract`` where there is none, which costs about 2 ms more)."""
    script = Path(sys.executable).with_name("wai-contract")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "wai_contract"]


def time_cli(path: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(
        [*command(), "lint", "--format", "json", str(path)],
        stdout=subprocess.DEVNULL,
        check=False,
        env=env,
    )
    return time.perf_counter() - started


def warm_up(path: Path) -> None:
    """One untimed run that may write the package's bytecode, as a first use would."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    time_cli(path, env)


def time_baseline(path: Path) -> float:
    with path.open("rb") as handle:
        return time_loop(handle)


def time_loop(lines: Iterable[bytes]) -> float:
    """The plain loop over *lines*: ``json.loads`` + ``Draft202012Validator.iter_errors``."""
    started = time.perf_counter()
    validator = jsonschema.Draft202012Validator(load_schema("input"))
    for line in lines:
        try:
            body = json.loads(line)
        except ValueError:
            continue
        list(validator.iter_errors(body))
    return time.perf_counter() - started


def time_help() -> float:
    started = time.perf_counter()
    subprocess.run([*command(), "--help"], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        size = build_corpus(corpus, args.bodies)
        print(
            f"corpus: {args.bodies:,} bodies (half invalid, 2% with 131072-character "
            f"strings), {size / 1e6:.1f} MB"
        )
        warm_up(corpus)
        clis, bases = [], []
        for _ in range(args.repeat):
            clis.append(time_cli(corpus))
            bases.append(time_baseline(corpus))
        cli, base = statistics.median(clis), statistics.median(bases)
        startup = statistics.median(time_help() for _ in range(args.repeat))
    print(
        f"wai-contract lint --format json : {cli:7.3f} s  {args.bodies / cli:10,.0f} bodies/s "
        "(end to end, start-up included)"
    )
    print(f"json.loads + jsonschema loop    : {base:7.3f} s  {args.bodies / base:10,.0f} bodies/s")
    print(f"ratio                           : {base / cli:7.1f}x  (target >= 10x)")
    print(f"wai-contract --help start-up    : {startup:7.3f} s  (target < 0.5 s)")


if __name__ == "__main__":
    main()
