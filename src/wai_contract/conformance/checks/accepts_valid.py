"""Every valid body gets a success answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..answers import Answer
from ..cases import Job
from ..problems import Problem, error_envelope_problems
from .base import Check, PlanContext, register


@register
class AcceptsValid(Check):
    id = "accepts-valid"
    title = "Accepts valid input"
    description = (
        "Every valid body (including every at-the-limit body) gets 200, application/json, "
        "a success envelope and a result that matches the output schema; a body over a limit "
        "the contract declares (the context window) may get a 4xx error answer instead."
    )

    def probes(self, settings: Any, context: PlanContext) -> Iterator[Job]:
        for number, body in enumerate(context.generated, 1):
            case = context.generated_case(number, body, self.id)
            if case.valid and not case.stream:
                yield Job((case,), (0, number))

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        case = answer.case
        if case.valid is not True or not case.authorised or case.stream:
            return None
        refused = refused_rightly(answer)
        return list(answer.reading.problems) if refused is None else refused


def refused_rightly(answer: Answer) -> list[Problem] | None:
    """For a valid body that a limit of the target may refuse (``Case.refusable``), a 4xx
    is right too, if it is an error answer: its problems (none), or ``None`` when the
    answer is not a 4xx."""
    status = answer.outcome.status or 0
    if answer.case.refusable is None or not 400 <= status < 500 or answer.outcome.transient:
        return None
    return error_envelope_problems(answer.outcome)
