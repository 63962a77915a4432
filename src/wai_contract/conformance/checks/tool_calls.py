"""Tool calls name offered tools, with arguments their ``parameters`` accept."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from typing import Any

import jsonschema

from ...schemas import join_pointer
from ...validators import compile_given
from ..answers import Answer
from ..cases import Job
from ..http.jsondepth import check_depth
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
        "tool_calls name only tools that were offered, with arguments a JSON object (in the "
        "legacy form, or JSON text in the OpenAI form); arguments that do not satisfy the "
        "offered tool's parameters are a warning, since that is the model's quality."
    )
    settings_class = ToolSettings

    def probes(self, settings: ToolSettings, context: PlanContext) -> Iterator[Job]:
        for number in range(1, settings.probes + 1):
            body = {
                "messages": [{"role": "user", "content": QUESTION}],
                "tools": PROBE_TOOLS,
                "seed": number,
            }
            case = context.case(f"tools-{number}", self.id, body, tags=("probe",), probe="tools")
            yield Job((case,))

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        reply = answer.reply
        if reply is None or not (reply.tool_calls or answer.case.body.get("tools")):
            return None
        return tool_call_problems(answer.case.body, reply.tool_calls)

    def note(self, judged: Sequence[Answer]) -> str:
        if judged and not self.exercised(judged):
            return "not exercised: the server called no tool it was offered"
        return ""

    def exercised(self, judged: Sequence[Answer]) -> bool:
        return any(a.reply and a.reply.tool_calls for a in judged)


def offered_tools(body: dict[str, Any]) -> dict[str, list[Any]]:
    """Offered tool names, each with the ``parameters`` of every tool of that name, from
    both tool variants."""
    offered: dict[str, list[Any]] = {}
    for tool in body.get("tools") or []:
        if not isinstance(tool, dict):
            continue
        function = tool.get("function")
        spec: dict[str, Any] = function if isinstance(function, dict) else tool
        if isinstance(spec.get("name"), str):
            offered.setdefault(spec["name"], []).append(spec.get("parameters"))
    return offered


def tool_call_problems(body: dict[str, Any], calls: Any) -> list[Problem]:
    """Every call names an offered tool with arguments that are a JSON object (failures),
    which satisfy that tool's parameters (a warning: that is the model's quality)."""
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


def name_and_arguments(call: Any) -> tuple[Any, Any, str | None]:
    """A call's name and arguments in either form: the legacy ``{name, arguments}`` or the
    OpenAI ``{function: {name, arguments: "<JSON text>"}}``, whose text is parsed; the third
    item says why the arguments are not a JSON object (``None`` when they are)."""
    if not isinstance(call, dict):
        return None, None, "the call is not an object"
    function = call.get("function")
    if not isinstance(function, dict):
        arguments = call.get("arguments")
        if isinstance(arguments, dict):
            return call.get("name"), arguments, None
        return (
            call.get("name"),
            arguments,
            f"arguments are not a JSON object: {str(arguments)[:80]}",
        )
    text = function.get("arguments")
    if not isinstance(text, str):
        return function.get("name"), text, f"arguments are not JSON text: {str(text)[:80]}"
    try:
        check_depth(text)
        arguments = json.loads(text)
    except ValueError as exc:
        return function.get("name"), None, f"arguments {text[:80]!r} are not JSON text: {exc}"
    if not isinstance(arguments, dict):
        return (
            function.get("name"),
            arguments,
            f"arguments {str(text)[:80]!r} are not a JSON object",
        )
    return function.get("name"), arguments, None


def _call_problem(number: int, call: Any, offered: dict[str, list[Any]]) -> Problem | None:
    if not isinstance(call, dict):
        return Problem("tool-call-shape", f"tool call {number} is not an object")
    name, arguments, broken = name_and_arguments(call)
    if name not in offered:
        what = f"tool {name!r}" if offered else f"tool {name!r} although no tool was offered"
        listed = f"; offered: {', '.join(offered)}" if offered else ""
        return Problem("unoffered-tool", f"tool call {number} names {what}{listed}")
    if broken:
        return Problem("tool-arguments", f"tool call {number} ({name}): {broken}")
    violations = [_arguments_violation(parameters, arguments) for parameters in offered[name]]
    if all(violations):  # a name offered twice: any tool of that name may take the call
        return Problem(
            "tool-arguments-schema", f"tool call {number} ({name}): {violations[0]}", warning=True
        )
    return None


def _arguments_violation(parameters: Any, arguments: dict[str, Any]) -> str | None:
    if not isinstance(parameters, dict):
        return None
    listed = parameters.get("required")
    names = [r for r in listed if isinstance(r, str)] if isinstance(listed, list) else []
    missing = [r for r in names if r not in arguments]
    if missing:
        return f"arguments lack required {', '.join(map(str, missing))}"
    validator = compile_given(parameters)
    if validator is None:
        return None  # the offered parameters are not a usable schema: required was checked
    error = jsonschema.exceptions.best_match(validator.iter_errors(arguments))
    if error is None:
        return None
    return f"arguments{join_pointer(tuple(error.absolute_path))}: {error.message[:160]}"
