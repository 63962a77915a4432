"""Requests without a valid token are refused with an error answer, never a 2xx.

What the live service sends (../shared/real-api.md, "Authentication"): no token, 400 with
9106 (observed on the v4 API), 401 or 403 with 10000; a wrong token, 401 with 10000, or 400
with 6003/6111 when malformed. Which of these a target sends is its own choice: the
statuses that count as a refusal are a setting (default 400, 401, 403).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from ..answers import Answer
from ..cases import Job
from ..problems import Problem, describe_status, early_problem, error_envelope_problems
from .base import Check, PlanContext, Settings, register, setting

_WHAT = {"none": "no token", "wrong": "a wrong token"}


@dataclasses.dataclass(frozen=True)
class AuthSettings(Settings):
    statuses: tuple[int, ...] = setting(
        (400, 401, 403),
        {"type": "array", "items": {"type": "integer", "minimum": 400, "maximum": 499}},
        "statuses that refuse a request without a valid token",
    )


@register
class Auth(Check):
    id = "auth"
    title = "Requires a valid token"
    description = (
        "No token and a wrong token each get an error answer (400, 401 or 403 with an error "
        "envelope, as the live service sends), never a 2xx."
    )
    settings_class = AuthSettings

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
                context.case(
                    "auth-no-token", self.id, body, token="none", tags=("auth",), probe="auth"
                ),
                context.case(
                    "auth-wrong-token", self.id, body, token="wrong", tags=("auth",), probe="auth"
                ),
            )
        )

    def judge(self, answer: Answer, settings: AuthSettings) -> list[Problem] | None:
        if answer.case.authorised:
            return None
        outcome = answer.outcome
        early = early_problem(outcome)
        if early:
            return [early]
        if outcome.status not in settings.statuses:
            what, expected = _WHAT[answer.case.token], "/".join(map(str, settings.statuses))
            code = "accepted-without-token" if 200 <= (outcome.status or 0) < 300 else "status"
            return [
                Problem(
                    code,
                    f"a request with {what} got {describe_status(outcome)}; expected {expected}",
                )
            ]
        return error_envelope_problems(outcome, answer.case.surface)
