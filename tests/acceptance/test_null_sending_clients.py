"""Real clients of the OpenAI path that send a null OpenAI's reference allows, unchanged
against ``serve``: llm-cloudflare sends ``"max_tokens": null``, Cloudflare's own
langchain-cloudflare (``openai_compatible``) ``"stop": null`` (../shared/real-api.md, "Clients
send nulls"). Each is configured only through its public settings (a base URL, a key)."""

from __future__ import annotations

import gc
import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from wai_contract import MODEL
from wai_contract.server import serve_asgi
from wai_contract.server.app import ServerConfig, create_app

TOKEN = "client-token-0123456789"


@pytest.fixture
def recorded() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The reference app on a free loopback port, and every JSON body it was sent."""
    app = create_app(ServerConfig(token=TOKEN))
    bodies: list[dict[str, Any]] = []

    async def recording(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        data, given = b"".join(chunks), False
        bodies.append(json.loads(data))

        async def replay() -> dict[str, Any]:
            nonlocal given
            if given:
                return {"type": "http.disconnect"}
            given = True
            return {"type": "http.request", "body": data, "more_body": False}

        await app(scope, replay, send)

    with serve_asgi(recording) as base:
        yield base, bodies
    # The clients leave their connections to the garbage collector: closed here, not in
    # whichever test the collector next runs in.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def test_llm_cloudflare_sends_max_tokens_null_and_gets_its_answer(
    recorded: tuple[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import llm

    base, bodies = recorded
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "acct")
    model = llm.get_model(MODEL)
    model.api_base_url = f"{base}/client/v4/accounts/acct/ai/v1"  # type: ignore[attr-defined]
    model.key = TOKEN
    said = model.prompt("Hello").text()  # streamed, as llm asks by default
    assert said.strip()
    (body,) = bodies
    assert body["max_tokens"] is None and body["stream"] is True


def test_langchain_cloudflare_sends_stop_null_and_gets_its_answer(
    recorded: tuple[str, list[dict[str, Any]]],
) -> None:
    from langchain_cloudflare import ChatCloudflareWorkersAI

    base, bodies = recorded
    chat = ChatCloudflareWorkersAI(
        model=MODEL,
        account_id="acct",
        api_token=TOKEN,
        base_url=f"{base}/client/v4",
        endpoint_format="openai_compatible",
    )
    said = chat.invoke("Hello").content
    streamed = "".join(str(chunk.content) for chunk in chat.stream("Hello"))
    assert said and streamed.strip()
    assert len(bodies) == 2 and all("stop" in body and body["stop"] is None for body in bodies)
