"""Every invalid body gets a 4xx error answer."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from ..answers import Answer
from ..cases import UNKNOWN_LORA, Case, Job
from ..http import Outcome
from ..problems import Problem, describe_status, early_problem, error_envelope_problems
from .base import Check, PlanContext, Settings, register, setting

TEXT_BOOLEANS = ("true", "false")


@dataclasses.dataclass(frozen=True)
class RejectsInvalidSettings(Settings):
    text_booleans: str = setting(
        "warn",
        {"enum": ["warn", "fail"]},
        'a boolean sent as text ("true") that the target accepts: a warning (the published '
        "schema refuses it, the vendor's own example sends it: which the service applies is "
        "not known), or a failure",
    )


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

    settings_class = RejectsInvalidSettings

    def probes(self, settings: Any, context: PlanContext) -> Iterator[Job]:
        for number, body in enumerate(context.generated, 1):
            if not body.valid:
                yield Job((context.generated_case(number, body, self.id),), (0, number))
        if context.surface == "native":  # a finetune no account has: 3037 on the service
            body = {"prompt": "hi", "lora": UNKNOWN_LORA}
            case = Case("lora-unknown", self.id, body, valid=False, pointer="/lora")
            yield Job((case,))

    def judge(self, answer: Answer, settings: RejectsInvalidSettings) -> list[Problem] | None:
        case = answer.case
        if case.valid is not False or not case.authorised:
            return None
        problems = judge_rejected(answer.outcome, case.pointer, case.surface)
        if settings.text_booleans == "warn" and _text_boolean(case):
            return [_warned(p) if p.code == "accepted-invalid" else p for p in problems]
        return problems


def _text_boolean(case: Case) -> bool:
    """Whether *case*'s one violation is a boolean written as text (``"raw": "true"``)."""
    if "type-string" not in case.tags or not case.pointer or not isinstance(case.body, dict):
        return False
    from ...schemas import resolve_pointer

    try:
        value = resolve_pointer(case.body, case.pointer)
    except (KeyError, IndexError, ValueError, TypeError):
        return False
    return value in TEXT_BOOLEANS


def _warned(problem: Problem) -> Problem:
    return Problem(
        "text-boolean-accepted",
        f"{problem.message}: a boolean as text (the published schema refuses it; the vendor's "
        'own example sends "raw": "true"; contract: text_booleans)',
        warning=True,
    )


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
