"""The request schema as Cloudflare publishes it today (the default): its bounds, derived from
its keywords, and what it changed from the page (``test_lint_table.py`` holds the page's),
each verdict checked against ``jsonschema`` as an oracle."""

from __future__ import annotations

import json

import jsonschema
import pytest
from tests.unit.lint.test_lint_table import Case, numeric_bound_cases

from wai_contract import lint, load_schema

SCHEMA = load_schema("input")
ORACLE = jsonschema.Draft202012Validator(SCHEMA)
CHAT = [{"role": "user", "content": "hi"}]
PARTS = [{"type": "text", "text": "hi"}, {"type": "text", "text": "there"}]

CHANGED = [
    Case("prompt-without-maxLength", {"prompt": "a" * 131073}, True),
    Case(
        "content-without-maxLength", {"messages": [{"role": "user", "content": "a" * 131073}]}, True
    ),
    Case("content-parts", {"messages": [{"role": "user", "content": PARTS}]}, True),
    Case("content-no-parts", {"messages": [{"role": "user", "content": []}]}, True),
    Case("content-part-not-object", {"messages": [{"role": "user", "content": ["hi"]}]}, False),
    Case("content-number", {"messages": [{"role": "user", "content": 5}]}, False),
    Case("json-object-mode", {"prompt": "hi", "response_format": {"type": "json_object"}}, True),
    Case(
        "json-schema-mode",
        {"messages": CHAT, "response_format": {"type": "json_schema", "json_schema": {}}},
        True,
    ),
    Case(
        "text-mode-is-not-published",
        {"prompt": "hi", "response_format": {"type": "text"}},
        False,
        "/response_format/type",
        "enum",
    ),
    Case("response-format-not-object", {"prompt": "hi", "response_format": "json"}, False),
    Case("raw-in-messages", {"messages": CHAT, "raw": True}, True),
    Case("raw-as-text-in-messages", {"messages": CHAT, "raw": "true"}, False, "/raw", "type"),
    Case("image-is-an-unknown-key", {"prompt": "hi", "image": [1, 2]}, True),
    Case(
        "negative-penalty",
        {"prompt": "hi", "frequency_penalty": -2, "presence_penalty": -1.5},
        True,
    ),
    Case("top-p-zero", {"prompt": "hi", "top_p": 0}, False, "/top_p", "minimum"),
]
CASES = numeric_bound_cases(SCHEMA) + CHANGED


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_verdict_and_pointer(case: Case) -> None:
    assert ORACLE.is_valid(case.body) is case.valid, "the table disagrees with jsonschema"
    for given in (case.body, json.dumps(case.body)):
        result = lint(given)
        assert result.valid is case.valid, [e.message for e in result.errors]
        if case.pointer is not None:
            assert (case.pointer, case.keyword) in [(e.pointer, e.rule) for e in result.errors]
        if not case.valid:
            assert all("is not valid under any" not in e.message for e in result.errors)


def test_the_bounds_are_the_published_ones() -> None:
    ids = {c.id for c in CASES}
    assert {"Prompt-top_p-minimum-outside", "Messages-presence_penalty-minimum-at"} <= ids
    prompt = {c.id: c.body for c in CASES}["Prompt-top_p-maximum-outside"]
    assert prompt["top_p"] > 1 and not lint(prompt).valid
