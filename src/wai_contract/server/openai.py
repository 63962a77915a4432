"""The OpenAI-compatible surface of the reference server:
``POST /client/v4/accounts/{account_id}/ai/v1/chat/completions``.

The model is named in the body; answers are plain OpenAI ``chat.completion`` objects, or
``chat.completion.chunk`` events ending with ``data: [DONE]`` (../shared/real-api.md, "The
OpenAI-compatible surface"). The body is translated to the native one and answered by the
same fake model, so the same conversation at the same seed gets the same words on both
paths. Errors are the v4 envelope, as on the native path: which shape the service sends
here is our reading (it was once seen with ``errors`` as one object, not a list).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson

from ..lint import lint
from ..schemas import MODEL
from ..validators import compile_validator
from .model import Answer, answer, content_text

NATIVE_KEYS = ("temperature", "top_p", "seed", "frequency_penalty", "presence_penalty")
"""Request fields that mean the same on both surfaces."""


def request_problem(body: Any) -> str | None:
    """Why *body* is not a chat-completions request for this model, or ``None``: judged
    as Workers AI judges it (the model's input schema, the model named in the body). The
    caller has read a null as not given where OpenAI's reference allows one
    (``without_openai_nulls``, see :mod:`..readings`)."""
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        return "/model: the body must name the model"
    if not compile_validator("input").is_valid(body):  # its yes is the linter's, sooner
        result = lint(body, positions=False, api="native")
        if not result.valid:
            first = result.errors[0]
            return f"{first.pointer or '/'}: {first.message}"
    if body["model"] != MODEL:
        return f"/model: no such model {body['model']!r}; this server runs {MODEL}"
    return None


def native_body(body: dict[str, Any]) -> dict[str, Any]:
    """The native request that means what the OpenAI *body* means."""
    native: dict[str, Any] = {"messages": [_native_message(m) for m in body["messages"]]}
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    if limit is not None:
        native["max_tokens"] = limit
    for key in NATIVE_KEYS:
        if key in body:
            native[key] = body[key]
    if body.get("tools"):
        native["tools"] = body["tools"]
    return native


def _native_message(message: dict[str, Any]) -> dict[str, Any]:
    role = "system" if message["role"] == "developer" else message["role"]
    return {"role": role, "content": content_text(message.get("content"))}


def completion(native: dict[str, Any], said: Answer) -> bytes:
    """The ``chat.completion`` object of *said*."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": None if said.tool_calls else said.text,
    }
    if said.tool_calls:
        message["tool_calls"] = [_openai_call(i, c) for i, c in enumerate(said.tool_calls)]
    choice = {"index": 0, "message": message, "finish_reason": _finish(native, said)}
    return orjson.dumps({**_head("chat.completion"), "choices": [choice], "usage": said.usage()})


async def chunks(
    body: dict[str, Any], native: dict[str, Any], said: Answer, faults: frozenset[str] = frozenset()
) -> AsyncIterator[bytes]:
    """The ``chat.completion.chunk`` events of *said*, then ``data: [DONE]``, with the
    stream *faults* of the native path (``no-done``, ``crlf``, ``split-utf8``)."""
    async for piece in _with_faults(_chunks(body, native, said), faults):
        yield piece


async def _with_faults(
    events: AsyncIterator[bytes], faults: frozenset[str]
) -> AsyncIterator[bytes]:
    async for event in events:
        if "no-done" in faults and event.startswith(b"data: [DONE]"):
            return
        if "crlf" in faults:
            event = event.replace(b"\n\n", b"\r\n\r\n")
        accent = "é".encode()
        if "split-utf8" in faults and accent in event:
            cut = event.index(accent) + 1  # between the two bytes of é
            yield event[:cut]
            await asyncio.sleep(0.02)
            event = event[cut:]
        yield event


async def _chunks(
    body: dict[str, Any], native: dict[str, Any], said: Answer
) -> AsyncIterator[bytes]:
    head = _head("chat.completion.chunk")

    def event(choices: list[dict[str, Any]], **more: Any) -> bytes:
        return b"data: " + orjson.dumps({**head, "choices": choices, **more}) + b"\n\n"

    yield event(
        [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]
    )
    for piece in said.pieces:
        yield event([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
    for number, call in enumerate(said.tool_calls):
        delta = {"tool_calls": [{"index": number, **_openai_call(number, call)}]}
        yield event([{"index": 0, "delta": delta, "finish_reason": None}])
    # Content, if empty, in the last chunk too: the service's chunks always carry it, and
    # clients read it unchecked (llm-cloudflare hands each to llm, which refuses a None).
    last = {} if said.tool_calls else {"content": ""}
    yield event([{"index": 0, "delta": last, "finish_reason": _finish(native, said)}])
    options = body.get("stream_options")
    if isinstance(options, dict) and options.get("include_usage") is True:
        yield event([], usage=said.usage())
    yield b"data: [DONE]\n\n"


def _head(kind: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": kind,
        "created": int(time.time()),
        "model": MODEL,
    }


def _openai_call(number: int, call: dict[str, Any]) -> dict[str, Any]:
    function = {"name": call["name"], "arguments": json.dumps(call["arguments"])}
    return {"id": f"call_{number}", "type": "function", "function": function}


def _finish(native: dict[str, Any], said: Answer) -> str:
    if said.tool_calls:
        return "tool_calls"
    limit = native.get("max_tokens")
    return "length" if limit is not None and said.completion_tokens >= limit else "stop"


def answer_for(body: dict[str, Any], include: str = "") -> tuple[dict[str, Any], Answer]:
    """The native body of an OpenAI *body*, and the fake model's answer to it, honouring
    what OpenAI's reference says of ``tool_choice``, ``response_format`` ``json_object`` and
    ``stop`` (the service's reading says nothing of them)."""
    native = native_body(body)
    choice = body.get("tool_choice")
    if choice == "none":
        native.pop("tools", None)
    elif isinstance(choice, dict) and native.get("tools"):
        wanted = (choice.get("function") or {}).get("name")
        native["tools"] = [t for t in native["tools"] if _tool_name(t) == wanted]
    forced = native.get("tools") and (choice == "required" or isinstance(choice, dict))
    said = answer(native, include=include, call=bool(forced))
    if not said.tool_calls:
        format_ = body.get("response_format")
        if isinstance(format_, dict) and format_.get("type") == "json_object":
            said.pieces = _as_json_object(said.pieces, native.get("max_tokens"))
        _cut_at_stop(said, body.get("stop"))
    return native, said


def _tool_name(tool: Any) -> Any:
    return ((tool.get("function") or tool) if isinstance(tool, dict) else {}).get("name")


def _as_json_object(pieces: list[str], limit: Any) -> list[str]:
    """The answer's words as one JSON object, a piece per token, cut at *limit* tokens."""
    words = [orjson.dumps(p).decode()[1:-1] for p in pieces]
    whole = ['{"answer": "', *words, '"}']
    return whole[:limit] if isinstance(limit, int) and limit >= 0 else whole


def _cut_at_stop(said: Answer, stop: Any) -> None:
    """The answer up to the first stop sequence, which it does not hold."""
    stops = [stop] if isinstance(stop, str) else stop if isinstance(stop, list) else []
    text = said.text
    cuts = [text.find(s) for s in stops if isinstance(s, str) and s and s in text]
    if not cuts:
        return
    left, kept = min(cuts), []
    for piece in said.pieces:
        if left <= 0:
            break
        kept.append(piece[:left])
        left -= len(piece)
    said.pieces = [p for p in kept if p]
