"""Requests without a valid token must be refused with 401 and an error envelope."""

from __future__ import annotations

from .base import Outcome, Problem, describe_status, server_error, transport_problem
from .envelope import error_envelope_problems


def judge_unauthorised(outcome: Outcome, what: str) -> list[Problem]:
    """*what* describes the request (``no token``, ``a wrong token``)."""
    early = transport_problem(outcome) or server_error(outcome)
    if early:
        return [early]
    if outcome.status != 401:
        return [
            Problem("status", f"a request with {what} got {describe_status(outcome)}; expected 401")
        ]
    return error_envelope_problems(outcome)
