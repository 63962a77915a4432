"""The official Cloudflare Python SDK, pointed at the reference server, works unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from wai_contract import MODEL
from wai_contract.server import LocalServer, serve

if TYPE_CHECKING:  # imported where used, not by every worker as it collects
    from cloudflare import Cloudflare

TOKEN = "sdk-test-token"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with serve(token=TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: LocalServer) -> Iterator[Cloudflare]:
    from cloudflare import Cloudflare

    with Cloudflare(
        api_token=TOKEN, base_url=f"{server.base_url}/client/v4", max_retries=0
    ) as opened:
        yield opened


def test_messages_prompt_and_tools(client: Cloudflare, server: LocalServer) -> None:
    result = client.ai.run(
        MODEL,
        account_id=server.account_id,
        messages=[{"role": "user", "content": "Why is pizza good?"}],
    )
    assert isinstance(result, dict) and isinstance(result["response"], str)
    result = client.ai.run(
        MODEL, account_id=server.account_id, prompt="Tell me about PEP-8", max_tokens=5, seed=3
    )
    assert isinstance(result, dict) and result["usage"]["completion_tokens"] <= 5
    tool = {
        "name": "get_weather",
        "description": "Weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "City"}},
            "required": ["city"],
        },
    }
    seen_call = False
    for seed in range(1, 12):
        result = client.ai.run(
            MODEL,
            account_id=server.account_id,
            seed=seed,
            messages=[{"role": "user", "content": "Weather?"}],
            tools=[tool],
        )
        assert isinstance(result, dict)
        seen_call = seen_call or bool(result.get("tool_calls"))
    assert seen_call


def test_invalid_input_raises_bad_request(client: Cloudflare, server: LocalServer) -> None:
    import cloudflare

    with pytest.raises(cloudflare.BadRequestError) as raised:
        client.ai.run(MODEL, account_id=server.account_id, prompt="hi", top_k=51)
    assert "/top_k" in str(raised.value)


def test_bad_token_raises_authentication_error(server: LocalServer) -> None:
    import cloudflare
    from cloudflare import Cloudflare

    bad = Cloudflare(api_token="wrong", base_url=f"{server.base_url}/client/v4", max_retries=0)
    with bad, pytest.raises(cloudflare.AuthenticationError):
        bad.ai.run(MODEL, account_id=server.account_id, prompt="hi")


def test_streaming_response_yields_sse_lines(client: Cloudflare, server: LocalServer) -> None:
    with client.ai.with_streaming_response.run(
        MODEL, account_id=server.account_id, prompt="Tell me a story", stream=True, seed=4
    ) as response:
        lines = [line for line in response.iter_lines() if line]
    assert lines[0].startswith("data: {")
    assert lines[-1] == "data: [DONE]"
