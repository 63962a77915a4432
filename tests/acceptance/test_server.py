"""The reference server through real HTTP, as clients see it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest

from wai_contract import load_schema
from wai_contract.server import FAULTS, LocalServer, serve

TOKEN = "test-token-not-a-secret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CHAT = [{"role": "user", "content": "Why is pizza so good?"}]
TOOL = {
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {
        "type": "object",
        "required": ["city"],
        "properties": {
            "city": {"type": "string", "description": "City"},
            "days": {"type": "integer", "description": "Days ahead"},
        },
    },
}

ENVELOPE = jsonschema.Draft202012Validator(load_schema("envelope"))
OUTPUT = jsonschema.Draft202012Validator(load_schema("output"))
EVENT = jsonschema.Draft202012Validator(load_schema("stream-event"))


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with serve(token=TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(headers=AUTH, timeout=30) as http:
        yield http


def ok(client: httpx.Client, server: LocalServer, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(server.model_url, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    envelope = response.json()
    ENVELOPE.validate(envelope)
    OUTPUT.validate(envelope["result"])
    assert envelope["success"] is True and envelope["errors"] == []
    result: dict[str, Any] = envelope["result"]
    return result


def error(response: httpx.Response, status: int, result: Any = None) -> list[dict[str, Any]]:
    """The errors of an error answer; *result* is what it carries: null for the platform's
    errors, {} for those of Workers AI itself (which also name the request)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    envelope = response.json()
    ENVELOPE.validate(envelope)
    assert envelope["success"] is False and envelope["result"] == result
    errors: list[dict[str, Any]] = envelope["errors"]
    assert errors and all(isinstance(e["code"], int) for e in errors)
    if result == {}:
        (only,) = errors
        request_id = response.headers["cf-ai-req-id"]
        assert only["message"].startswith("AiError: ")
        assert only["message"].endswith(f" ({request_id})")
    return errors


def test_answers_both_branches_in_the_envelope(server: LocalServer, client: httpx.Client) -> None:
    for body in ({"prompt": "Tell me about PEP-8"}, {"messages": CHAT}):
        result = ok(client, server, body)
        usage = result["usage"]
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


@pytest.mark.parametrize("text", ["a" * 131072, "\U0001f600" * 131072])
def test_limit_sized_prompts_are_accepted(
    server: LocalServer, client: httpx.Client, text: str
) -> None:
    ok(client, server, {"prompt": text})
    ok(client, server, {"messages": [{"role": "user", "content": text}]})


def test_invalid_bodies_get_400_with_the_pointer(server: LocalServer, client: httpx.Client) -> None:
    errors = error(client.post(server.model_url, json={"prompt": "hi", "top_k": 51}), 400, {})
    assert errors[0]["code"] == 5006
    assert errors[0]["message"].startswith(
        "AiError: Bad input: Error: /top_k: 51 is greater than the maximum of 50 ("
    )
    text_mode = {"prompt": "hi", "response_format": {"type": "text"}}  # not a published mode
    error(client.post(server.model_url, json=text_mode), 400, {})
    error(client.post(server.model_url, content=b'{"prompt": "hi",}'), 400, {})
    error(client.post(server.model_url, content=b'{"prompt": NaN}'), 400, {})
    error(client.post(server.model_url, content=b"[1, 2]"), 400, {})
    error(client.post(server.model_url, content=b""), 400, {})
    error(client.post(server.model_url, content=b"\xff\xfe garbage"), 400, {})
    error(client.post(server.model_url, content=b"[" * 100_000), 400, {})


@pytest.mark.parametrize(
    "branch", [{"prompt": "hi"}, {"messages": [{"role": "user", "content": "hi"}]}]
)
def test_a_finetune_it_does_not_have_gets_3037_as_the_service_says_it(
    server: LocalServer, client: httpx.Client, branch: dict[str, Any]
) -> None:
    """The service: ``AiError: AiError: Finetune <name> not found (<id>)`` (real-api.md)."""
    body = {**branch, "lora": "my-adapter"}
    (found,) = error(client.post(server.model_url, json=body), 400, {})
    assert found["code"] == 3037
    assert re.fullmatch(
        r"AiError: AiError: Finetune my-adapter not found \([0-9a-f-]+\)", found["message"]
    )


def test_the_native_path_judges_every_body_by_the_models_schema(
    server: LocalServer, client: httpx.Client
) -> None:
    """A body shaped for the OpenAI path, sent to /ai/run: ``model`` is a key the model's
    schema does not know, and its bounds are the model's (temperature up to 5, not 2)."""
    chat = {"model": "x", "messages": [{"role": "user", "content": "hi"}]}
    assert ok(client, server, {**chat, "temperature": 3})["response"]
    errors = error(client.post(server.model_url, json={**chat, "temperature": 9}), 400, {})
    assert "/temperature: 9 is greater than the maximum of 5" in errors[0]["message"]


def test_routing_statuses(server: LocalServer, client: httpx.Client) -> None:
    error(client.get(server.model_url), 405)
    error(client.put(server.model_url, json={"prompt": "x"}), 405)
    error(client.post(server.base_url + "/client/v4/accounts/x/ai/models", json={}), 404)
    assert error(client.get(server.model_url), 405)[0]["message"] == (
        "GET not supported for requested URI."
    )
    other = server.model_url.replace("mistral-7b-instruct-v0.2-lora", "llama-3-8b")
    refused = error(client.post(other, json={"prompt": "x"}), 400, {})
    assert "No such model" in refused[0]["message"] and refused[0]["code"] == 5007


def test_percent_encoded_model_name_is_accepted(server: LocalServer, client: httpx.Client) -> None:
    encoded = server.model_url.replace("@cf/mistral/", "@cf%2Fmistral%2F")
    assert client.post(encoded, json={"prompt": "hi"}).status_code == 200


def test_auth_as_the_v4_api_answers(server: LocalServer) -> None:
    body = {"prompt": "hi"}
    missing = httpx.post(server.model_url, json=body)
    assert missing.status_code == 400 and missing.json() == {
        "success": False,
        "errors": [
            {"code": 9106, "message": "Missing X-Auth-Key, X-Auth-Email or Authorization headers"}
        ],
    }
    wrong = error(
        httpx.post(server.model_url, json=body, headers={"Authorization": "Bearer nope"}), 401
    )
    assert wrong == [{"code": 10000, "message": "Authentication error"}]
    (malformed,) = error(
        httpx.post(server.model_url, json=body, headers={"Authorization": TOKEN}), 400
    )
    assert malformed["code"] == 6003 and malformed["error_chain"][0]["code"] == 6111


def test_oversized_body_gets_413(server: LocalServer, client: httpx.Client) -> None:
    payload = json.dumps({"prompt": "x" * (10 * 1024 * 1024)}).encode()
    assert error(client.post(server.model_url, content=payload), 413, {})[0]["code"] == 3006

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit still holds
        for _ in range(11):
            yield b" " * (1024 * 1024)

    error(client.post(server.model_url, content=chunks()), 413, {})


def test_seed_determinism_and_variation(server: LocalServer, client: httpx.Client) -> None:
    body = {"messages": CHAT, "seed": 42}
    assert ok(client, server, body)["response"] == ok(client, server, body)["response"]
    unseeded = {ok(client, server, {"messages": CHAT})["response"] for _ in range(5)}
    assert len(unseeded) > 1


@pytest.mark.parametrize("limit", [0, 1, 2, 7, 300])
def test_never_more_than_max_tokens(server: LocalServer, client: httpx.Client, limit: int) -> None:
    for seed in range(1, 6):
        usage = ok(client, server, {"prompt": "hi", "max_tokens": limit, "seed": seed})["usage"]
        assert usage["completion_tokens"] <= limit


def test_tool_calls_name_an_offered_tool_with_valid_arguments(
    server: LocalServer, client: httpx.Client
) -> None:
    calls = []
    for seed in range(1, 30):
        for tool in (TOOL, {"type": "function", "function": TOOL}):
            result = ok(client, server, {"messages": CHAT, "tools": [tool], "seed": seed})
            calls += result.get("tool_calls", [])
    assert calls, "some answers call the tool"
    for call in calls:
        assert call["name"] == "get_weather"
        jsonschema.validate(call["arguments"], TOOL["parameters"])


def test_an_answer_with_tool_calls_has_a_null_response_as_the_service_sends(
    server: LocalServer, client: httpx.Client
) -> None:
    results = [
        ok(client, server, {"messages": CHAT, "tools": [TOOL], "seed": seed})
        for seed in range(1, 20)
    ]
    assert {r["response"] is None for r in results if r.get("tool_calls")} == {True}
    assert all(isinstance(r["response"], str) for r in results if not r.get("tool_calls"))


def read_stream(
    client: httpx.Client, url: str, body: dict[str, Any]
) -> tuple[httpx.Response, list[bytes]]:
    with client.stream("POST", url, json=body) as response:
        chunks = list(response.iter_raw())
    return response, chunks


def parse_events(raw: bytes) -> list[str]:
    text = raw.decode("utf-8").replace("\r\n", "\n")
    assert text.endswith("\n\n")
    return [block.removeprefix("data: ") for block in text.strip("\n").split("\n\n")]


def test_stream_framing_and_events(server: LocalServer, client: httpx.Client) -> None:
    body = {"messages": CHAT, "seed": 7, "max_tokens": 40}
    response, chunks = read_stream(client, server.model_url, {**body, "stream": True})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_events(b"".join(chunks))
    assert events[-1] == "[DONE]"
    decoded = [json.loads(e) for e in events[:-1]]
    for event in decoded:
        EVENT.validate(event)
    joined = "".join(e["response"] for e in decoded)
    assert joined == ok(client, server, body)["response"]
    assert decoded[-1]["usage"]["completion_tokens"] <= 40
    # As the service streams (real-api.md): padding p and tool_calls [] on every piece.
    assert all(e["p"] and e["tool_calls"] == [] for e in decoded[:-1])
    assert response.headers["cf-ai-req-id"]


def test_cli_serve_prints_its_address_and_stops_on_sigterm() -> None:
    env = {**os.environ, "CLOUDFLARE_API_TOKEN": TOKEN}
    process = subprocess.Popen(
        [sys.executable, "-m", "wai_contract", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("listening on http://127.0.0.1:")
        url = (
            first.removeprefix("listening on ")
            + "/client/v4/accounts/a/ai/run/"
            + "@cf/mistral/mistral-7b-instruct-v0.2-lora"
        )
        assert httpx.post(url, json={"prompt": "hi"}, headers=AUTH).status_code == 200
        # The published schema by default: no maximum length (the page's is 131072).
        long = {"prompt": "a" * 131073}
        assert httpx.post(url, json=long, headers=AUTH, timeout=30).status_code == 200
        assert httpx.post(url, json={"prompt": "hi"}).status_code == 400  # 9106: no token
        assert (
            httpx.post(
                url, json={"prompt": "hi"}, headers={"Authorization": "Bearer x"}
            ).status_code
            == 401
        )
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0
    assert TOKEN not in stderr


def test_cli_serve_usage_errors() -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
        return subprocess.run(
            [sys.executable, "-m", "wai_contract", "serve", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )

    missing = run("--port", "0")
    assert missing.returncode == 2 and missing.stderr.startswith("error: no token")
    unknown = run("--no-auth", "--fault", "explode")
    assert unknown.returncode == 2 and "unknown fault 'explode'" in unknown.stderr
    listed = run("--list-faults")
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == list(FAULTS)


# --- faults ----------------------------------------------------------------------------


def with_fault(name: str) -> Any:
    return serve(token=None, faults=[name])


def test_fault_no_done() -> None:
    with with_fault("no-done") as broken, httpx.Client() as http:
        _, chunks = read_stream(http, broken.model_url, {"prompt": "hi", "stream": True})
    assert "[DONE]" not in parse_events(b"".join(chunks))


def test_fault_split_utf8() -> None:
    with with_fault("split-utf8") as broken, httpx.Client() as http:
        _, chunks = read_stream(
            http, broken.model_url, {"prompt": "hi", "stream": True, "max_tokens": 20}
        )
    split = [c for c in chunks if c.endswith("é".encode()[:1])]
    assert split, "one network chunk ends inside the two bytes of é"
    assert "é" in b"".join(chunks).decode("utf-8")


def test_fault_crlf() -> None:
    with with_fault("crlf") as odd, httpx.Client() as http:
        _, chunks = read_stream(http, odd.model_url, {"prompt": "hi", "stream": True})
    raw = b"".join(chunks)
    assert b"\r\n\r\n" in raw and parse_events(raw)[-1] == "[DONE]"


def test_fault_flaky_500_and_rate_limit() -> None:
    with with_fault("flaky-500") as flaky:
        statuses = [
            httpx.post(flaky.model_url, json={"prompt": "x"}).status_code for _ in range(10)
        ]
    assert statuses.count(500) == 2 and statuses.count(200) == 8
    with with_fault("rate-limit") as limited:
        responses = [httpx.post(limited.model_url, json={"prompt": "x"}) for _ in range(8)]
    throttled = [r for r in responses if r.status_code == 429]
    assert len(throttled) == 2 and all(r.headers["retry-after"] == "1" for r in throttled)


def test_fault_slow_first_byte() -> None:
    with with_fault("slow-first-byte") as slow:
        started = time.monotonic()
        assert httpx.post(slow.model_url, json={"prompt": "x"}).status_code == 200
        assert time.monotonic() - started >= 1.9


def test_token_delay_paces_the_stream() -> None:
    with serve(token=None, token_delay_ms=60) as paced, httpx.Client() as http:
        started = time.monotonic()
        _, chunks = read_stream(
            http, paced.model_url, {"prompt": "hi", "stream": True, "max_tokens": 6, "seed": 2}
        )
        elapsed = time.monotonic() - started
    pieces = len(parse_events(b"".join(chunks))) - 2  # less the usage event and [DONE]
    assert pieces >= 3 and elapsed >= pieces * 0.06 * 0.9
