"""Which answers are transient and which are fatal (the run's policy on them lives in
``engine``).

From ../shared/real-api.md ("Errors"): 429 with 3021 (rate limit) or 3040 (out of
capacity), 408 with 3007/3008, and 502, 503, 504 are transient: a busy target, not a wrong
one, so a run may retry them and, if they last, the case is *inconclusive*. 3036 and 4006 (the
daily free allocation is used up), 5028 (the model is deprecated) and 5035 (the model needs
a paid plan) will not pass by waiting: the run stops.
"""

from __future__ import annotations

from typing import Any

TRANSIENT_STATUSES = frozenset({408, 429, 502, 503, 504})
FATAL_CODES = {
    3036: "the daily free allocation is used up",
    4006: "the daily free allocation is used up",
    5028: "the model is deprecated",
    5035: "the model needs a paid plan",
}


def error_codes(envelope: Any) -> list[Any]:
    """The ``code`` of every error in a v4 error envelope (none for anything else)."""
    errors = envelope.get("errors") if isinstance(envelope, dict) else None
    if not isinstance(errors, list):
        return []
    return [e.get("code") for e in errors if isinstance(e, dict)]


def fatal_code(status: int | None, envelope: Any) -> int | None:
    """The error code that means the target stopped serving this model, if any."""
    if status is None or status < 400:
        return None
    return next((int(c) for c in error_codes(envelope) if _code_in(c, FATAL_CODES)), None)


def is_transient(status: int | None, envelope: Any) -> bool:
    """A busy target's answer, worth another try."""
    return status in TRANSIENT_STATUSES and fatal_code(status, envelope) is None


def _code_in(code: Any, table: dict[int, str]) -> bool:
    return isinstance(code, int | float) and not isinstance(code, bool) and code in table
