"""Real clients of the OpenAI path that send a null OpenAI's reference allows, unchanged
against ``serve``: llm-cloudflare sends ``"max_tokens": null``, Cloudflare's own
langchain-cloudflare (``openai_compatible``) ``"stop": null`` (../shared/real-api.md, "Clients
send nulls"). Each is configured only through its public settings (a base URL, a key)."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from tests.gateways import changing_gateway

from wai_contract import MODEL
from wai_contract.server import serve_asgi
from wai_contract.server.app import ServerConfig, create_app

TOKEN = "client-token-0123456789"


@pytest.fixture
def recorded() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The reference app on a free loopback port, and every JSON body it was sent."""
    bodies: list[dict[str, Any]] = []

    def keep(body: dict[str, Any]) -> dict[str, Any]:
        bodies.append(body)
        return body

    with serve_asgi(changing_gateway(create_app(ServerConfig(token=TOKEN)), keep)) as base:
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
