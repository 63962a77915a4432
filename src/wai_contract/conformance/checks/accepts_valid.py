"""Every valid body gets a success answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..answers import Answer
from ..cases import Case, Job
from ..problems import Problem
from .base import Check, PlanContext, register


@register
class AcceptsValid(Check):
    id = "accepts-valid"
    title = "Accepts valid input"
    description = (
        "Every valid body (including every at-the-limit body) gets 200, application/json, "
        "a success envelope and a result that matches the output schema."
    )

    def probes(self, settings: Any, context: PlanContext) -> Iterator[Job]:
        for number, body in enumerate(context.generated, 1):
            case = Case.generated_body(number, body, self.id)
            if case.valid and not case.stream:
                yield Job((case,), (0, number))

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        case = answer.case
        if case.valid is not True or not case.authorised or case.stream:
            return None
        return list(answer.reading.problems)
