"""A server that answers the way the live Workers AI service does (../shared/real-api.md),
written for the tests independently of the reference server: its own parsing, its own
validation (the reference ``jsonschema`` library) and its own fake model.

Everything it does is legal, if unlike the vendor page's simplest reading: errors of two
layers (``result`` null, ``{}`` or absent), 400/9106 without a token, 6003 for a malformed
one, ``"response": null`` beside tool calls in both forms, arguments as strings where the
tool said number, stream events without ``response`` and tool calls as deltas, ``usage``
with extra fields, a 429/3021 now and then, seeds that do not always reproduce, 3037 for an
unknown ``lora`` and, when given a context window, 413/5021 over it.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from typing import Any

import jsonschema
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from wai_contract import MODEL, load_schema

TOKEN = "0123456789abcdef0123456789abcdef01234567"
LORAS = ("my-finetune",)
WORDS = ("sure", "here", "is", "a", "short", "answer", "about", "that", "topic", "friend")


def _platform(status: int, code: int, message: str) -> JSONResponse:
    body = {"result": None, "success": False, "errors": [{"code": code, "message": message}]}
    return JSONResponse({**body, "messages": []}, status_code=status)


def _ai(status: int, code: int, message: str) -> JSONResponse:
    error = {"message": f"AiError: {message} ({secrets.token_hex(8)})", "code": code}
    body = {"errors": [error], "success": False, "result": {}, "messages": []}
    return JSONResponse(body, status_code=status)


def _auth_problem(request: Request) -> Response | None:
    header = request.headers.get("authorization")
    if header is None:
        body = {"success": False, "errors": [{"code": 9106, "message": "Missing X-Auth-Key"}]}
        return JSONResponse(body, status_code=400)
    scheme, _, given = header.partition(" ")
    if scheme != "Bearer" or len(given) != 40:
        chain = [{"code": 6111, "message": "Invalid format for Authorization header"}]
        error = {"code": 6003, "message": "Invalid request headers", "error_chain": chain}
        return JSONResponse({"success": False, "errors": [error], "result": None}, status_code=400)
    if given != TOKEN:
        return _platform(401, 10000, "Authentication error")
    return None


def _rng(body: dict[str, Any], salt: str = "") -> random.Random:
    text = json.dumps({k: v for k, v in body.items() if k != "stream"}, sort_keys=True)
    return random.Random(hashlib.sha256((salt + text).encode()).digest())


def _tool_call(body: dict[str, Any], rng: random.Random) -> dict[str, Any] | None:
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    if not tools or rng.random() < 0.3:
        return None
    tool = rng.choice(tools)
    spec = tool.get("function") if isinstance(tool.get("function"), dict) else tool
    parameters = spec.get("parameters") if isinstance(spec.get("parameters"), dict) else {}
    properties = parameters.get("properties")
    arguments = {}
    for name in properties if isinstance(properties, dict) else ():
        kind = properties[name].get("type") if isinstance(properties[name], dict) else None
        arguments[name] = "4" if kind in ("number", "integer") else "Lisbon"  # as the model does
    if rng.random() < 0.5:
        return {"name": spec.get("name"), "arguments": arguments}
    function = {"name": spec.get("name"), "arguments": json.dumps(arguments)}
    return {"id": f"chatcmpl-tool-{rng.randrange(10**6)}", "type": "function", "function": function}


def _answer(body: dict[str, Any]) -> tuple[list[str], dict[str, Any] | None, dict[str, Any]]:
    # Seeds reproduce, except now and then: nothing promises they do.
    salt = "" if "seed" in body and _rng(body, "drift").random() < 0.9 else secrets.token_hex(4)
    rng = _rng(body, salt)
    limit = body.get("max_tokens", 256)
    call = _tool_call(body, rng) if limit >= 3 else None  # a call costs 3 tokens here
    words = [] if call else [rng.choice(WORDS) for _ in range(min(int(limit), rng.randint(2, 30)))]
    text = json.dumps(body)
    prompt = max(1, len(text.split()))
    completion = len(words) + (3 if call else 0)
    usage = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
        "neurons": round(completion * 0.013, 4),
    }
    return [w if i == 0 else " " + w for i, w in enumerate(words)], call, usage


def _events(pieces: list[str], call: dict[str, Any] | None, usage: dict[str, Any]) -> Any:
    def event(data: dict[str, Any]) -> bytes:
        return b"data: " + json.dumps({**data, "p": secrets.token_hex(3)}).encode() + b"\n\n"

    yield event({"tool_calls": []})  # an event without a response, as real streams send
    for piece in pieces:
        yield event({"response": piece, "tool_calls": []})
    if call is not None:
        function = call.get("function") or {
            "name": call["name"],
            "arguments": json.dumps(call["arguments"]),
        }
        text = function["arguments"]
        head = {"index": 0, "id": "call_0", "type": "function"}
        yield event(
            {"tool_calls": [{**head, "function": {"name": function["name"], "arguments": ""}}]}
        )
        for start in range(0, len(text), 7):
            yield event(
                {"tool_calls": [{"index": 0, "function": {"arguments": text[start : start + 7]}}]}
            )
    yield b"data: " + json.dumps({"response": "", "usage": usage}).encode() + b"\n\n"
    yield b"data: [DONE]\n\n"


def real_like_app(context_window: int | None = None) -> Starlette:
    """The app; *context_window* (tokens) makes it refuse longer input with 413/5021."""
    validator = jsonschema.Draft202012Validator(load_schema("input"))
    counter = {"n": 0}

    async def run(request: Request) -> Response:
        counter["n"] += 1
        refused = _auth_problem(request)
        if refused is not None:
            return refused
        if request.path_params["model"] != MODEL:
            return _ai(400, 5007, "No such model")
        if counter["n"] % 37 == 0:  # Retry-After 0 keeps the tests fast; backoff is unit-tested
            busy = _ai(429, 3021, "Rate limited")
            busy.headers["Retry-After"] = "0"
            return busy
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            return _ai(400, 5006, "Bad input: Error: body is not JSON")
        error = next(iter(validator.iter_errors(body)), None)
        if error is not None:
            where = "/" + "/".join(map(str, error.absolute_path))
            return _ai(400, 5006, f"Bad input: Error: {where}: {error.message[:100]}")
        if "lora" in body and body["lora"] not in LORAS:
            return _ai(400, 3037, f"AiError: Finetune {body['lora']} not found")
        estimate = len(raw) // 4 + body.get("max_tokens", 256)
        if context_window is not None and estimate > context_window:
            message = f"exceeded this model context window limit ({context_window})"
            return _ai(
                413, 5021, f"AiError: The estimated number of tokens ({estimate}) {message}."
            )
        pieces, call, usage = _answer(body)
        if body.get("stream") is True:
            return StreamingResponse(_events(pieces, call, usage), media_type="text/event-stream")
        result: dict[str, Any] = {"response": None if call else "".join(pieces), "usage": usage}
        if call is not None:
            result["tool_calls"] = [call]
        return JSONResponse({"result": result, "success": True, "errors": [], "messages": []})

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return _platform(405, 7001, f"{request.method} not supported for requested URI.")

    return Starlette(
        routes=[Route("/client/v4/accounts/{account}/ai/run/{model:path}", run, methods=["POST"])],
        exception_handlers={405: not_allowed},
    )
