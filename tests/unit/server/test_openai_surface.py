"""The reference server's OpenAI surface: requests judged and translated to the native body."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wai_contract import MODEL
from wai_contract.server.model import answer
from wai_contract.server.openai import completion, native_body, request_problem

CHAT = [{"role": "user", "content": "hi"}]


def test_a_request_is_translated_to_the_native_body_that_means_the_same() -> None:
    body = {
        "model": MODEL,
        "messages": [
            {"role": "developer", "content": "Be brief"},
            {
                "role": "user",
                "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}],
            },
        ],
        "max_tokens": 50,
        "max_completion_tokens": 20,
        "seed": 3,
        "temperature": 0.5,
        "user": "someone",
        "stream": True,
    }
    assert native_body(body) == {
        "messages": [
            {"role": "system", "content": "Be brief"},
            {"role": "user", "content": "Hi there"},
        ],
        "max_tokens": 20,
        "seed": 3,
        "temperature": 0.5,
    }


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"messages": CHAT}, "/model: the body must name the model"),
        ({"model": MODEL}, "/: the body needs either `prompt`"),
        (
            {"model": MODEL, "messages": [{"role": "user", "content": None}]},
            "/messages/0/content: expected a string or an array, got null",
        ),
        (
            {"model": MODEL, "messages": [{"role": "user"}]},
            '/messages/0/content: required property "content" is missing',
        ),
        (
            {"model": MODEL, "messages": CHAT, "top_p": 3},
            "/top_p: 3 is greater than the maximum of 1",
        ),
        ({"model": MODEL, "messages": CHAT, "seed": 0}, "/seed: 0 is less than the minimum of 1"),
        ({"model": "@cf/x", "messages": CHAT}, "/model: no such model '@cf/x'"),
    ],
)
def test_requests_the_surface_refuses_name_the_place(body: dict[str, Any], where: str) -> None:
    assert (request_problem(body) or "").startswith(where)


def test_a_completion_calls_tools_in_the_openai_form() -> None:
    parameters = {"type": "object", "properties": {}}  # the model's schema requires them
    function = {"name": "f", "description": "d", "parameters": parameters}
    tools = [{"type": "function", "function": function}]
    native = {"messages": CHAT, "tools": tools, "seed": 1}
    for seed in range(1, 40):
        said = answer({**native, "seed": seed})
        if said.tool_calls:
            break
    choice = json.loads(completion({**native, "seed": seed}, said))["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    (call,) = choice["message"]["tool_calls"]
    assert call["type"] == "function" and isinstance(
        json.loads(call["function"]["arguments"]), dict
    )
    assert request_problem({"model": MODEL, "messages": CHAT, "tools": tools}) is None
