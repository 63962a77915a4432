"""Lint of bodies for the OpenAI-compatible surface: detection, errors at their place, the
other-model warning, and verdicts equal to the schema's."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from wai_contract import MODEL, lint, load_schema

CHAT = [{"role": "user", "content": "hi"}]


def openai_body(**more: Any) -> dict[str, Any]:
    return {"model": MODEL, "messages": CHAT, **more}


def test_a_body_with_model_and_messages_is_judged_as_openai() -> None:
    assert lint(openai_body()).valid
    assert lint(json.dumps(openai_body(top_p=3))).errors[0].pointer == "/top_p"
    # As a native body the same text has an unknown key and no errors at /top_p's bound 2.
    native = lint(json.dumps(openai_body(top_p=1.5)), api="native")
    assert native.valid and [w.rule for w in native.warnings] == ["unknown-key"]


@pytest.mark.parametrize(
    ("body", "pointer", "rule"),
    [
        (openai_body(temperature=9), "/temperature", "maximum"),
        (openai_body(seed=0), "/seed", "minimum"),
        (openai_body(messages=[{"content": "hi"}]), "/messages/0/role", "required"),
        (openai_body(messages=[{"role": "robot", "content": "x"}]), "/messages/0/role", "enum"),
        (openai_body(stream="yes"), "/stream", "type"),
        (
            openai_body(tools=[{"type": "function", "function": {}}]),
            "/tools/0/function/name",
            "required",
        ),
        ({"model": MODEL}, "/messages", "required"),
    ],
)
def test_errors_are_reported_at_their_place(body: dict[str, Any], pointer: str, rule: str) -> None:
    result = lint(json.dumps(body, indent=2), api="openai")
    assert [(e.pointer, e.rule) for e in result.errors] == [(pointer, rule)]
    assert result.errors[0].line is not None and result.errors[0].line >= 1


def test_another_model_is_a_warning() -> None:
    result = lint(openai_body(model="@cf/meta/llama-3-8b-instruct"))
    assert result.valid and [(w.pointer, w.rule) for w in result.warnings] == [
        ("/model", "other-model")
    ]


@pytest.mark.parametrize("field", ["max_tokens", "stop", "stream", "temperature", "seed"])
def test_a_null_the_reference_allows_is_valid_with_a_warning_at_its_place(field: str) -> None:
    result = lint(json.dumps(openai_body(**{field: None}), indent=2))
    assert result.valid
    assert [(w.pointer, w.rule) for w in result.warnings] == [(f"/{field}", "null-as-absent")]
    assert result.warnings[0].line is not None


def test_a_null_the_reference_refuses_stays_an_error() -> None:
    result = lint(openai_body(messages=None))
    assert not result.valid and [e.pointer for e in result.errors] == ["/messages"]


@pytest.mark.parametrize(
    "body",
    [
        openai_body(),
        openai_body(max_completion_tokens=5, stream=True, stream_options={"include_usage": True}),
        openai_body(messages=[{"role": "user", "content": [{"type": "text", "text": "hi"}]}]),
        openai_body(tool_choice="auto", response_format={"type": "json_object"}, stop=["\n"]),
        openai_body(frequency_penalty=-1),
        openai_body(top_p=2.5),
        {"model": MODEL, "messages": "hi"},
    ],
)
def test_the_verdict_is_the_schemas(body: dict[str, Any]) -> None:
    expected = jsonschema.Draft202012Validator(load_schema("openai-chat-request")).is_valid(body)
    assert lint(body, api="openai").valid is expected
