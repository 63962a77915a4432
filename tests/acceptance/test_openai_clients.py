"""The OpenAI-compatible surface of the reference server, used by unchanged clients: the
``openai`` SDK with its ``base_url`` at ``.../ai/v1``, as Cloudflare documents it, and
litellm's ``cloudflare/`` provider with its ``api_base`` there."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import jsonschema
import pytest
from tests.gateways import changing_gateway, gateway

from wai_contract import MODEL, load_schema
from wai_contract.server import LocalServer, serve, serve_asgi
from wai_contract.server.app import ServerConfig, create_app

if TYPE_CHECKING:  # imported where used: the SDK takes 2 s to import on every worker
    import openai

TOKEN = "openai-surface-token-0123456789"
CHAT = [
    {"role": "system", "content": "Be brief"},
    {"role": "user", "content": "Why is pizza so good?"},
]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "required": ["city"],
            "properties": {  # the model's schema wants a description of each (as the service)
                "city": {"type": "string", "description": "The city's name"},
                "days": {"type": "integer", "description": "Days ahead"},
            },
        },
    },
}


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with serve(token=TOKEN) as running:
        yield running


def client(server: LocalServer, token: str = TOKEN) -> openai.OpenAI:
    """A new SDK client: use it in a ``with`` block, or its sockets outlive the test."""
    import openai

    base = f"{server.base_url}/client/v4/accounts/acct/ai/v1"
    return openai.OpenAI(api_key=token, base_url=base, max_retries=0, timeout=10)


@pytest.fixture(scope="module")
def api(server: LocalServer) -> Iterator[openai.OpenAI]:
    with client(server) as opened:
        yield opened


def native(server: LocalServer, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        server.model_url, json=body, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    result: dict[str, Any] = response.json()["result"]
    return result


def test_chat_answers_what_the_native_path_answers(server: LocalServer, api: openai.OpenAI) -> None:
    answer = api.chat.completions.create(model=MODEL, messages=CHAT, seed=7)
    jsonschema.validate(answer.model_dump(exclude_none=True), load_schema("openai-chat-response"))
    (choice,) = answer.choices
    assert choice.message.role == "assistant" and choice.finish_reason == "stop"
    assert choice.message.content == native(server, {"messages": CHAT, "seed": 7})["response"]
    assert answer.model == MODEL and answer.object == "chat.completion"
    usage = answer.usage
    assert usage is not None and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_max_tokens_cuts_the_answer_with_finish_reason_length(api: openai.OpenAI) -> None:
    answer = api.chat.completions.create(
        model=MODEL, messages=CHAT, seed=7, max_completion_tokens=2
    )
    assert answer.choices[0].finish_reason == "length"
    assert answer.usage is not None and answer.usage.completion_tokens <= 2


def test_a_stream_says_the_same_words_and_ends_with_usage(
    server: LocalServer, api: openai.OpenAI
) -> None:
    stream = api.chat.completions.create(
        model=MODEL, messages=CHAT, seed=7, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    schema = load_schema("openai-chat-chunk")
    for chunk in chunks:
        jsonschema.validate(chunk.model_dump(exclude_none=True), schema)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == native(server, {"messages": CHAT, "seed": 7})["response"]
    finishing = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finishing[-1] == "stop" and set(finishing[:-1]) == {None}
    assert chunks[-1].choices == [] and chunks[-1].usage is not None


def test_tool_calls_carry_arguments_as_json_text(api: openai.OpenAI) -> None:
    calls = []
    for seed in range(1, 30):
        answer = api.chat.completions.create(
            model=MODEL,
            messages=CHAT,
            tools=[WEATHER],
            seed=seed,  # type: ignore[list-item]
        )
        choice = answer.choices[0]
        if choice.message.tool_calls:
            assert choice.finish_reason == "tool_calls" and choice.message.content is None
            calls += choice.message.tool_calls
    assert calls, "some answers call the tool"
    for call in calls:
        assert call.function.name == "get_weather"  # type: ignore[union-attr]
        arguments = json.loads(call.function.arguments)  # type: ignore[union-attr]
        jsonschema.validate(arguments, WEATHER["function"]["parameters"])  # type: ignore[index]


def test_a_wrong_token_raises_authentication_error(server: LocalServer) -> None:
    import openai

    with client(server, token="wrong-token") as wrong, pytest.raises(openai.AuthenticationError):
        wrong.chat.completions.create(model=MODEL, messages=CHAT)


def test_a_bad_body_raises_bad_request_error_with_the_place(api: openai.OpenAI) -> None:
    import openai

    with pytest.raises(openai.BadRequestError) as hot:
        api.chat.completions.create(model=MODEL, messages=CHAT, temperature=9)
    assert "/temperature: 9 is greater than the maximum of 5" in json.dumps(hot.value.body)
    with pytest.raises(openai.BadRequestError) as other:
        api.chat.completions.create(model="@cf/meta/llama-3-8b", messages=CHAT)
    assert "no such model" in json.dumps(other.value.body)


def test_litellm_calls_the_openai_path_unchanged() -> None:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no download at import
    import litellm

    seen: list[str] = []
    app = create_app(ServerConfig(token=TOKEN))

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(scope["path"])
        await app(scope, receive, send)

    with serve_asgi(recording) as base:
        options: dict[str, Any] = {
            "model": f"cloudflare/{MODEL}",
            "messages": CHAT,
            "api_base": f"{base}/client/v4/accounts/acct/ai/v1",
            "api_key": TOKEN,
            "seed": 7,
        }
        answer = litellm.completion(**options)
        streamed = litellm.completion(**options, stream=True)
        text = "".join(chunk.choices[0].delta.content or "" for chunk in streamed)
    assert answer.choices[0].message.content and text == answer.choices[0].message.content
    assert set(seen) == {"/client/v4/accounts/acct/ai/v1/chat/completions"}


@pytest.mark.parametrize("field", ["max_tokens", "stop", "stream", "temperature", "seed"])
def test_a_null_the_reference_allows_is_read_as_not_given(server: LocalServer, field: str) -> None:
    """llm-cloudflare sends ``"max_tokens": null``, langchain-cloudflare ``"stop": null``
    (../shared/real-api.md): OpenAI's reference lets them, so they mean "not given"."""
    body = {"model": MODEL, "messages": CHAT, field: None}
    answer = httpx.post(
        server.openai_url, json=body, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["object"] == "chat.completion"


@pytest.mark.parametrize("api", [None, "openai"])
def test_an_openai_style_url_is_judged_wherever_it_is(api: str | None) -> None:
    """A URL ending in /chat/completions is the OpenAI-compatible surface, with or without
    --api openai, whatever its path before (a gateway, a self-hosted server)."""
    from tests.acceptance.test_cli_lint import run as cli

    from wai_contract.conformance import RunOptions, run
    from wai_contract.conformance.target import endpoint_target

    with serve_asgi(gateway(create_app(ServerConfig(token=TOKEN)))) as base:
        url = f"{base}/v1/chat/completions"
        target = endpoint_target(url, TOKEN, api)
        assert target.urls == {"openai": url}
        report = run(target, options=RunOptions(max_examples=30))
        planned = cli("run", "--endpoint", url, "--dry-run", *(["--api", api] if api else []))
    assert report.passed, [(c.id, c.failures[:1]) for c in report.checks if c.failures]
    assert report.requests > 50
    assert planned.returncode == 0 and "oa-max-tokens-1" in planned.stdout, planned.stderr


def _renaming_gateway(inner: Any, name: str) -> Any:
    """The model called *name* (any other name is an unknown model, 404 as OpenAI-style
    servers answer)."""

    def rename(body: dict[str, Any]) -> Any:
        if body.get("model") == name:
            return {**body, "model": MODEL}
        if isinstance(body.get("model"), str):
            return 404, {"error": {"message": "model not found", "type": "invalid_request_error"}}
        return body

    return changing_gateway(inner, rename)


def _ignoring_openai_fields(body: dict[str, Any]) -> Any:
    """What a server that knows only max_tokens makes of a body: the OpenAI-only fields
    dropped, and a tool offered is a tool it may call, whatever ``tool_choice`` says."""
    dropped = ("max_completion_tokens", "stream_options", "tool_choice", "stop", "response_format")
    return {k: v for k, v in body.items() if k not in dropped}


def test_ignored_openai_fields_at_an_openai_url_warn_and_fail_a_strict_run(tmp_path: Path) -> None:
    from tests.acceptance.test_cli_lint import run as cli

    app = changing_gateway(create_app(ServerConfig(token=TOKEN)), _ignoring_openai_fields)
    with serve_asgi(app) as base:
        url = f"{base}/v1/chat/completions"
        options = ("run", "--endpoint", url, "--token", TOKEN, "--max-examples", "0")
        lenient = cli(*options, "--report-dir", str(tmp_path / "lenient"))
        strict = cli(*options, "--strict", "--report-dir", str(tmp_path / "strict"))
    assert lenient.returncode == 0, lenient.stdout[-2000:]
    assert "openai-fields     ⚠ warn" in lenient.stdout
    report = json.loads((tmp_path / "lenient" / "report.json").read_text())
    check = next(c for c in report["checks"] if c["id"] == "openai-fields")
    codes = {case["code"] for case in check["warnings"]}
    assert {"max-completion-tokens", "usage-chunk", "tool-choice", "stop-sequence"} <= codes
    assert strict.returncode == 1 and "openai-fields" in strict.stdout


def test_model_names_the_model_as_the_server_calls_it() -> None:
    from wai_contract import run
    from wai_contract.errors import TargetError

    app = _renaming_gateway(create_app(ServerConfig(token=TOKEN)), "mistral-7b-lora")
    with serve_asgi(app) as base:
        url = f"{base}/v1/chat/completions"
        named = run(url, token=TOKEN, model="mistral-7b-lora", max_examples=20)
        with pytest.raises(TargetError, match="404"):  # the plain body's model is unknown
            run(url, token=TOKEN, max_examples=20)
    assert named.passed, [(c.id, c.failures[:1]) for c in named.checks if c.failures]
    assert named.requests > 40


def _two_paths(inner: Any) -> Any:
    """A self-hosted-style server with both surfaces at paths of its own:
    ``/native/generate`` and ``/v1/chat/completions``."""
    outer = gateway(inner)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/native/generate":
            path = f"/client/v4/accounts/x/ai/run/{MODEL}"
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await outer(scope, receive, send)

    return app


def test_a_target_serving_both_paths_is_judged_on_both_in_one_run(tmp_path: Path) -> None:
    from tests.acceptance.test_cli_lint import run as cli

    from wai_contract import run

    with serve_asgi(_two_paths(create_app(ServerConfig(token=TOKEN)))) as base:
        native, openai = f"{base}/native/generate", f"{base}/v1/chat/completions"
        both = ("--endpoint", native, "--openai-endpoint", openai, "--token", TOKEN)
        done = cli("run", *both, "--max-examples", "20", "--report-dir", str(tmp_path / "out"))
        from_python = run(native, token=TOKEN, openai_url=openai, max_examples=10)
        refused = [
            cli("run", "--openai-endpoint", openai, "--dry-run"),
            cli("run", "--endpoint", openai, "--openai-endpoint", openai, "--dry-run"),
            cli("run", *both, "--api", "native", "--dry-run"),
            cli("run", "--endpoint", native, "--api", "openai", "--dry-run"),
        ]
    assert done.returncode == 0, done.stdout[-2000:]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses["cross-surface"] == "passed" and report["readings"] == ["openai", "service"]
    assert from_python.passed and from_python.readings
    for said in refused:
        assert said.returncode == 2 and "--openai-endpoint" in said.stderr
        assert len(said.stderr.strip().splitlines()) == 1, said.stderr
