"""Answers of the OpenAI-compatible surface (``POST .../ai/v1/chat/completions``), read into
the same :class:`~.answers.Reading` as native ones: a ``chat.completion`` object, or
``chat.completion.chunk`` events whose deltas are joined, tool-call deltas by ``index``.

Schemas: ``openai-chat-response.json`` and ``openai-chat-chunk.json`` (their ``$comment``s
name the sources). A stream must say why it ended: one chunk carries a ``finish_reason``.
"""

from __future__ import annotations

from typing import Any

from .answers import Reading, Reply, add_delta, json_head_problem, read_stream, valid_events
from .http import Outcome
from .problems import Problem, schema_problem


def read_completion(outcome: Outcome) -> Reading:
    """A plain answer to a valid body: 200, JSON, a ``chat.completion``."""
    problem = json_head_problem(outcome)
    if problem:
        return Reading([problem])
    completion = outcome.json
    problem = schema_problem("openai-chat-response", completion, "result", "the chat.completion")
    if problem:
        return Reading([problem])
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
    ``chat.completion.chunk``, and a ``finish_reason`` before the end."""
    reading = read_stream(outcome, _read_chunks)
    if reading.reply is not None and reading.reply.finish_reason is None:
        reading.problems.append(
            Problem("no-finish-reason", "no chunk says why the answer ended (finish_reason)")
        )
    return reading


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
