"""``usage`` adds up."""

from __future__ import annotations

from typing import Any

from ..answers import Answer
from ..problems import Problem, one
from .base import Check, register


@register
class UsageTotals(Check):
    id = "usage-totals"
    title = "Usage adds up"
    description = "usage.total_tokens equals prompt_tokens + completion_tokens."

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        reply = answer.reply
        if reply is None or reply.usage is None:
            return None
        return one(usage_problem(reply.usage))


def usage_problem(usage: Any) -> Problem | None:
    """``total_tokens`` must equal ``prompt_tokens + completion_tokens``."""
    if not isinstance(usage, dict):
        return None
    parts = [usage.get(k) for k in ("prompt_tokens", "completion_tokens", "total_tokens")]
    if not all(isinstance(p, int) and not isinstance(p, bool) for p in parts):
        return None  # the output schema check reports wrong types
    prompt, completion, total = (int(p) for p in parts)  # type: ignore[arg-type]
    if prompt + completion != total:
        return Problem(
            "usage-sum",
            f"total_tokens {total} != prompt_tokens {prompt} + completion_tokens {completion}",
        )
    return None
