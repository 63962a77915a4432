"""What came back for a case, read once: its problems as an answer, and the reply it carries.

An :class:`Answer` pairs a :class:`~.cases.Case` with its :class:`~.http.Outcome`. Its
:attr:`~Answer.reading` is computed on first use and shared by every check that judges it,
by the reader :data:`READERS` names for the case's surface and stream: on ``/ai/run``, a
success envelope or Server-Sent Events of ``stream-event.json``; on the OpenAI-compatible
surface (``POST .../ai/v1/chat/completions``), a ``chat.completion`` object, or
``chat.completion.chunk`` events whose deltas are joined, tool-call deltas by ``index``
(schemas ``openai-chat-response.json`` and ``openai-chat-chunk.json``, whose ``$comment``s
name the sources). An OpenAI stream must say why it ended: one chunk carries a
``finish_reason``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .cases import Case, Surface
from .http import Outcome
from .http.jsondepth import TooDeep, check_depth
from .problems import Problem, describe_status, early_problem, first_violation, schema_problem

DONE = "[DONE]"


@dataclass
class Reply:
    """What a successful answer says: its text (``""`` for a null or absent ``response``),
    usage, and tool calls as sent (a stream's OpenAI-style deltas joined by ``index``)."""

    text: str = ""
    usage: Any = None
    tool_calls: Any = None
    finish_reason: str | None = None
    """Why the answer ended (the OpenAI surface says; the native one does not)."""


@dataclass
class Reading:
    """The problems of an answer to a valid body, and its reply when it could be read."""

    problems: list[Problem] = field(default_factory=list)
    reply: Reply | None = None


@dataclass(eq=False)
class Answer:
    """One case and what came back; *earlier* are the answers before it in its job."""

    case: Case
    outcome: Outcome
    earlier: tuple[Answer, ...] = ()

    @functools.cached_property
    def reading(self) -> Reading:
        """The answer read as the body asked: streamed or plain, on the case's surface."""
        return READERS[self.case.surface, self.case.stream](self.outcome)

    @property
    def reply(self) -> Reply | None:
        """What the answer says, for a valid body sent with the token that was read well
        enough to judge its meaning; else ``None``."""
        if self.case.valid is not True or not self.case.authorised:
            return None
        return self.reading.reply

    def release(self) -> None:
        """Let go of what no report needs once every check judged the answer: the parsed
        body, its events and the reply's text (the exchange stays, with its first KB; the
        reply keeps its usage and tool calls, which the checks' notes read)."""
        body = self.case.body
        if "reading" not in self.__dict__ and isinstance(body, dict) and body.get("tools"):
            self.reading  # noqa: B018  (read now: a note asks whether a tool was called)
        reading: Reading | None = self.__dict__.get("reading")
        if reading is not None and reading.reply is not None:
            reading.reply.text = ""
        self.outcome.json = None
        self.outcome.events = None


def read_json(outcome: Outcome) -> Reading:
    """A plain answer to a valid body: 200, JSON, a success envelope, a valid result."""
    problem = json_head_problem(outcome)
    if problem:
        return Reading([problem])
    envelope = outcome.json
    problem = schema_problem("envelope", envelope, "envelope", "the envelope")
    if problem:
        return Reading([problem])
    if envelope.get("success") is not True:
        return Reading([Problem("envelope", "success is not true on a 200")])
    result = envelope.get("result")
    problem = schema_problem("output", result, "result", "the result")
    if problem:
        return Reading([problem])
    return Reading(
        reply=Reply(result.get("response") or "", result.get("usage"), result.get("tool_calls"))
    )


def json_head_problem(outcome: Outcome) -> Problem | None:
    """What is wrong with a plain answer to a valid body before its content: transport,
    status, content type, JSON."""
    early = early_problem(outcome)
    if early:
        return early
    if outcome.status != 200:
        return Problem("status", f"a valid body got {describe_status(outcome)}; expected 200")
    if not outcome.content_type.startswith("application/json"):
        kind = outcome.content_type or "missing"
        return Problem("content-type", f"content type {kind!r}; expected application/json")
    if outcome.json_error is not None:
        return Problem("not-json", f"200 with a body that is not JSON: {outcome.json_error}")
    return None


EventReader = Callable[[list[str], list[Problem]], Reply]


def read_stream(outcome: Outcome, events_of: EventReader | None = None) -> Reading:
    """A streamed answer: content type, SSE framing, events (read by *events_of*, the
    native reader by default), the ``[DONE]`` terminator."""
    problem = _stream_head_problem(outcome)
    if problem:
        return Reading([problem])
    reading = Reading()
    events = outcome.events or []
    if DONE in events[:-1]:
        after = len(events) - 1 - events.index(DONE)
        reading.problems.append(Problem("after-done", f"{after} event(s) after data: [DONE]"))
    elif not events or events[-1] != DONE:
        reading.problems.append(Problem("no-done", "the stream does not end with data: [DONE]"))
    leftover = outcome.stream_leftover.strip()
    if leftover:
        reading.problems.append(
            Problem("framing", f"text after the last complete event: {leftover[:80]!r}")
        )
    reader = events_of or _read_events
    reading.reply = reader([e for e in events if e != DONE], reading.problems)
    return reading


def _stream_head_problem(outcome: Outcome) -> Problem | None:
    early = early_problem(outcome)
    if early:
        return early
    if outcome.status != 200:
        return Problem(
            "status", f"a valid streamed body got {describe_status(outcome)}; expected 200"
        )
    if not outcome.content_type.startswith("text/event-stream"):
        code = "json-not-stream" if "json" in outcome.content_type else "content-type"
        kind = outcome.content_type or "missing"
        return Problem(code, f"stream: true got content type {kind!r}; expected text/event-stream")
    if outcome.stream_error:
        return Problem("framing", outcome.stream_error)
    return None


def valid_events(events: list[str], schema: str, problems: list[Problem]) -> Iterator[Any]:
    """Each event's JSON that the vendored *schema* (or OpenAI's reference for it) accepts;
    the others become problems."""
    for number, data in enumerate(events):
        try:
            check_depth(data)
            event = json.loads(data)
        except ValueError as exc:
            why = f" ({exc})" if isinstance(exc, TooDeep) else ""
            problems.append(
                Problem("event-json", f"event {number} is not JSON{why}: {data[:80]!r}")
            )
            continue
        violation = first_violation(schema, event)
        if violation is not None:
            problems.append(
                Problem(
                    "event-schema",
                    f"event {number} does not match {schema}.json: {violation.message[:160]}",
                )
            )
            continue
        yield event


def _read_events(events: list[str], problems: list[Problem]) -> Reply:
    reply = Reply(tool_calls=[])
    pieces: list[str] = []
    deltas: dict[int, dict[str, Any]] = {}
    for event in valid_events(events, "stream-event", problems):
        pieces.append(event.get("response") or "")
        reply.usage = event.get("usage", reply.usage)
        for call in event.get("tool_calls") or []:
            if "function" in call:
                add_delta(deltas, call)
            else:
                reply.tool_calls.append(call)
    reply.text = "".join(pieces)
    reply.tool_calls += [deltas[index] for index in sorted(deltas)]
    return reply


def add_delta(calls: dict[int, dict[str, Any]], delta: dict[str, Any]) -> None:
    """Fold one OpenAI-style tool-call delta into the call of its ``index`` (without one, the
    latest call): the id and name come once (a repeated name is not doubled), the
    ``arguments`` text in pieces."""
    index = delta.get("index", max(calls) if calls else 0)
    call = calls.setdefault(index, {"type": "function", "function": {"name": "", "arguments": ""}})
    if "id" in delta:
        call["id"] = delta["id"]
    function, joined = delta.get("function") or {}, call["function"]
    name = function.get("name") or ""
    if name != joined["name"]:
        joined["name"] += name
    joined["arguments"] += function.get("arguments") or ""


def read_completion(outcome: Outcome) -> Reading:
    """A plain answer to a valid body: 200, JSON, a ``chat.completion``."""
    problem = json_head_problem(outcome)
    if problem:
        return Reading([problem])
    completion = outcome.json
    problem = schema_problem("openai-chat-response", completion, "result", "the chat.completion")
    if problem:
        return Reading([problem])
    if not completion["choices"]:  # OpenAI's schema has no minimum; its words say n (1)
        return Reading([Problem("result", "the chat.completion has no choices (n is 1)")])
    choice = completion["choices"][0]
    message = choice["message"]
    return Reading(
        reply=Reply(
            message.get("content") or "",
            completion.get("usage"),
            message.get("tool_calls"),
            choice.get("finish_reason"),
        )
    )


def read_chunks(outcome: Outcome) -> Reading:
    """A streamed answer: SSE framing and ``[DONE]`` as on the native surface, each event a
    ``chat.completion.chunk``. No ``finish_reason`` is required: OpenAI's reference has one
    on the last chunk, the service sends none (../shared/real-api.md), and what either
    reading allows passes."""
    return read_stream(outcome, _read_chunks)


def _read_chunks(events: list[str], problems: list[Problem]) -> Reply:
    reply = Reply(tool_calls=[])
    pieces: list[str] = []
    deltas: dict[int, dict[str, Any]] = {}
    for chunk in valid_events(events, "openai-chat-chunk", problems):
        reply.usage = chunk.get("usage") or reply.usage
        for choice in chunk["choices"][:1]:
            delta = choice["delta"]
            pieces.append(delta.get("content") or "")
            for call in delta.get("tool_calls") or []:
                add_delta(deltas, call)
            reply.finish_reason = choice.get("finish_reason") or reply.finish_reason
    reply.text = "".join(pieces)
    reply.tool_calls = [deltas[index] for index in sorted(deltas)]
    return reply


READERS: dict[tuple[Surface, bool], Callable[[Outcome], Reading]] = {
    ("native", False): read_json,
    ("native", True): read_stream,
    ("openai", False): read_completion,
    ("openai", True): read_chunks,
}
"""The reader of an answer, by the case's surface and whether it asked for a stream."""
