"""The contract's own example cases get what they expect."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema

from ...validators import compile_given
from ..answers import Answer
from ..cases import Example, Job
from ..problems import Problem, transport_problem
from .base import Check, PlanContext, register


@register
class Examples(Check):
    id = "examples"
    title = "Contract examples"
    description = "The contract's explicit example cases get their expected status and result."

    def probes(self, settings: Any, context: PlanContext) -> Iterator[Job]:
        if context.surface != "native":  # a contract's examples are written for /ai/run
            return
        for number, example in enumerate(context.examples, 1):
            body = example.request
            if example.stream and isinstance(body, dict):
                body = {**body, "stream": True}
            case = context.case(
                f"example-{number}",
                self.id,
                body,
                valid=None,
                tags=(example.name,),
                probe="example",
                example=example,
            )
            yield Job((case,))

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        example = answer.case.example
        if answer.case.probe != "example" or not isinstance(example, Example):
            return None
        outcome = answer.outcome
        early = transport_problem(outcome)
        if early:
            return [early]
        if outcome.status != example.status:
            return [
                Problem(
                    "status", f"{example.name!r} expected {example.status}, got {outcome.status}"
                )
            ]
        envelope = outcome.json if isinstance(outcome.json, dict) else {}
        if example.result_schema is not None:
            validator = compile_given(example.result_schema)
            if validator is None:
                return [Problem("unjudgeable", f"{example.name!r}: its result is not a schema")]
            error = jsonschema.exceptions.best_match(validator.iter_errors(envelope.get("result")))
            if error is not None:
                return [Problem("result", f"{example.name!r}: result {error.message}")]
        if example.error_contains and not _mentions(envelope, example.error_contains):
            return [
                Problem(
                    "error-message",
                    f"{example.name!r}: no error mentions {example.error_contains!r}",
                )
            ]
        return []


def _mentions(envelope: dict[str, Any], text: str) -> bool:
    messages = " ".join(
        str(e.get("message", "")) for e in envelope.get("errors") or [] if isinstance(e, dict)
    )
    return text.lower() in messages.lower()
