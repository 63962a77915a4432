"""Faults of a server's OpenAI-compatible surface, each caught by the check that owns it:
the reference app behind a transport that breaks its answers one way at a time."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from tests.unit.conformance.test_engine import SMALL, contract, reference_client

from wai_contract.conformance import RunOptions, Target, load_contract, run

OPENAI = "http://server.test/client/v4/accounts/a/ai/v1/chat/completions"
Forward = Callable[[httpx.Request], httpx.Response]


def _rewrite(response: httpx.Response, change: Callable[[str], str]) -> httpx.Response:
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return httpx.Response(
        response.status_code, headers=headers, content=change(response.text).encode()
    )


def _finish_done(request: httpx.Request, forward: Forward) -> httpx.Response:
    return _rewrite(
        forward(request), lambda t: t.replace('"finish_reason":"stop"', '"finish_reason":"done"')
    )


def _arguments_object(request: httpx.Request, forward: Forward) -> httpx.Response:
    def unquote(text: str) -> str:
        return re.sub(
            r'"arguments":"((?:[^"\\]|\\.)*)"',
            lambda m: '"arguments":' + json.loads(f'"{m.group(1)}"'),
            text,
        )

    return _rewrite(forward(request), unquote)


def _chunks_without_choices(request: httpx.Request, forward: Forward) -> httpx.Response:
    return _rewrite(forward(request), lambda t: t.replace('"choices":', '"options":'))


def _no_done(request: httpx.Request, forward: Forward) -> httpx.Response:
    return _rewrite(forward(request), lambda t: t.replace("data: [DONE]\n\n", ""))


def _accepts_bad_bodies(request: httpx.Request, forward: Forward) -> httpx.Response:
    response = forward(request)
    if response.status_code != 400:
        return response
    body = {"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
    ]}  # fmt: skip
    return httpx.Response(200, json=body)


@pytest.mark.parametrize(
    ("fault", "check", "code"),
    [
        (_finish_done, "accepts-valid", "result"),
        (_arguments_object, "accepts-valid", "result"),
        (_chunks_without_choices, "streaming", "event-schema"),
        (_no_done, "streaming", "no-done"),
        (_accepts_bad_bodies, "rejects-invalid", "accepted-invalid"),
    ],
    ids=[
        "wrong-finish-reason",
        "arguments-object",
        "chunks-without-choices",
        "no-done",
        "2xx-on-bad-body",
    ],
)
def test_each_fault_of_the_openai_surface_is_caught(fault: Any, check: str, code: str) -> None:
    every_probe = load_contract()  # six tool probes: some answers call a tool
    options = RunOptions(max_examples=40)
    report = run(Target(OPENAI, "t"), every_probe, options, transport=reference_client(fault))
    failing = next(c for c in report.checks if c.id == check)
    assert failing.status == "failed", [(c.id, c.status) for c in report.checks]
    assert code in {f.code for f in failing.failures}
    assert all(f.id.startswith("oa-") for f in failing.failures)


def test_the_reference_app_passes_on_the_openai_surface() -> None:
    report = run(
        Target(OPENAI, "t"), contract(), SMALL, transport=reference_client(lambda r, f: f(r))
    )
    assert report.passed, [(c.id, c.failures[:1]) for c in report.checks if c.failures]
    assert {c.id for c in report.checks if c.status == "passed"} >= {
        "accepts-valid", "rejects-invalid", "streaming", "max-tokens", "usage-totals", "auth",
    }  # fmt: skip


def _as_the_service_streams(request: httpx.Request, forward: Forward) -> httpx.Response:
    """Chunks without ``index`` (choices and tool-call deltas) and without any
    ``finish_reason``, as Workers AI sends them (../shared/real-api.md)."""

    def strip(text: str) -> str:
        text = re.sub(r',?"finish_reason":(?:"[a-z_]+"|null)', "", text)
        return re.sub(r'"index":\d+,?', "", text)

    response = forward(request)
    if "text/event-stream" not in response.headers.get("content-type", ""):
        return response
    return _rewrite(response, strip)


def _tool_calls_null(request: httpx.Request, forward: Forward) -> httpx.Response:
    """``"tool_calls": null`` on a completion's text answer, as seen through AI Gateway."""
    response = forward(request)
    if not response.headers.get("content-type", "").startswith("application/json"):
        return response
    said = '"role":"assistant","content":"'
    return _rewrite(
        response, lambda t: t.replace(said, '"role":"assistant","tool_calls":null,"content":"')
    )


@pytest.mark.parametrize("served", [_as_the_service_streams, _tool_calls_null])
def test_answers_the_service_really_sends_pass(served: Any) -> None:
    report = run(Target(OPENAI, "t"), load_contract(), RunOptions(max_examples=60),
                 transport=reference_client(served))  # fmt: skip
    assert report.passed, [(c.id, c.failures[:1]) for c in report.checks if c.failures]
