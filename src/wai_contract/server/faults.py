"""Documented misbehaviours the reference server can inject (``serve --fault NAME``).

Off by default. They let client developers test their error handling offline, and let the
runner's own tests prove that it catches each kind of deviation.
"""

from __future__ import annotations

FAULTS: dict[str, str] = {
    "no-done": "streams end without the final `data: [DONE]` event",
    "split-utf8": "streamed answers contain `é` and its two UTF-8 bytes arrive in separate "
    "network chunks",
    "crlf": "SSE events are framed with CRLF line endings (legal, but unusual)",
    "flaky-500": "every 5th request fails with 500 and an error envelope",
    "rate-limit": "every 4th request gets 429 with `Retry-After: 1`",
    "slow-first-byte": "every answer waits 2 s before its first byte",
}
"""Every fault by name, with what it does."""

SLOW_FIRST_BYTE_SECONDS = 2.0
FLAKY_EVERY = 5
RATE_LIMIT_EVERY = 4
