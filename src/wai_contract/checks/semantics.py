"""What the answer means: max_tokens, usage totals, tool calls."""

from __future__ import annotations

from typing import Any

import jsonschema

from ..schemas import join_pointer
from .base import Problem

DEFAULT_MAX_TOKENS = 256


def max_tokens_problem(body: dict[str, Any], text: str, usage: Any) -> Problem | None:
    """Completion tokens over ``max_tokens``, by ``usage`` or, soundly, by the text itself:
    every whitespace-separated word holds at least one token."""
    limit = body.get("max_tokens", DEFAULT_MAX_TOKENS)
    if not isinstance(limit, int) or isinstance(limit, bool):
        return None
    completion = usage.get("completion_tokens") if isinstance(usage, dict) else None
    if isinstance(completion, int) and completion > max(limit, 0):
        return Problem(
            "over-max-tokens", f"usage.completion_tokens is {completion} with max_tokens {limit}"
        )
    words = len(text.split())
    if words > max(limit, 0):
        return Problem(
            "over-max-tokens",
            f"the answer has {words} words, so at least as many tokens, with max_tokens {limit}",
        )
    return None


def usage_problem(usage: Any) -> Problem | None:
    """``total_tokens`` must equal ``prompt_tokens + completion_tokens``."""
    if not isinstance(usage, dict):
        return None
    parts = [usage.get(k) for k in ("prompt_tokens", "completion_tokens", "total_tokens")]
    if not all(isinstance(p, int) and not isinstance(p, bool) for p in parts):
        return None  # the output schema check reports wrong types
    prompt, completion, total = (int(p) for p in parts)  # type: ignore[arg-type]
    if prompt + completion != total:
        return Problem(
            "usage-sum",
            f"total_tokens {total} != prompt_tokens {prompt} + completion_tokens {completion}",
        )
    return None


def offered_tools(body: dict[str, Any]) -> dict[str, Any]:
    """Offered tool names and their ``parameters``, from both tool variants."""
    offered: dict[str, Any] = {}
    for tool in body.get("tools") or []:
        if not isinstance(tool, dict):
            continue
        function = tool.get("function")
        spec: dict[str, Any] = function if isinstance(function, dict) else tool
        if isinstance(spec.get("name"), str):
            offered[spec["name"]] = spec.get("parameters")
    return offered


def tool_call_problems(body: dict[str, Any], calls: Any) -> list[Problem]:
    """Every call names an offered tool, with arguments that satisfy its parameters."""
    if not calls:
        return []
    if not isinstance(calls, list):
        return [Problem("tool-call-shape", "tool_calls is not an array")]
    offered = offered_tools(body)
    problems = []
    for number, call in enumerate(calls):
        if not isinstance(call, dict):
            problems.append(Problem("tool-call-shape", f"tool call {number} is not an object"))
            continue
        name = call.get("name")
        if name not in offered:
            what = f"tool {name!r}" if offered else f"tool {name!r} although no tool was offered"
            problems.append(
                Problem(
                    "unoffered-tool",
                    f"tool call {number} names {what}"
                    + (f"; offered: {', '.join(offered)}" if offered else ""),
                )
            )
            continue
        arguments = call.get("arguments")
        if not isinstance(arguments, dict):
            problems.append(
                Problem(
                    "tool-arguments",
                    f"tool call {number} ({name}) has arguments "
                    f"that are not a JSON object: "
                    f"{str(arguments)[:80]}",
                )
            )
            continue
        message = _arguments_violation(offered[name], arguments)
        if message:
            problems.append(Problem("tool-arguments", f"tool call {number} ({name}): {message}"))
    return problems


def _arguments_violation(parameters: Any, arguments: dict[str, Any]) -> str | None:
    if not isinstance(parameters, dict):
        return None
    missing = [r for r in parameters.get("required") or [] if r not in arguments]
    if missing:
        return f"arguments lack required {', '.join(map(str, missing))}"
    try:
        jsonschema.Draft202012Validator.check_schema(parameters)
    except jsonschema.SchemaError:
        return None  # the offered parameters are not a usable schema: required was checked
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(parameters).iter_errors(arguments)
    )
    if error is None:
        return None
    return f"arguments{join_pointer(tuple(error.absolute_path))}: {error.message[:160]}"
