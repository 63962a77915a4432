"""Requests without a valid token are refused with 401 and an error envelope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..answers import Answer
from ..cases import Case, Job
from ..problems import Problem, describe_status, early_problem, error_envelope_problems
from .base import Check, PlanContext, register

WRONG_TOKEN = "wai-contract-deliberately-wrong-token"
_WHAT = {"none": "no token", "wrong": "a wrong token"}


@register
class Auth(Check):
    id = "auth"
    title = "Requires a valid token"
    description = "No token and a wrong token each get 401 with an error envelope."

    def probes(self, settings: Any, context: PlanContext) -> Iterator[Job]:
        if not context.has_token:
            context.notes[self.id] = (
                "skipped: no token given (pass --token or set CLOUDFLARE_API_TOKEN, "
                "or disable the check)"
            )
            return
        body = {"prompt": "hi"}
        yield Job(
            (
                Case("auth-no-token", self.id, body, token="none", tags=("auth",), probe="auth"),
                Case(
                    "auth-wrong-token", self.id, body, token="wrong", tags=("auth",), probe="auth"
                ),
            )
        )

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        if answer.case.authorised:
            return None
        outcome = answer.outcome
        early = early_problem(outcome)
        if early:
            return [early]
        if outcome.status != 401:
            what = _WHAT[answer.case.token]
            return [
                Problem(
                    "status",
                    f"a request with {what} got {describe_status(outcome)}; expected 401",
                )
            ]
        return error_envelope_problems(outcome)
