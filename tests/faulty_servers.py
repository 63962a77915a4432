"""Workers-AI-compatible servers with one realistic bug each, for the runner's tests.

They are written independently of the reference server, the way a team might write
its own compatible server: Python's ``json`` module, the reference ``jsonschema``
library with a (sometimes mis-copied) schema, and their own fake model. With
``bug=None`` the server is faithful and must pass every check.
"""

from __future__ import annotations

import asyncio
import copy
import json
import random
from typing import Any

import jsonschema
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from wai_contract import MODEL, load_schema

TOKEN = "faulty-server-token"
WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]

# bug -> the check that must catch it
BUGS: dict[str, str] = {
    "top-k-max-49": "accepts-valid",  # limit off by one, too strict
    "prompt-max-131073": "rejects-invalid",  # limit off by one, too lax
    "seed-min-0": "rejects-invalid",
    "utf16-length": "accepts-valid",  # counts UTF-16 units: astral prompts at the limit fail
    "both-branches-accepted": "rejects-invalid",  # anyOf instead of oneOf
    "rejects-empty-messages": "accepts-valid",
    "ignores-max-tokens": "max-tokens",
    "ignores-seed": "seed-determinism",
    "ignores-stream": "streaming",
    "stream-differs": "streaming",
    "no-done": "streaming",
    "events-after-done": "streaming",
    "usage-as-strings": "accepts-valid",
    "success-string": "accepts-valid",
    "error-code-string": "rejects-invalid",
    "usage-off-by-one": "usage-totals",
    "unoffered-tool": "tool-calls",
    "tool-args-wrong-type": "tool-calls",
    "crash-on-astral": "no-server-errors",
    "crash-on-float-integer": "no-server-errors",  # max_tokens: 256.0, legal, no bound names it
    "int32-seed": "accepts-valid",  # seeds past 2**31 - 1 refused, though the schema allows them
    "crash-on-tool-role": "no-server-errors",
    "lora-500": "rejects-invalid",  # a finetune it does not have: 500, not the service's 3037
    "no-auth": "auth",
    "truncated-body": "transport",
    "hang-on-long-prompt": "transport",
    "stream-stalls": "transport",  # three events, then nothing
}


WARNED = {"ignores-seed", "stream-differs", "tool-args-wrong-type"}
"""Bugs of behaviour the vendor describes but does not guarantee: warnings by default,
failures with ``strict``."""


def _schema(bug: str | None) -> dict[str, Any]:
    schema = copy.deepcopy(load_schema("input"))
    prompt, messages = schema["oneOf"]
    if bug == "top-k-max-49":
        for branch in (prompt, messages):
            branch["properties"]["top_k"]["maximum"] = 49
    if bug == "prompt-max-131073":
        prompt["properties"]["prompt"]["maxLength"] = 131073
    if bug == "seed-min-0":
        for branch in (prompt, messages):
            branch["properties"]["seed"]["minimum"] = 0
    if bug == "both-branches-accepted":
        schema["anyOf"] = schema.pop("oneOf")
    if bug == "rejects-empty-messages":
        messages["properties"]["messages"]["minItems"] = 1
    return schema


def _error(status: int, code: Any, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "result": None,
            "success": False,
            "errors": [{"code": code, "message": message}],
            "messages": [],
        },
        status_code=status,
    )


def _text_of(body: dict[str, Any]) -> str:
    if "prompt" in body:
        return str(body["prompt"])
    return " ".join(str(m.get("content", "")) for m in body.get("messages", []))


def _answer(body: dict[str, Any], bug: str | None) -> tuple[list[str], list[dict[str, Any]]]:
    seeded = "seed" in body and bug != "ignores-seed"
    material = {k: v for k, v in body.items() if k != "stream"}
    rng = random.Random(json.dumps(material, sort_keys=True) if seeded else None)
    limit = body.get("max_tokens", 256)
    if bug == "crash-on-float-integer" and isinstance(limit, float):
        range(limit)  # raises: 5.0 is an integer to JSON Schema, not to range()
    limit = int(limit)
    count = 40 if bug == "ignores-max-tokens" else max(0, min(limit, rng.randint(2, 30)))
    words = [rng.choice(WORDS) for _ in range(count)]
    calls: list[dict[str, Any]] = []
    tools = body.get("tools") or []
    if tools and rng.random() < 0.7 and count > 8:
        spec = tools[0].get("function", tools[0])
        name = "delete_everything" if bug == "unoffered-tool" else spec["name"]
        arguments: dict[str, Any] = {}
        for key, declared in spec["parameters"]["properties"].items():
            kind = declared.get("type")
            value: Any = {"integer": 3, "number": 2.5, "boolean": True}.get(kind, "Lisbon")
            arguments[key] = 12345 if bug == "tool-args-wrong-type" and kind == "string" else value
        for key in spec["parameters"].get("required", []):
            arguments.setdefault(key, "Lisbon")
        calls.append({"name": name, "arguments": arguments})
        words = []
    return words, calls


def _problems(validator: Any, body: Any, bug: str | None) -> list[str]:
    problems = [
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:100]}"
        for e in validator.iter_errors(body)
    ]
    if bug == "utf16-length" and isinstance(body, dict):
        text = body.get("prompt")
        if isinstance(text, str) and len(text.encode("utf-16-le")) // 2 > 131072:
            problems.append("/prompt: too long")
    if bug == "int32-seed" and isinstance(body, dict) and body.get("seed", 0) > 2**31 - 1:
        problems.append("/seed: out of range")
    return problems


def faulty_app(bug: str | None) -> Starlette:
    """A compatible server with *bug* (a key of :data:`BUGS`), or faithful with None."""
    validator = jsonschema.Draft202012Validator(_schema(bug))

    async def run(request: Request) -> Response:
        if bug != "no-auth" and request.headers.get("authorization") != f"Bearer {TOKEN}":
            return _error(401, 10000, "Authentication error")
        if request.path_params["model"] != MODEL:
            return _error(400, 5007, "no such model")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _error(400, 5006, "body is not JSON")
        problems = _problems(validator, body, bug)
        if problems:
            return _error(400, "5006" if bug == "error-code-string" else 5006, problems[0])
        if isinstance(body.get("lora"), str):  # no finetunes here
            if bug == "lora-500":
                return _error(500, 5000, "internal error")
            return _error(400, 3037, f"AiError: Finetune {body['lora']} not found")
        if bug == "crash-on-astral" and any(ord(c) > 0xFFFF for c in _text_of(body)):
            return _error(500, 5000, "internal error")
        if bug == "crash-on-tool-role" and any(
            m.get("role") == "tool" for m in body.get("messages", [])
        ):
            raise RuntimeError("unexpected role")  # Starlette answers 500
        if bug == "hang-on-long-prompt" and len(_text_of(body)) > 100_000:
            await asyncio.sleep(3600)
        words, calls = _answer(body, bug)
        text = " ".join(words)
        usage = _usage(body, words, calls, bug)
        if body.get("stream") is True and bug != "ignores-stream":
            return StreamingResponse(
                _events(words, calls, usage, bug), media_type="text/event-stream"
            )
        result: dict[str, Any] = {"response": text, "usage": usage}
        if calls:
            result["tool_calls"] = calls
        payload = json.dumps(
            {
                "result": result,
                "success": "true" if bug == "success-string" else True,
                "errors": [],
                "messages": [],
            }
        ).encode()
        if bug == "truncated-body" and "raw" in body:
            return Response(
                payload,
                media_type="application/json",
                headers={"content-length": str(len(payload) + 50)},
            )
        return Response(payload, media_type="application/json")

    return Starlette(
        routes=[Route("/client/v4/accounts/{account}/ai/run/{model:path}", run, methods=["POST"])]
    )


def _usage(body: Any, words: list[str], calls: list[Any], bug: str | None) -> dict[str, Any]:
    prompt_tokens = max(1, len(_text_of(body).split()))
    completion = len(words) + len(calls)
    usage: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion,
        "total_tokens": prompt_tokens + completion + (1 if bug == "usage-off-by-one" else 0),
    }
    if bug == "usage-as-strings":
        usage = {k: str(v) for k, v in usage.items()}
    return usage


async def _events(
    words: list[str], calls: list[dict[str, Any]], usage: dict[str, Any], bug: str | None
) -> Any:
    pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]
    if bug == "stream-differs" and pieces:
        pieces[-1] = pieces[-1].upper()
    for number, piece in enumerate(pieces):
        if bug == "stream-stalls" and number == 3:
            await asyncio.sleep(3600)
        yield f"data: {json.dumps({'response': piece})}\n\n".encode()
    last: dict[str, Any] = {"response": "", "usage": usage}
    if calls:
        last["tool_calls"] = calls
    yield f"data: {json.dumps(last)}\n\n".encode()
    if bug != "no-done":
        yield b"data: [DONE]\n\n"
    if bug == "events-after-done":
        yield b'data: {"response": "late"}\n\n'
