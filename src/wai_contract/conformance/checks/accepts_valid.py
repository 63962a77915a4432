"""Every valid body gets a success answer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..answers import Answer
from ..cases import Case, Job
from ..problems import Problem, error_envelope_problems
from .base import Check, PlanContext, register

SPELLED_AS_THE_SDK: tuple[dict[str, Any], ...] = (
    {"prompt": "Tell me about PEP-8"},
    {"messages": [{"role": "user", "content": "Why is pizza so good"}], "stream": True},
)


@register
class AcceptsValid(Check):
    id = "accepts-valid"
    shrinks = True
    title = "Accepts valid input"
    description = (
        "Every valid body (including every at-the-limit body) gets 200, application/json, "
        "a success envelope and a result that matches the output schema; a body over a limit "
        "the contract declares (the context window) may get a 4xx error answer instead. An "
        "OpenAI-compatible body the readings the target follows disagree on is undetermined: "
        "whichever answer it gets must be well-formed (a success or an error answer)."
    )

    def probes(self, settings: Any, context: PlanContext) -> Iterator[Job]:
        for number, body in enumerate(context.generated, 1):
            if not body.valid:  # rejects-invalid plans it, whatever its verdict here
                continue
            case = context.generated_case(number, body, self.id)
            if case.valid is not False and not case.stream:  # else streaming plans it
                yield Job((case,), (0, number))
        # The official SDK percent-encodes the model's name in the path: a client as real as any.
        for number, body in enumerate(SPELLED_AS_THE_SDK, 1):
            if context.surface != "native":  # the model is in the body there, not the path
                break
            if body.get("stream") and not context.enabled("streaming"):
                continue
            case = Case(
                f"sdk-path-{number}", self.id, body, tags=("sdk-path",), percent_encoded=True
            )
            yield Job((case,))

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        case = answer.case
        if case.undetermined and case.authorised and not case.stream:
            return well_formed(answer)
        if case.valid is not True or not case.authorised or case.stream:
            return None
        refused = refused_rightly(answer)
        return list(answer.reading.problems) if refused is None else refused

    def note(self, judged: Sequence[Answer]) -> str:
        undetermined = [a.case for a in judged if a.case.undetermined]
        if not undetermined:
            return ""
        first = undetermined[0]
        shown = "; ".join(str(f) for f in first.readings)
        return (
            f"{len(undetermined)} OpenAI-compatible bodies undetermined (the readings the "
            f"target follows disagree), judged for shape only: e.g. {first.id} ({shown})"
        )


def well_formed(answer: Answer) -> list[Problem] | None:
    """An undetermined body's answer: a success answer read as the body asked, or an error
    answer; a 5xx or a transport failure is for their own checks."""
    status = answer.outcome.status or 0
    if 200 <= status < 300:
        return list(answer.reading.problems)
    if 400 <= status < 500 and not answer.outcome.transient:
        return error_envelope_problems(answer.outcome, answer.case.surface)
    return None


def refused_rightly(answer: Answer) -> list[Problem] | None:
    """For a valid body that a limit of the target may refuse (``Case.refusable``), a 4xx
    is right too, if it is an error answer: its problems (none), or ``None`` when the
    answer is not a 4xx."""
    status = answer.outcome.status or 0
    if answer.case.refusable is None or not 400 <= status < 500 or answer.outcome.transient:
        return None
    return error_envelope_problems(answer.outcome, answer.case.surface)
