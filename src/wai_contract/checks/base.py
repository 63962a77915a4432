"""What came back for one request, and the problems shared by every check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..report.model import Exchange


@dataclass(frozen=True)
class Problem:
    """Why a case failed: a stable short ``code`` and a sentence."""

    code: str
    message: str


TRANSPORT_CODES = frozenset({"timeout", "connection", "truncated", "too-large"})
"""Problem codes that are failures of the transport rather than of the answer."""


@dataclass
class Outcome:
    """One request's result: the exchange, and the body parsed as JSON or as SSE."""

    exchange: Exchange
    content_type: str = ""
    json: Any = None
    json_error: str | None = None
    events: list[str] | None = None
    stream_error: str | None = None
    stream_leftover: str = ""

    @property
    def status(self) -> int | None:
        return self.exchange.status


def transport_problem(outcome: Outcome) -> Problem | None:
    """A timeout, reset connection, or truncated or oversized body."""
    error = outcome.exchange.error
    if error is None:
        return None
    code = error.split(":", 1)[0]
    return Problem(code if code in TRANSPORT_CODES else "connection", error)


def server_error(outcome: Outcome) -> Problem | None:
    """A 5xx status, wherever it happens."""
    status = outcome.status
    if status is not None and status >= 500:
        return Problem("server-error", f"server error {status}: {_head(outcome)}")
    return None


def _head(outcome: Outcome, limit: int = 160) -> str:
    text = " ".join(outcome.exchange.response_head.split())
    return text[:limit] + ("…" if len(text) > limit else "") if text else "(empty body)"


def describe_status(outcome: Outcome) -> str:
    """``400 {"errors": ...}``-style summary of a response for problem messages."""
    return f"{outcome.status} {_head(outcome, 120)}"


@dataclass
class Verdict:
    """The problems a judge found; empty means the case passed."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, code: str, message: str) -> None:
        self.problems.append(Problem(code, message))
