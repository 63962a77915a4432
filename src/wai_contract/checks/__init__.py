"""The conformance checks: stable ids, what each checks, and the judges behind them.

A judge looks at one :class:`~wai_contract.checks.base.Outcome` (what came back for one
request) and returns the :class:`~wai_contract.checks.base.Problem` s it sees; no problem
means the case passed. One module per family: ``envelope`` (accepts valid, rejects
invalid, examples), ``streaming``, ``semantics`` (max_tokens, usage, seed, tool calls),
``auth``; transport failures and server errors are classified in ``base``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """A check: its stable id, a title, and a one-line description."""

    id: str
    title: str
    description: str


CHECKS: dict[str, Check] = {
    c.id: c
    for c in (
        Check(
            "accepts-valid",
            "Accepts valid input",
            "Every valid body (including every at-the-limit body) gets 200, application/json, "
            "a success envelope and a result that matches the output schema.",
        ),
        Check(
            "rejects-invalid",
            "Rejects invalid input",
            "Every invalid body (one violation each, including just past every limit) gets a "
            "4xx with a JSON error envelope: success false, errors with integer code and "
            "string message.",
        ),
        Check(
            "streaming",
            "Streams Server-Sent Events",
            "stream: true gets text/event-stream; every event is data: + a valid stream event; "
            "the stream ends with data: [DONE] and nothing after; at a fixed seed the joined "
            "pieces equal the non-streamed answer.",
        ),
        Check(
            "max-tokens",
            "Honours max_tokens",
            "Completion tokens never exceed max_tokens (256 when absent).",
        ),
        Check(
            "usage-totals",
            "Usage adds up",
            "usage.total_tokens equals prompt_tokens + completion_tokens.",
        ),
        Check(
            "seed-determinism",
            "Same seed, same answer",
            "The same body with the same seed twice gets the same answer.",
        ),
        Check(
            "tool-calls",
            "Tool calls are well-formed",
            "tool_calls name only tools that were offered, with arguments a JSON object that "
            "satisfies the offered tool's parameters schema.",
        ),
        Check(
            "auth",
            "Requires a valid token",
            "No token and a wrong token each get 401 with an error envelope.",
        ),
        Check("no-server-errors", "No server errors", "No request, valid or not, gets a 5xx."),
        Check(
            "transport",
            "Answers completely and in time",
            "No request times out, has its connection reset, or gets a truncated or "
            "unreadable body.",
        ),
        Check(
            "examples",
            "Contract examples",
            "The contract's explicit example cases get their expected status and result.",
        ),
    )
}
"""Every check by id, in report order."""
