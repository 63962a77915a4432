"""No answer is longer than its ``max_tokens``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from ...schemas import default_max_tokens
from ..answers import Answer
from ..cases import Job
from ..problems import Problem, one
from .base import Check, PlanContext, Settings, register, setting

LONG_ANSWER = "Write a very long story about the origin of the phrase Hello, World."


@dataclasses.dataclass(frozen=True)
class MaxTokensSettings(Settings):
    probes: tuple[int, ...] = setting(
        (1, 2, 5, 17),
        {"type": "array", "items": {"type": "integer", "minimum": 0}},
        "max_tokens values to ask a long answer with",
    )


@register
class MaxTokens(Check):
    id = "max-tokens"
    title = "Honours max_tokens"
    description = "Completion tokens never exceed max_tokens (256 when absent)."
    settings_class = MaxTokensSettings

    def probes(self, settings: MaxTokensSettings, context: PlanContext) -> Iterator[Job]:
        for limit in settings.probes:
            body = {
                "messages": [{"role": "user", "content": LONG_ANSWER}],
                "max_tokens": limit,
                "seed": 11,
            }
            yield Job((context.case(f"max-tokens-{limit}", self.id, body, probe="max-tokens"),))
        if context.enabled("streaming"):  # a server without streaming gets no streamed request
            streamed = {"prompt": LONG_ANSWER, "max_tokens": 3, "stream": True, "seed": 12}
            yield Job(
                (
                    context.case(
                        "max-tokens-stream-3",
                        self.id,
                        streamed,
                        tags=("max-tokens",),
                        probe="max-tokens",
                    ),
                )
            )

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        reply = answer.reply
        if reply is None:
            return None
        return one(max_tokens_problem(answer.case.body, reply.text, reply.usage))


def max_tokens_problem(body: dict[str, Any], text: str, usage: Any) -> Problem | None:
    """Completion tokens over ``max_tokens``, by ``usage`` or, soundly, by the text itself:
    every whitespace-separated word holds at least one token."""
    limit = body.get("max_tokens", default_max_tokens())
    if not isinstance(limit, int | float) or isinstance(limit, bool) or limit != int(limit):
        return None
    limit = int(limit)  # 5.0 is an integer to JSON Schema
    if limit < 1:
        return None  # what 0 or less asks for, the vendor does not say: nothing to judge
    completion = usage.get("completion_tokens") if isinstance(usage, dict) else None
    if isinstance(completion, int) and completion > max(limit, 0):
        return Problem(
            "over-max-tokens", f"usage.completion_tokens is {completion} with max_tokens {limit}"
        )
    words = len(text.split())
    if words > max(limit, 0):
        return Problem(
            "over-max-tokens",
            f"the answer has {words} words, so at least as many tokens, with max_tokens {limit}",
        )
    return None
