"""Every answer arrives whole and in time."""

from __future__ import annotations

from typing import Any

from ..answers import Answer
from ..problems import Problem, one, transport_problem
from .base import Check, register


@register
class Transport(Check):
    id = "transport"
    title = "Answers completely and in time"
    description = (
        "No request times out, has its connection reset, or gets a truncated or unreadable "
        "body, or bytes after the end of its answer."
    )

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        return one(transport_problem(answer.outcome))
