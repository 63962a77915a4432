"""ASGI wrappers that put the reference app behind an OpenAI-style server, for the tests of
the OpenAI-compatible surface and of the clients that speak it."""

from __future__ import annotations

import json
from typing import Any


def gateway(inner: Any) -> Any:
    """An OpenAI-style gateway in front of the reference app: ``/v1/chat/completions``."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/v1/chat/completions":
            path = "/client/v4/accounts/x/ai/v1/chat/completions"
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await inner(scope, receive, send)

    return app


def changing_gateway(inner: Any, change: Any) -> Any:
    """A self-hosted-style server at ``/v1/chat/completions`` that passes each JSON body
    through *change* first: the body to send on, or an ``(status, error)`` to answer."""
    outer = gateway(inner)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await outer(scope, receive, send)
        raw = await read_body(receive)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        changed = change(body) if isinstance(body, dict) else body
        if isinstance(changed, tuple):
            status, error = changed
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            return await send({"type": "http.response.body", "body": json.dumps(error).encode()})
        data = json.dumps(changed).encode() if changed is not None else raw
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        headers.append((b"content-length", str(len(data)).encode()))
        return await outer({**scope, "headers": headers}, replaying(data), send)

    return app


async def read_body(receive: Any) -> bytes:
    """A request's whole body, from the ASGI messages that carry it."""
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def replaying(data: bytes) -> Any:
    """An ASGI ``receive`` that gives *data* as the request's body, then a disconnect."""
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": data, "more_body": False}

    return receive
