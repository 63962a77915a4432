"""No request, valid or not, gets a 5xx."""

from __future__ import annotations

from typing import Any

from ..answers import Answer
from ..problems import Problem, one, server_error
from .base import Check, register


@register
class NoServerErrors(Check):
    id = "no-server-errors"
    title = "No server errors"
    description = "No request, valid or not, gets a 5xx."

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        return one(server_error(answer.outcome))
