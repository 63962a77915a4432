"""Tool calls name offered tools, with arguments their ``parameters`` accept."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

import jsonschema

from ...schemas import join_pointer
from ..answers import Answer
from ..cases import Case, Job
from ..problems import Problem
from .base import Check, PlanContext, Settings, register, setting

QUESTION = "What is the weather in Lisbon, and what is 20 EUR in USD?"
PROBE_TOOLS = [
    {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "required": ["city"],
            "properties": {
                "city": {"type": "string", "description": "City name"},
                "days": {"type": "integer", "description": "Days ahead"},
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "convert_currency",
            "description": "Convert an amount between currencies",
            "parameters": {
                "type": "object",
                "required": ["amount", "to"],
                "properties": {
                    "amount": {"type": "number", "description": "Amount to convert"},
                    "to": {"type": "string", "description": "Target currency code"},
                    "round": {"type": "boolean", "description": "Round to cents"},
                },
            },
        },
    },
]
"""Both tool variants of the vendor page: the flat one and the ``function`` one."""


@dataclasses.dataclass(frozen=True)
class ToolSettings(Settings):
    probes: int = setting(
        6, {"type": "integer", "minimum": 0}, "bodies that offer tools, to draw tool calls out"
    )


@register
class ToolCalls(Check):
    id = "tool-calls"
    title = "Tool calls are well-formed"
    description = (
        "tool_calls name only tools that were offered, with arguments a JSON object that "
        "satisfies the offered tool's parameters schema."
    )
    settings_class = ToolSettings

    def probes(self, settings: ToolSettings, context: PlanContext) -> Iterator[Job]:
        for number in range(1, settings.probes + 1):
            body = {
                "messages": [{"role": "user", "content": QUESTION}],
                "tools": PROBE_TOOLS,
                "seed": number,
            }
            yield Job((Case(f"tools-{number}", self.id, body, tags=("probe",), probe="tools"),))

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        reply = answer.reply
        if reply is None or not (reply.tool_calls or answer.case.body.get("tools")):
            return None
        return tool_call_problems(answer.case.body, reply.tool_calls)

    def note(self, judged: Sequence[Answer]) -> str:
        if judged and not any(a.reply and a.reply.tool_calls for a in judged):
            return "the server never called a tool, so tool calls were not exercised"
        return ""


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
        problem = _call_problem(number, call, offered)
        if problem:
            problems.append(problem)
    return problems


def _call_problem(number: int, call: Any, offered: dict[str, Any]) -> Problem | None:
    if not isinstance(call, dict):
        return Problem("tool-call-shape", f"tool call {number} is not an object")
    name = call.get("name")
    if name not in offered:
        what = f"tool {name!r}" if offered else f"tool {name!r} although no tool was offered"
        listed = f"; offered: {', '.join(offered)}" if offered else ""
        return Problem("unoffered-tool", f"tool call {number} names {what}{listed}")
    arguments = call.get("arguments")
    if not isinstance(arguments, dict):
        return Problem(
            "tool-arguments",
            f"tool call {number} ({name}) has arguments that are not a JSON object: "
            f"{str(arguments)[:80]}",
        )
    message = _arguments_violation(offered[name], arguments)
    if message:
        return Problem("tool-arguments", f"tool call {number} ({name}): {message}")
    return None


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
