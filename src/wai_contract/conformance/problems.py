"""Why a case failed (:class:`Problem`), and the problems every kind of answer can have."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..schemas import join_pointer
from ..validators import Violation, compile_reference, compile_validator
from .http import Outcome

TRANSPORT_CODES = frozenset(
    {"timeout", "connection", "truncated", "excess", "too-large", "undecodable", "runner"}
)
"""Problem codes that are failures of the transport rather than of the answer."""


@dataclass(frozen=True)
class Problem:
    """Why a case failed: a stable short ``code`` and a sentence.

    A *warning* is behaviour the vendor describes but does not guarantee (seed
    reproducibility, a stream that says what the plain answer says, tool arguments that fit
    the tool): it shows everywhere but fails a run only in strict mode.
    """

    code: str
    message: str
    warning: bool = False


def one(problem: Problem | None) -> list[Problem]:
    """A judge's answer from a single optional problem."""
    return [problem] if problem else []


def transport_problem(outcome: Outcome) -> Problem | None:
    """A timeout, reset connection, or truncated or oversized body."""
    error = outcome.exchange.error
    if error is None:
        return None
    code = error.split(":", 1)[0]
    return Problem(code if code in TRANSPORT_CODES else "connection", error)


def server_error(outcome: Outcome) -> Problem | None:
    """A 5xx status, wherever it happens."""
    status = outcome.status
    if status is not None and 500 <= status <= 599:
        return Problem("server-error", f"server error {status}: {_head(outcome)}")
    return None


def invalid_status(outcome: Outcome) -> Problem | None:
    """A status line whose code is no HTTP status (RFC 9110: 100-599)."""
    status = outcome.status
    if status is not None and not 100 <= status <= 599:
        return Problem("invalid-status", f"status {status} is not an HTTP status (100-599)")
    return None


def early_problem(outcome: Outcome) -> Problem | None:
    """What makes any further judgement of the answer moot: transport, a status that is
    none, then 5xx."""
    return transport_problem(outcome) or invalid_status(outcome) or server_error(outcome)


def _head(outcome: Outcome, limit: int = 160) -> str:
    text = " ".join(outcome.exchange.response_head.split())
    return text[:limit] + ("…" if len(text) > limit else "") if text else "(empty body)"


def describe_status(outcome: Outcome) -> str:
    """``400 {"errors": ...}``-style summary of a response for problem messages."""
    return f"{outcome.status} {_head(outcome, 120)}"


REFERENCE_OF = {
    "openai-chat-response": "chat-response",
    "openai-chat-chunk": "chat-chunk",
    "openai-error": "error",
}
"""OpenAI's own schema (``schemas/openai-reference/``) for each answer schema of the
OpenAI-compatible surface, which is our reading of what the service sends: an answer either
accepts is right (the readings of ``docs/openai.md``)."""


def schema_problem(schema: str, value: Any, code: str, what: str) -> Problem | None:
    """The first violation of the vendored *schema* by *value*, as a problem; ``None`` too
    when OpenAI's reference of an answer of the OpenAI-compatible surface accepts it."""
    violation = first_violation(schema, value)
    if violation is None:
        return None
    pointer = join_pointer(violation.path) or "/"
    either = f" (nor OpenAI's {REFERENCE_OF[schema]}.json)" if schema in REFERENCE_OF else ""
    return Problem(
        code,
        f"{what} does not match {schema}.json{either} at {pointer}: {violation.message[:200]}",
    )


def first_violation(schema: str, value: Any) -> Violation | None:
    """The first violation of *schema* by *value*, or ``None`` when it, or OpenAI's
    reference for it (see :data:`REFERENCE_OF`), accepts *value*."""
    violation = next(iter(compile_validator(schema).iter_errors(value)), None)
    if violation is None or schema not in REFERENCE_OF:
        return violation
    return None if compile_reference(REFERENCE_OF[schema]).is_valid(value) else violation


def error_envelope_problems(outcome: Outcome, surface: str = "native") -> list[Problem]:
    """An error answer must carry a JSON error envelope (on the OpenAI-compatible surface,
    one of the shapes of ``openai-error.json``)."""
    if not outcome.content_type.startswith("application/json"):
        return [
            Problem(
                "content-type",
                f"a {outcome.status} with content type "
                f"{outcome.content_type or 'missing'!r}; expected application/json",
            )
        ]
    if outcome.json_error is not None:
        return [
            Problem(
                "not-json", f"a {outcome.status} with a body that is not JSON: {outcome.json_error}"
            )
        ]
    envelope = outcome.json
    if surface == "openai":
        return one(schema_problem("openai-error", envelope, "envelope", "the error answer"))
    problem = schema_problem("envelope", envelope, "envelope", "the error envelope")
    if problem:
        return [problem]
    if envelope.get("success") is not False or not envelope.get("errors"):
        return [Problem("envelope", "an error answer needs success false and at least one error")]
    return []
