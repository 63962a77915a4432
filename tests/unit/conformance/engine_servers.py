"""A reference server behind an injected transport, for the engine's tests: it can be made
to misbehave one request at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from wai_contract.conformance import RunOptions
from wai_contract.conformance.contract import parse_contract
from wai_contract.server.app import ServerConfig, create_app

URL = "http://server.test/client/v4/accounts/a/ai/run/@cf/mistral/mistral-7b-instruct-v0.2-lora"
SMALL = RunOptions(max_examples=40, concurrency=2)


def contract(**overrides: Any) -> Any:
    data: dict[str, Any] = {
        "version": 1,
        "checks": {
            "streaming": {"compare_cases": 3},
            "seed-determinism": {"probes": 1},
            "tool-calls": {"probes": 1},
            "max-tokens": {"probes": [1]},
        },
    }
    data.update(overrides)
    return parse_contract(data)


def reference_client(
    wrap: Callable[[httpx.Request, Callable[[httpx.Request], httpx.Response]], httpx.Response],
    token: str | None = "t",
) -> httpx.BaseTransport:
    """The reference app behind an httpx transport, with *wrap* able to misbehave."""
    asgi = create_app(ServerConfig(token=token))
    inner = httpx.Client(transport=SyncASGI(asgi), base_url="http://server.test")

    def handler(request: httpx.Request) -> httpx.Response:
        def forward(req: httpx.Request) -> httpx.Response:
            response = inner.send(req)
            response.read()
            return httpx.Response(
                response.status_code, headers=response.headers, content=response.content
            )

        return wrap(request, forward)

    return httpx.MockTransport(handler)


def error_response(status: int, code: int, message: str) -> httpx.Response:
    """A Cloudflare v4 error envelope, as a misbehaving server would send it."""
    return httpx.Response(
        status,
        json={
            "result": None,
            "success": False,
            "errors": [{"code": code, "message": message}],
            "messages": [],
        },
    )


class CutShort(httpx.SyncByteStream):
    """A body that stops half-way, as from a server that closes the connection early."""

    def __init__(self, request: httpx.Request) -> None:
        self.request = request

    def __iter__(self) -> Any:
        yield b'{"result": {"resp'
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body", request=self.request
        )


class SyncASGI(httpx.BaseTransport):
    """Run an ASGI app synchronously (httpx.ASGITransport is async-only)."""

    def __init__(self, app: Any) -> None:
        self.app = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        import anyio

        async def go() -> httpx.Response:
            body = request.read()
            async_request = httpx.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            response = await self.app.handle_async_request(async_request)
            content = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return anyio.run(go)
