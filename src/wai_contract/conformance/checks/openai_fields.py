"""The request fields only the OpenAI-compatible surface has, honoured as OpenAI's reference
says (``CreateChatCompletionRequest``, vendored in ``schemas/openai-reference/``).

Each judgement rests on the reference's words for the field. Workers AI documents none of
them for this model, so where the target follows the service's reading too, a deviation is a
warning (``--strict`` fails it); where it follows OpenAI's reading alone, a failure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import orjson

from ...schemas import MODEL
from ..answers import Answer, Reply
from ..cases import Case, Job
from ..problems import Problem
from .base import Check, PlanContext, Settings, register, setting
from .max_tokens import LONG_ANSWER, max_tokens_problem
from .usage_totals import usage_problem

PROBE = "openai-field"
ONE_READING = "one-reading"
"""The tag of a probe judged as a warning: not every reading the target follows documents it."""
QUESTION = "What time is it in Lisbon, and what is the weather there?"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "required": ["city"],
                "properties": {"city": {"type": "string", "description": "City name"}},
            },
        },
    }
    for name, description in (("get_weather", "Current weather"), ("get_time", "Local time"))
]
STOPS = ["o", " "]
"""Stop sequences nearly any English answer holds: one that ignores them shows it."""


@dataclasses.dataclass(frozen=True)
class OpenAIFieldsSettings(Settings):
    probes: int = setting(
        3,
        {"type": "integer", "minimum": 1},
        "bodies (seeds) for each tool_choice, stop and response_format probe",
    )
    n: int = setting(
        0,
        {"type": "integer", "minimum": 0},
        "choices to ask for with n, for a target that supports it (0: not asked)",
    )


@register
class OpenAIFields(Check):
    id = "openai-fields"
    title = "Honours OpenAI-only fields"
    description = (
        "On the OpenAI-compatible surface: max_completion_tokens bounds the answer as "
        "max_tokens does; stream_options.include_usage adds one usage chunk (no choices) "
        "whose totals add up; tool_choice none calls no tool, required calls one, a named "
        "function only that one; no stop sequence is in the answer; response_format "
        "json_object gives a JSON object; n gives n choices where the contract says the "
        "target supports it. A failure where every reading the target follows documents the "
        "field (OpenAI's reference does, Workers AI does not), else a warning."
    )
    settings_class = OpenAIFieldsSettings

    def probes(self, settings: OpenAIFieldsSettings, context: PlanContext) -> Iterator[Job]:
        if context.surface != "openai":
            return
        tags = () if set(context.readings) <= {"openai"} else (ONE_READING,)

        def case(ident: str, **fields: Any) -> Job:
            body = {"model": MODEL, "messages": [{"role": "user", "content": LONG_ANSWER}]}
            body.update(fields)
            made = context.case(ident, self.id, body, tags=tags, probe=PROBE, translated=True)
            return Job((made,))

        for limit in (1, 5):
            yield case(f"max-completion-tokens-{limit}", max_completion_tokens=limit, seed=21)
        if context.enabled("streaming"):
            yield case("max-completion-tokens-stream-3", max_completion_tokens=3, stream=True)
            yield case("include-usage", stream=True, stream_options={"include_usage": True})
        chat = [{"role": "user", "content": QUESTION}]
        named = {"type": "function", "function": {"name": "get_time"}}
        for number in range(1, settings.probes + 1):
            for choice, label in (("none", "none"), ("required", "required"), (named, "named")):
                fields = {"messages": chat, "tools": TOOLS, "tool_choice": choice}
                yield case(f"tool-choice-{label}-{number}", seed=number, **fields)
            yield case(f"stop-{number}", stop=STOPS, seed=number)
            json_ask = [{"role": "user", "content": "Answer in JSON: " + QUESTION}]
            yield case(f"json-object-{number}", messages=json_ask, seed=number,
                       response_format={"type": "json_object"})  # fmt: skip
        if settings.n > 1:
            yield case("n-choices", n=settings.n, seed=31)

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        case, reply = answer.case, answer.reply
        if case.probe != PROBE or reply is None:
            return None
        warning = ONE_READING in case.tags
        found = _problems(answer, case, reply)
        return [dataclasses.replace(problem, warning=warning) for problem in found]


def _problems(answer: Answer, case: Case, reply: Reply) -> list[Problem]:
    body = case.body
    problems: list[Problem] = []
    if "max_completion_tokens" in body:
        limit = {"max_tokens": body["max_completion_tokens"]}
        problem = max_tokens_problem(limit, reply.text, reply.usage)
        if problem:
            said = problem.message.replace("max_tokens", "max_completion_tokens")
            problems.append(Problem("max-completion-tokens", said))
    if "stream_options" in body:
        problems += _usage_chunk(answer.outcome.events or [])
    choice = body.get("tool_choice")
    if choice is not None:
        problems += _tool_choice(choice, reply.tool_calls or [])
    if "stop" in body and not reply.tool_calls:
        held = [stop for stop in body["stop"] if stop in reply.text]
        if held:
            shown = ", ".join(repr(s) for s in held)
            problems.append(Problem("stop-sequence", f"the answer holds stop sequence {shown}"))
    if "response_format" in body and reply.finish_reason != "length" and not reply.tool_calls:
        problems += _json_object(reply.text)
    if "n" in body:
        problems += _choices(answer, body["n"])
    return problems


def _usage_chunk(events: list[str]) -> list[Problem]:
    """``include_usage``: "an additional chunk ... before the data: [DONE] message. The usage
    field on this chunk shows the token usage statistics for the entire request, and the
    choices field will always be an empty array" (OpenAI's reference)."""
    chunks = [_parsed(event) for event in events if event != "[DONE]"]
    with_usage = [c for c in chunks if isinstance(c, dict) and c.get("usage") is not None]
    if len(with_usage) != 1:
        return [Problem("usage-chunk", f"{len(with_usage)} chunks carry usage; one must")]
    chunk = with_usage[0]
    problems = []
    if chunk is not chunks[-1]:
        problems.append(Problem("usage-chunk", "the usage chunk is not the last before [DONE]"))
    if chunk.get("choices") != []:
        problems.append(Problem("usage-chunk", "the usage chunk's choices are not empty"))
    added = usage_problem(chunk["usage"])
    return problems + ([Problem("usage-chunk", f"usage chunk: {added.message}")] if added else [])


def _tool_choice(choice: Any, calls: list[Any]) -> list[Problem]:
    """``none``: "the model will not call any tool"; ``required``: "must call one or more
    tools"; a named function: "forces the model to call that tool" (OpenAI's reference)."""
    names = [_name(call) for call in calls]
    if choice == "none" and calls:
        return [Problem("tool-choice", f"tool_choice none got tool calls {names}")]
    if choice == "required" and not calls:
        return [Problem("tool-choice", "tool_choice required got no tool call")]
    if isinstance(choice, dict):
        wanted = choice["function"]["name"]
        if not calls or any(name != wanted for name in names):
            return [Problem("tool-choice", f"tool_choice {wanted} got tool calls {names}")]
    return []


def _name(call: Any) -> Any:
    function = call.get("function") if isinstance(call, dict) else None
    return function.get("name") if isinstance(function, dict) else None


def _json_object(text: str) -> list[Problem]:
    """``json_object``: "ensures the message the model generates is valid JSON" (OpenAI's
    reference; an answer cut by the length limit excepted)."""
    parsed = _parsed(text)
    if not isinstance(parsed, dict):
        return [Problem("json-object", f"response_format json_object got {text[:60]!r}")]
    return []


def _choices(answer: Answer, n: int) -> list[Problem]:
    """``n``: "How many chat completion choices to generate for each input message"."""
    data = answer.outcome.json
    choices = data.get("choices") if isinstance(data, dict) else None
    if answer.case.stream or not isinstance(choices, list) or len(choices) == n:
        return []
    return [Problem("n-choices", f"n {n} got {len(choices)} choices")]


def _parsed(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
