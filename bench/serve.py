"""Load check of the reference server: many concurrent clients, mixed traffic.

Starts ``wai-contract serve`` in its own process on a free port, then runs N concurrent
keep-alive clients (plain asyncio HTTP/1.1) for D seconds, half of them streaming, and
prints requests/s, p50/p99 latency (to the full answer, streams read to ``[DONE]``) and every error.
Usage: ``python bench/serve.py [--clients 200] [--seconds 10]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from urllib.parse import urlsplit

TOKEN = "bench-token"


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    headers = head.lower()
    if b"transfer-encoding: chunked" in headers:
        body = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, bytes(body)
            body += chunk[:-2]
    length = int(headers.split(b"content-length:")[1].split(b"\r\n")[0])
    return status, await reader.readexactly(length)


async def client(
    number: int,
    host: str,
    port: int,
    path: str,
    until: float,
    latencies: list[float],
    errors: Counter[str],
) -> None:
    """One keep-alive connection speaking plain HTTP/1.1: a load generator must cost far
    less CPU than the server it measures, which a full-featured client does not."""
    stream = number % 2 == 1
    body = json.dumps(
        {
            "messages": [{"role": "user", "content": f"question {number}"}],
            "max_tokens": 64,
            "stream": stream,
        }
    ).encode()
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < until:
            started = time.monotonic()
            writer.write(request)
            try:
                status, answer = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError) as exc:
                errors[type(exc).__name__] += 1
                return
            done = (
                answer.rstrip().endswith(b"data: [DONE]") if stream else b'"success":true' in answer
            )
            if status != 200 or not done:
                errors[f"status {status}"] += 1
            latencies.append(time.monotonic() - started)
    finally:
        writer.close()


async def load(url: str, clients: int, seconds: float) -> tuple[list[float], Counter[str]]:
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    parsed = urlsplit(url)
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(
            client(
                i,
                parsed.hostname or "127.0.0.1",
                parsed.port or 80,
                parsed.path,
                until,
                latencies,
                errors,
            )
            for i in range(clients)
        )
    )
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-m", "wai_contract", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "CLOUDFLARE_API_TOKEN": TOKEN},
    )
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip().removeprefix("listening on ")
        url = f"{base}/client/v4/accounts/bench/ai/run/@cf/mistral/mistral-7b-instruct-v0.2-lora"
        started = time.monotonic()
        latencies, errors = asyncio.run(load(url, args.clients, args.seconds))
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=15)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    print(f"{args.clients} concurrent clients for {args.seconds:.0f} s, half streaming")
    print(f"requests ok   : {len(latencies):,}  ({len(latencies) / elapsed:,.0f} req/s)")
    print(f"latency p50   : {statistics.median(latencies) * 1000:8.1f} ms")
    print(f"latency p99   : {p99 * 1000:8.1f} ms")
    print(f"errors        : {sum(errors.values())} {dict(errors) if errors else ''}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
