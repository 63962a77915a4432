"""A server that pastes the user's text into a JSON template, as naive mock servers do: the
reference server's answers, rewritten as ``'{"response": "' + text + '"}'`` on the native
surface and as a ``chat.completion`` on the OpenAI-compatible one. Only a quote, a
backslash, a line break or a control character in the text breaks what it sends."""

from __future__ import annotations

import json
from typing import Any

from tests.gateways import read_body, replaying
from wai_contract.server.app import ServerConfig, create_app
from wai_contract.server.model import content_text

TOKEN = "template-token-0123456789"
NATIVE = (
    '{"result":{"response":"You said: %s","usage":%s},"success":true,"errors":[],"messages":[]}'
)
OPENAI = (
    '{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"%s","choices":[{"index":0,'
    '"message":{"role":"assistant","content":"You said: %s"},"finish_reason":"stop"}],"usage":%s}'
)


def template_app(escape: bool) -> Any:
    """The templating server; with *escape*, it escapes the text as JSON asks (a control)."""
    inner = create_app(ServerConfig(token=TOKEN))

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await inner(scope, receive, send)
            return
        raw = await read_body(receive)
        start: dict[str, Any] = {}
        parts: list[bytes] = []

        async def keep(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                parts.append(message.get("body", b""))

        await inner(scope, replaying(raw), keep)
        answer = b"".join(parts)
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        if start["status"] == 200 and (b"content-type", b"application/json") in headers:
            answer = _templated(scope["path"], json.loads(raw), json.loads(answer), escape)
        headers.append((b"content-length", str(len(answer)).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    return app


def _templated(path: str, body: dict[str, Any], answer: dict[str, Any], escape: bool) -> bytes:
    last = (body.get("messages") or [{}])[-1]
    text = (
        body["prompt"] if isinstance(body.get("prompt"), str) else content_text(last.get("content"))
    )
    pasted = json.dumps(text, ensure_ascii=False)[1:-1] if escape else text
    if "/ai/v1/" in path:
        usage = json.dumps(answer["usage"])
        return (OPENAI % (answer["model"], pasted, usage)).encode()
    return (NATIVE % (pasted, json.dumps(answer["result"]["usage"]))).encode()
