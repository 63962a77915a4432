"""Lint of bodies for the OpenAI-compatible surface: detection, each reading's errors at
their place and named, the other-model warning, and verdicts equal to each reading's source
(OpenAI's vendored reference; the model's input schema on a body that names the model)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from wai_contract import MODEL, lint, load_schema
from wai_contract.generate import generate
from wai_contract.schemas import openai_reference, without_openai_nulls

CHAT = [{"role": "user", "content": "hi"}]
OPENAI, SERVICE = ("openai",), ("service",)


def openai_body(**more: Any) -> dict[str, Any]:
    return {"model": MODEL, "messages": CHAT, **more}


def test_a_body_with_model_and_messages_is_judged_as_openai() -> None:
    assert lint(openai_body()).valid
    errors = lint(json.dumps(openai_body(temperature=6))).errors
    assert [e.pointer for e in errors] == ["/temperature", "/temperature"]  # above 2 and 5
    assert [e.message.split(":")[0] for e in errors] == ["OpenAI's reference", "Workers AI"]
    # Where both say the same, one finding names both (top_p: at most 1 for both).
    (both,) = lint(json.dumps(openai_body(top_p=3))).errors
    assert both.message.startswith("OpenAI's reference and Workers AI: 3 is greater than")
    # As a native body the same text has an unknown key and no errors at /temperature's 5.
    native = lint(json.dumps(openai_body(temperature=3)), api="native")
    assert native.valid and [w.rule for w in native.warnings] == ["unknown-key"]


@pytest.mark.parametrize(
    ("body", "readings", "pointer", "rule"),
    [
        (openai_body(temperature=9), SERVICE, "/temperature", "maximum"),
        (openai_body(temperature=3), OPENAI, "/temperature", "maximum"),
        (openai_body(seed=0), SERVICE, "/seed", "minimum"),
        (openai_body(messages=[{"content": "hi"}]), OPENAI, "/messages/0/role", "required"),
        (
            openai_body(messages=[{"role": "robot", "content": "x"}]),
            OPENAI,
            "/messages/0/role",
            "enum",
        ),
        (openai_body(messages=[{"role": "user"}]), SERVICE, "/messages/0/content", "required"),
        (openai_body(messages=[]), OPENAI, "/messages", "minItems"),
        (
            openai_body(messages=[{"role": "tool", "content": "x"}]),
            OPENAI,
            "/messages/0/tool_call_id",
            "required",
        ),
        (openai_body(stream="yes"), OPENAI, "/stream", "type"),
        (openai_body(n=0), OPENAI, "/n", "minimum"),
        (openai_body(tool_choice="sometimes"), OPENAI, "/tool_choice", "enum"),
        (
            openai_body(tools=[{"type": "function", "function": {}}]),
            OPENAI,
            "/tools/0/function/name",
            "required",
        ),
        ({"model": MODEL}, OPENAI, "/messages", "required"),
        ({"messages": CHAT}, SERVICE, "/model", "required"),
    ],
)
def test_each_readings_errors_are_reported_at_their_place_and_named(
    body: dict[str, Any], readings: tuple[Any, ...], pointer: str, rule: str
) -> None:
    result = lint(json.dumps(body, indent=2), api="openai", readings=readings)
    assert [(e.pointer, e.rule) for e in result.errors] == [(pointer, rule)]
    assert result.errors[0].line is not None and result.errors[0].line >= 1
    name = "OpenAI's reference" if readings == OPENAI else "Workers AI"
    assert result.errors[0].message.startswith(f"{name}: ")


def test_an_error_both_readings_find_is_reported_once_naming_both() -> None:
    (error,) = lint(openai_body(messages=[{"content": "x"}])).errors
    assert error.pointer == "/messages/0/role"
    assert (
        error.message == 'OpenAI\'s reference and Workers AI: required property "role" is missing'
    )


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
    assert lint(openai_body(**{field: None}), readings=OPENAI).warnings == ()


def test_content_null_or_missing_is_refused_under_the_services_reading() -> None:
    for message in ({"role": "user", "content": None}, {"role": "user"}):
        result = lint(openai_body(messages=[message]), readings=SERVICE)
        assert [e.pointer for e in result.errors] == ["/messages/0/content"]
    assistant = {"role": "assistant", "content": None, "tool_calls": []}
    assert lint(openai_body(messages=[*CHAT, assistant]), readings=OPENAI).valid


def _bodies() -> list[Any]:
    """Bodies of every kind the generator makes for this surface, and some it does not."""
    made = [b.payload for b in generate(400, seed=11, api="openai")]
    return [
        *made,
        openai_body(max_completion_tokens=5, stream=True, stream_options={"include_usage": True}),
        openai_body(messages=[{"role": "user", "content": [{"type": "text", "text": "hi"}]}]),
        openai_body(tool_choice="auto", response_format={"type": "json_object"}, stop=["\n"]),
        openai_body(frequency_penalty=-1, top_p=2.5, n=2, logprobs=None),
        {"model": MODEL, "messages": "hi"},
        {"model": 7, "messages": CHAT},
        [],
    ]


def test_each_readings_verdict_is_its_sources() -> None:
    reference = jsonschema.Draft202012Validator(openai_reference("chat-request"))
    model_schema = jsonschema.Draft202012Validator(load_schema("input"))
    for body in _bodies():
        assert lint(body, api="openai", readings=OPENAI).valid is reference.is_valid(body), body
        names_model = isinstance(body, dict) and isinstance(body.get("model"), str)
        expected = names_model and model_schema.is_valid(without_openai_nulls(body))
        assert lint(body, api="openai", readings=SERVICE).valid is expected, body
