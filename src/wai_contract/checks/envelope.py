"""Accepts valid input, rejects invalid input: status, content type and envelope."""

from __future__ import annotations

from typing import Any

from ..schemas import join_pointer
from ..validators import compile_validator
from .base import Outcome, Problem, describe_status, server_error, transport_problem


def _schema_problem(schema: str, value: Any, code: str, what: str) -> Problem | None:
    validator = compile_validator(schema)
    for violation in validator.iter_errors(value):
        pointer = join_pointer(violation.path) or "/"
        return Problem(
            code, f"{what} does not match {schema}.json at {pointer}: {violation.message[:200]}"
        )
    return None


def judge_accepted(outcome: Outcome) -> list[Problem]:
    """A valid, non-streamed body: 200, JSON, a success envelope, a valid result."""
    early = transport_problem(outcome) or server_error(outcome)
    if early:
        return [early]
    if outcome.status != 200:
        return [Problem("status", f"a valid body got {describe_status(outcome)}; expected 200")]
    if not outcome.content_type.startswith("application/json"):
        return [
            Problem(
                "content-type",
                f"content type {outcome.content_type or 'missing'!r}; expected application/json",
            )
        ]
    if outcome.json_error is not None:
        return [Problem("not-json", f"200 with a body that is not JSON: {outcome.json_error}")]
    envelope = outcome.json
    problem = _schema_problem("envelope", envelope, "envelope", "the envelope")
    if problem:
        return [problem]
    if envelope.get("success") is not True:
        return [Problem("envelope", "success is not true on a 200")]
    problem = _schema_problem("output", envelope.get("result"), "result", "the result")
    return [problem] if problem else []


def judge_rejected(outcome: Outcome, pointer: str | None) -> list[Problem]:
    """An invalid body: a 4xx with a JSON error envelope."""
    early = transport_problem(outcome) or server_error(outcome)
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
    return error_envelope_problems(outcome)


def error_envelope_problems(outcome: Outcome) -> list[Problem]:
    """A 4xx answer must carry a JSON error envelope."""
    if not outcome.content_type.startswith("application/json"):
        return [
            Problem(
                "content-type",
                f"a {outcome.status} with content type "
                f"{outcome.content_type or 'missing'!r}; expected "
                "application/json",
            )
        ]
    if outcome.json_error is not None:
        return [
            Problem(
                "not-json", f"a {outcome.status} with a body that is not JSON: {outcome.json_error}"
            )
        ]
    envelope = outcome.json
    problem = _schema_problem("envelope", envelope, "envelope", "the error envelope")
    if problem:
        return [problem]
    if envelope.get("success") is not False or not envelope.get("errors"):
        return [Problem("envelope", "an error answer needs success false and at least one error")]
    return []
