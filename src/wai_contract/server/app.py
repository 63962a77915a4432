"""The reference server's ASGI application (Starlette).

``POST /client/v4/accounts/{account_id}/ai/run/{model}`` answers as the live endpoint
does, in the Cloudflare v4 envelope. Error codes are our reading of the v4 convention:

=====  ======  ==========================================================
HTTP   code    when
=====  ======  ==========================================================
401    10000   missing or wrong bearer token
404    7000    no such route
405    7001    another method than POST
400    5007    another model than ``@cf/mistral/mistral-7b-instruct-v0.2-lora``
413    5021    body larger than the configured limit
400    5006    body not JSON, not an object, or invalid against the schema
429    3040    rate limited (fault ``rate-limit``)
500    5000    internal error (fault ``flaky-500`` only: no input causes one)
=====  ======  ==========================================================
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ..lint import lint
from ..schemas import MODEL
from . import faults as _faults
from .model import Answer, answer

MAX_ERRORS_LISTED = 10
MAX_BODY_BYTES = 8 * 1024 * 1024
"""Request bodies larger than this get 413, unless configured otherwise."""


@dataclass
class ServerConfig:
    """How the reference server behaves. ``token=None`` disables auth."""

    token: str | None = None
    token_delay_ms: float = 0.0
    faults: frozenset[str] = frozenset()
    max_body_bytes: int = MAX_BODY_BYTES
    _counter: itertools.count[int] = field(default_factory=itertools.count, repr=False)


def envelope_error(
    status: int, code: int, message: str, *, headers: dict[str, str] | None = None
) -> Response:
    """A Cloudflare v4 error envelope with one error."""
    return _error_envelope(status, [{"code": code, "message": message}], headers)


def _errors_envelope(messages: list[str]) -> Response:
    errors = [{"code": 5006, "message": m} for m in messages[:MAX_ERRORS_LISTED]]
    return _error_envelope(400, errors)


def _error_envelope(
    status: int, errors: list[dict[str, Any]], headers: dict[str, str] | None = None
) -> Response:
    body = {"result": None, "success": False, "errors": errors, "messages": []}
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def create_app(config: ServerConfig) -> Starlette:
    """The ASGI app for *config*."""

    async def run_model(request: Request) -> Response:
        number = next(config._counter)
        if config.token is not None and not _authorised(request, config.token):
            return envelope_error(401, 10000, "Authentication error")
        injected = _injected_error(config, number)
        if injected is not None:
            return injected
        model = request.path_params["model"]
        if model != MODEL:
            return envelope_error(400, 5007, f"No such model {model!r}; this server runs {MODEL}")
        data = await _read_body(request, config.max_body_bytes)
        if data is None:
            return envelope_error(
                413, 5021, f"Request body is larger than {config.max_body_bytes:,} bytes"
            )
        result = lint(data, positions=False)
        if not result.valid:
            return _errors_envelope([f"{e.pointer or '/'}: {e.message}" for e in result.errors])
        if "slow-first-byte" in config.faults:
            await asyncio.sleep(_faults.SLOW_FIRST_BYTE_SECONDS)
        return _model_response(orjson.loads(data), config)

    async def not_found(request: Request, exc: Exception) -> Response:
        return envelope_error(404, 7000, f"No route for {request.url.path}")

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return envelope_error(
            405, 7001, f"Method {request.method} not allowed; use POST", headers={"Allow": "POST"}
        )

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 400
        return envelope_error(status, 5006, str(getattr(exc, "detail", exc)))

    return Starlette(
        routes=[
            Route(
                "/client/v4/accounts/{account_id}/ai/run/{model:path}", run_model, methods=["POST"]
            )
        ],
        exception_handlers={404: not_found, 405: not_allowed, HTTPException: http_error},
    )


def _injected_error(config: ServerConfig, number: int) -> Response | None:
    """The error answer a fault injects into request *number*, if any."""
    if "rate-limit" in config.faults and number % _faults.RATE_LIMIT_EVERY == (
        _faults.RATE_LIMIT_EVERY - 1
    ):
        return envelope_error(
            429, 3040, "Rate limited (injected fault rate-limit)", headers={"Retry-After": "1"}
        )
    if "flaky-500" in config.faults and number % _faults.FLAKY_EVERY == _faults.FLAKY_EVERY - 1:
        return envelope_error(500, 5000, "Internal error (injected fault flaky-500)")
    return None


def _model_response(body: dict[str, Any], config: ServerConfig) -> Response:
    """The model's answer to a valid *body*, streamed or not."""
    # split-utf8 puts an é into every answer, streamed or not, so that a fixed seed
    # still gives one answer both ways.
    include = "é" if "split-utf8" in config.faults else ""
    if body.get("stream") is True:
        return StreamingResponse(
            _events(answer(body, include=include), config),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )
    said = answer(body, include=include)
    output: dict[str, Any] = {"response": said.text, "usage": said.usage()}
    if said.tool_calls:
        output["tool_calls"] = said.tool_calls
    return Response(
        orjson.dumps({"result": output, "success": True, "errors": [], "messages": []}),
        media_type="application/json",
    )


def _authorised(request: Request, token: str) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


async def _read_body(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _events(said: Answer, config: ServerConfig) -> AsyncIterator[bytes]:
    end = b"\r\n\r\n" if "crlf" in config.faults else b"\n\n"
    delay = config.token_delay_ms / 1000
    for piece in said.pieces:
        event = b"data: " + orjson.dumps({"response": piece}) + end
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
