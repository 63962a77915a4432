"""Every invalid body gets a 4xx error answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..answers import Answer
from ..cases import UNKNOWN_LORA, Case, Job
from ..http import Outcome
from ..problems import Problem, describe_status, early_problem, error_envelope_problems
from .base import Check, PlanContext, register


@register
class RejectsInvalid(Check):
    id = "rejects-invalid"
    shrinks = True
    title = "Rejects invalid input"
    description = (
        "Every invalid body (one violation each, including just past every limit) gets a "
        "4xx with a JSON error envelope: success false, errors with integer code and "
        "string message."
    )

    def probes(self, settings: Any, context: PlanContext) -> Iterator[Job]:
        for number, body in enumerate(context.generated, 1):
            if not body.valid:
                yield Job((context.generated_case(number, body, self.id),), (0, number))
        if context.surface == "native":  # a finetune no account has: 3037 on the service
            body = {"prompt": "hi", "lora": UNKNOWN_LORA}
            case = Case("lora-unknown", self.id, body, valid=False, pointer="/lora")
            yield Job((case,))

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        case = answer.case
        if case.valid is not False or not case.authorised:
            return None
        return judge_rejected(answer.outcome, case.pointer, case.surface)


def judge_rejected(outcome: Outcome, pointer: str | None, surface: str = "native") -> list[Problem]:
    """An invalid body (violating *pointer*): a 4xx with a JSON error envelope."""
    early = early_problem(outcome)
    if early:
        return [early]
    status = outcome.status or 0
    where = f" (it violates {pointer or '/'})" if pointer is not None else ""
    if 200 <= status < 300:
        return [Problem("accepted-invalid", f"accepted invalid input{where}: got {status}")]
    if not 400 <= status < 500:
        return [
            Problem(
                "status", f"an invalid body got {describe_status(outcome)}; expected a 4xx{where}"
            )
        ]
    return error_envelope_problems(outcome, surface)
