"""The reference server's ASGI application (Starlette).

``POST /client/v4/accounts/{account_id}/ai/run/{model}`` answers as the live endpoint
does (../shared/real-api.md), in the Cloudflare v4 envelope, with a ``cf-ai-req-id``
header. Errors of the v4 platform carry ``result: null``; errors of Workers AI itself carry
``result: {}`` and one ``AiError: ...`` message that ends with the request id:

=====  ======  ======  =====================================================
HTTP   code    result  when
=====  ======  ======  =====================================================
400    9106    absent  no ``Authorization`` header (observed on the v4 API)
400    6003    null    an ``Authorization`` header that is not ``Bearer <token>``
401    10000   null    a wrong token
404    7000    null    no such route (our reading: the service was seen with 400)
405    7001    null    another method than POST, with the service's message
400    5007    {}      another model than ``@cf/mistral/mistral-7b-instruct-v0.2-lora``
413    3006    {}      a body larger than the configured limit
400    5006    {}      a body not JSON, not an object, or invalid against the schema
400    3037    {}      a ``lora`` naming a finetune (the server has none; HTTP 400 is our
                       reading: the service's status for 3037 is not recorded)
429    3040    {}      out of capacity (fault ``rate-limit``)
500    5000    {}      internal error (fault ``flaky-500`` only: no input causes one)
=====  ======  ======  =====================================================
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ..lint import jsontext, lint
from ..schemas import MODEL, load_schema, without_openai_nulls
from ..validators import compile_validator
from . import faults as _faults
from . import openai
from .model import Answer, answer

REQUEST_ID = "cf-ai-req-id"
MAX_BODY_BYTES = 8 * 1024 * 1024
BODY_TIMEOUT = 30.0
HEAD_TIMEOUT = 10.0
"""Seconds a request head may take to arrive whole (then 408: see :mod:`.protocol`)."""
"""Request bodies larger than this get 413, unless configured otherwise."""


@dataclass
class ServerConfig:
    """How the reference server behaves. ``token=None`` disables auth."""

    token: str | None = None
    token_delay_ms: float = 0.0
    faults: frozenset[str] = frozenset()
    max_body_bytes: int = MAX_BODY_BYTES
    body_timeout: float = BODY_TIMEOUT
    """Seconds a request body may take to arrive whole (then 408)."""
    _counter: itertools.count[int] = field(default_factory=itertools.count, repr=False)


def envelope_error(
    status: int, code: int, message: str, *, headers: dict[str, str] | None = None
) -> Response:
    """An error of the v4 platform (routing, method, auth): ``result`` null."""
    body = {"result": None, "success": False, "errors": [{"code": code, "message": message}]}
    return _json(status, {**body, "messages": []}, headers)


def ai_error(
    status: int, code: int, message: str, request_id: str, headers: dict[str, str] | None = None
) -> Response:
    """An error of Workers AI itself: ``result`` {}, one ``AiError`` ending with the id."""
    error = {"message": f"AiError: {message} ({request_id})", "code": code}
    body = {"errors": [error], "success": False, "result": {}, "messages": []}
    return _json(status, body, {**(headers or {}), REQUEST_ID: request_id})


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def create_app(config: ServerConfig) -> Starlette:
    """The ASGI app for *config*."""

    async def run_model(request: Request) -> Response:
        gate = _gate(request, config)
        if isinstance(gate, Response):
            return gate
        request_id = gate
        model = request.path_params["model"]
        if model != MODEL:
            return ai_error(400, 5007, f"No such model {model}", request_id)
        data = await _read_body(request, config, request_id)
        if isinstance(data, Response):
            return data
        body = _valid_body(data)
        if body is None:  # invalid, or text only the lenient reader takes: the linter says
            result = lint(data, positions=False, api="native")
            if not result.valid:
                first = result.errors[0]
                where = first.pointer or "/"
                said = f"Bad input: Error: {where}: {first.message}"
                return ai_error(400, 5006, said, request_id)
            body = _json_body(data)
        if isinstance(body.get("lora"), str):  # an account's finetune: this server has none
            said = f"AiError: Finetune {body['lora']} not found"  # as the service says it
            return ai_error(400, 3037, said, request_id)
        if "slow-first-byte" in config.faults:
            await asyncio.sleep(_faults.SLOW_FIRST_BYTE_SECONDS)
        return _model_response(body, config, request_id)

    async def not_found(request: Request, exc: Exception) -> Response:
        return envelope_error(404, 7000, "No route for that URI")

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return envelope_error(
            405,
            7001,
            f"{request.method} not supported for requested URI.",
            headers={"Allow": "POST"},
        )

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 400
        return ai_error(status, 5006, str(getattr(exc, "detail", exc)), str(uuid.uuid4()))

    return Starlette(
        routes=[
            Route(
                "/client/v4/accounts/{account_id}/ai/run/{model:path}", run_model, methods=["POST"]
            ),
            Route("/client/v4/accounts/{account_id}/ai/models/schema", _schema_endpoint(config)),
            Route(
                "/client/v4/accounts/{account_id}/ai/v1/chat/completions",
                _chat_endpoint(config),
                methods=["POST"],
            ),
        ],
        exception_handlers={404: not_found, 405: not_allowed, HTTPException: http_error},
    )


def _valid_body(data: bytes) -> Any:
    """The body's JSON value when strict JSON that the input schema accepts (the linter's
    verdict, without the warnings a server has no use for); else None."""
    try:
        body = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    return body if compile_validator("input").is_valid(body) else None


def _json_body(data: bytes) -> Any:
    """The body's JSON value (None if it is not JSON), as the linter reads it: a lone
    surrogate escape, which strict parsers refuse, becomes U+FFFD."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    try:
        return jsontext.parse(data).value
    except jsontext.JsonTextError:
        return None


def _chat_endpoint(config: ServerConfig) -> Callable[[Request], Awaitable[Response]]:
    """``POST .../ai/v1/chat/completions``: the OpenAI-compatible surface (see :mod:`.openai`)."""

    async def chat(request: Request) -> Response:
        gate = _gate(request, config)
        if isinstance(gate, Response):
            return gate
        request_id = gate
        data = await _read_body(request, config, request_id)
        if isinstance(data, Response):
            return data
        body = _json_body(data)
        if body is None:
            return ai_error(400, 5006, "Bad input: Error: the body is not JSON", request_id)
        body = without_openai_nulls(body)
        problem = openai.request_problem(body)
        if problem is not None:
            return ai_error(400, 5006, f"Bad input: Error: {problem}", request_id)
        if "slow-first-byte" in config.faults:
            await asyncio.sleep(_faults.SLOW_FIRST_BYTE_SECONDS)
        include = "é" if "split-utf8" in config.faults else ""
        native, said = openai.answer_for(body, include)
        headers = {REQUEST_ID: request_id}
        if body.get("stream") is True:
            events = openai.chunks(body, native, said, config.faults)
            return StreamingResponse(events, media_type="text/event-stream", headers=headers)
        return Response(
            openai.completion(native, said), media_type="application/json", headers=headers
        )

    return chat


def _schema_endpoint(config: ServerConfig) -> Callable[[Request], Awaitable[Response]]:
    """``GET .../ai/models/schema?model=...``: the schemas in use, as the service publishes."""

    async def model_schema(request: Request) -> Response:
        refused = _refused(request, config.token)
        if refused is not None:
            return refused
        model = request.query_params.get("model", "")
        if model != MODEL:
            return ai_error(400, 5007, f"No such model {model}", str(uuid.uuid4()))
        result = {"input": load_schema("input"), "output": load_schema("output")}
        return _json(200, {"result": result, "success": True, "errors": [], "messages": []})

    return model_schema


def _gate(request: Request, config: ServerConfig) -> Response | str:
    """The answer that stops *request* before its body is read (a missing or wrong token,
    an injected fault), or else the id it is answered under."""
    number = next(config._counter)
    refused = _refused(request, config.token)
    if refused is not None:
        return refused
    request_id = str(uuid.uuid4())
    return _injected_error(config, number, request_id) or request_id


def _refused(request: Request, token: str | None) -> Response | None:
    """The platform's answer to a request without the right token, as the v4 API sends it."""
    if token is None:
        return None
    headers = request.headers.getlist("authorization")
    if len(headers) > 1:  # which one counts is anybody's guess: refuse, never pick one
        return _json(
            400,
            {
                "success": False,
                "errors": [{"code": 9106, "message": "More than one Authorization header"}],
            },
        )
    header = headers[0] if headers else None
    if header is None:
        return _json(
            400,
            {
                "success": False,
                "errors": [
                    {
                        "code": 9106,
                        "message": "Missing X-Auth-Key, X-Auth-Email or Authorization headers",
                    }
                ],
            },
        )
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip() or " " in given.strip():
        body = {
            "success": False,
            "errors": [
                {
                    "code": 6003,
                    "message": "Invalid request headers",
                    "error_chain": [
                        {"code": 6111, "message": "Invalid format for Authorization header"}
                    ],
                }
            ],
            "messages": [],
            "result": None,
        }
        return _json(400, body)
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        return envelope_error(401, 10000, "Authentication error")
    return None


def _injected_error(config: ServerConfig, number: int, request_id: str) -> Response | None:
    """The error answer a fault injects into request *number*, if any."""
    if "rate-limit" in config.faults and number % _faults.RATE_LIMIT_EVERY == (
        _faults.RATE_LIMIT_EVERY - 1
    ):
        return ai_error(
            429,
            3040,
            "Capacity temporarily exceeded, please try again. (injected fault rate-limit)",
            request_id,
            headers={"Retry-After": "1"},
        )
    if "flaky-500" in config.faults and number % _faults.FLAKY_EVERY == _faults.FLAKY_EVERY - 1:
        return ai_error(500, 5000, "Internal error (injected fault flaky-500)", request_id)
    return None


def _model_response(body: dict[str, Any], config: ServerConfig, request_id: str) -> Response:
    """The model's answer to a valid *body*, streamed or not."""
    # split-utf8 puts an é into every answer, streamed or not, so that a fixed seed
    # still gives one answer both ways.
    include = "é" if "split-utf8" in config.faults else ""
    headers = {REQUEST_ID: request_id}
    if body.get("stream") is True:
        return StreamingResponse(
            _events(answer(body, include=include), config),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", **headers},
        )
    said = answer(body, include=include)
    # The service sends "response": null beside tool calls (real-api.md, "Success answers").
    output: dict[str, Any] = {"response": None if said.tool_calls else said.text}
    if said.tool_calls:
        output["tool_calls"] = said.tool_calls
    output["usage"] = said.usage()
    return _json(200, {"result": output, "success": True, "errors": [], "messages": []}, headers)


async def _read_body(request: Request, config: ServerConfig, request_id: str) -> bytes | Response:
    """The whole body, or the answer when it is too large (413) or too slow (408); a
    client that left gets an answer nobody reads (and no traceback in the log)."""
    limit = config.max_body_bytes
    declared = request.headers.get("content-length", "")
    # The body is not read: the connection closes after the answer (the guard in
    # .protocol drops what still arrives, for a bounded time, before closing).
    close = {"Connection": "close"}
    if declared.isdigit() and int(declared) > limit:
        return ai_error(413, 3006, "Request is too large", request_id, headers=close)
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(config.body_timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    return ai_error(413, 3006, "Request is too large", request_id, headers=close)
                chunks.append(chunk)
    except TimeoutError:
        seconds = f"{config.body_timeout:g} s"
        return ai_error(
            408,
            3007,
            f"Request timeout: the body did not arrive within {seconds}",
            request_id,
            headers=close,
        )
    except ClientDisconnect:
        return ai_error(400, 3008, "the client went away", request_id)
    return b"".join(chunks)


_PADDING = random.Random()
_PAD_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


def _pad() -> str:
    """A random padding of random length, as the service's ``p`` (not a secret: it only
    varies the size of each event)."""
    return "".join(_PADDING.choices(_PAD_LETTERS, k=_PADDING.randint(1, 24)))


async def _events(said: Answer, config: ServerConfig) -> AsyncIterator[bytes]:
    end = b"\r\n\r\n" if "crlf" in config.faults else b"\n\n"
    delay = config.token_delay_ms / 1000
    # Every event carries tool_calls [] and a random padding p (real-api.md, "Streaming").
    for piece in said.pieces:
        event = b"data: " + orjson.dumps({"response": piece, "tool_calls": [], "p": _pad()}) + end
        if "split-utf8" in config.faults and "é".encode() in event:
            cut = event.index("é".encode()) + 1  # between the two bytes of é
            yield event[:cut]
            await asyncio.sleep(0.02)
            yield event[cut:]
        else:
            yield event
        if delay:
            await asyncio.sleep(delay)
    last: dict[str, Any] = {"response": "", "usage": said.usage()}
    if said.tool_calls:
        last["tool_calls"] = said.tool_calls
    yield b"data: " + orjson.dumps(last) + end
    if "no-done" not in config.faults:
        yield b"data: [DONE]" + end
