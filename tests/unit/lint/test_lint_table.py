"""Tricky bodies, derived from the schema's own keywords, each with its verdict and pointer:
the vendor's page's schema (``--schema page``: its 131072-character limits, its ``image``);
``test_lint_published.py`` holds what the published one changed.

Every case also runs against the reference ``jsonschema`` library as an oracle, so a
wrong expectation in the table cannot hide a wrong verdict in lint.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import jsonschema
import pytest

from wai_contract import lint, load_schema

SCHEMA = load_schema("input-page")
ORACLE = jsonschema.Draft202012Validator(SCHEMA)
BASES = {
    "Prompt": {"prompt": "hi"},
    "Messages": {"messages": [{"role": "user", "content": "hi"}]},
}
SMILE = "\U0001f600"
pytestmark = pytest.mark.usefixtures("page_schema_in_use")


@dataclass(frozen=True)
class Case:
    id: str
    body: Any
    valid: bool
    pointer: str | None = None
    keyword: str | None = None


def _with(branch: str, **fields: Any) -> dict[str, Any]:
    return {**BASES[branch], **fields}


def _bound_cases() -> list[Case]:
    """At, just inside and just outside every numeric and length bound, in both branches."""
    return numeric_bound_cases(SCHEMA) + _length_bound_cases()


def numeric_bound_cases(schema: dict[str, Any]) -> list[Case]:
    """At, just inside and just outside every numeric bound of *schema*, in both branches."""
    cases: list[Case] = []
    for alternative in schema["oneOf"]:
        branch = alternative["title"]
        for name, prop in alternative["properties"].items():
            kind = prop.get("type")
            for key, outward in (("minimum", -1), ("maximum", +1)):
                if key not in prop:
                    continue
                bound = prop[key]
                if kind == "integer":
                    inside, outside = bound - outward, bound + outward
                else:
                    inside = bound - outward * 0.001
                    outside = math.nextafter(bound, math.inf * outward)
                for label, value, ok in (
                    ("at", bound, True),
                    ("inside", inside, True),
                    ("outside", outside, False),
                ):
                    cases.append(
                        Case(
                            f"{branch}-{name}-{key}-{label}",
                            _with(branch, **{name: value}),
                            ok,
                            None if ok else f"/{name}",
                            None if ok else key,
                        )
                    )
    return cases


def _length_bound_cases() -> list[Case]:
    cases: list[Case] = []
    for branch, field_path, make in (
        ("Prompt", "/prompt", lambda s: {"prompt": s}),
        (
            "Messages",
            "/messages/0/content",
            lambda s: {"messages": [{"role": "user", "content": s}]},
        ),
    ):
        limit = 131072
        for alphabet in ("a", SMILE):
            cases.append(Case(f"{branch}-maxLength-at-{alphabet!a}", make(alphabet * limit), True))
            cases.append(
                Case(f"{branch}-maxLength-inside-{alphabet!a}", make(alphabet * (limit - 1)), True)
            )
            cases.append(
                Case(
                    f"{branch}-maxLength-outside-{alphabet!a}",
                    make(alphabet * (limit + 1)),
                    False,
                    field_path,
                    "maxLength",
                )
            )
    cases.append(Case("Prompt-minLength-outside", {"prompt": ""}, False, "/prompt", "minLength"))
    cases.append(Case("Prompt-minLength-at", {"prompt": "x"}, True))
    cases.append(Case("Prompt-minLength-astral", {"prompt": SMILE}, True))
    cases.append(
        Case(
            "Messages-content-empty",
            _with("Messages", messages=[{"role": "user", "content": ""}]),
            True,
        )
    )
    return cases


CONFUSIONS: dict[str, list[Any]] = {
    "integer": ["5", True, 5.5, None, [5]],
    "number": ["0.5", False, None, {}],
    "boolean": ["true", 1, 0, None],
    "string": [5, None, [], True],
    "array": [{}, "[]", None],
}


def _type_cases() -> list[Case]:
    cases = []
    for alternative in SCHEMA["oneOf"]:
        branch = alternative["title"]
        for name, prop in alternative["properties"].items():
            for value in CONFUSIONS.get(prop.get("type"), []):
                body = (
                    {name: value}
                    if name in ("prompt", "messages")
                    else _with(branch, **{name: value})
                )
                cases.append(Case(f"{branch}-{name}-{value!r}", body, False, f"/{name}", "type"))
    cases.append(Case("integer-7.0-is-integer", _with("Prompt", max_tokens=7.0, top_k=7.0), True))
    return cases


def _tool(name: str = "get_weather") -> dict[str, Any]:
    return {
        "name": name,
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "required": ["city"],
            "properties": {"city": {"type": "string", "description": "City"}},
        },
    }


def _function_tool(name: str = "get_weather") -> dict[str, Any]:
    return {"type": "function", "function": _tool(name)}


MESSAGES = [{"role": "user", "content": "hi"}]

STRUCTURE = [
    Case("not-an-object-array", [1, 2], False, "", "type"),
    Case("not-an-object-string", "hi", False, "", "type"),
    Case("not-an-object-null", None, False, "", "type"),
    Case("empty-object", {}, False, "", "required"),
    Case("both-branches", {"prompt": "hi", "messages": MESSAGES}, False, "", "oneOf"),
    Case("both-branches-messages-malformed-is-a-prompt", {"prompt": "hi", "messages": 5}, True),
    Case(
        "message-missing-content",
        {"messages": [{"role": "user"}]},
        False,
        "/messages/0/content",
        "required",
    ),
    Case(
        "message-missing-role",
        {"messages": [{"content": "x"}]},
        False,
        "/messages/0/role",
        "required",
    ),
    Case("message-not-object", {"messages": ["hi"]}, False, "/messages/0", "type"),
    Case(
        "message-role-number",
        {"messages": [{"role": 1, "content": "x"}]},
        False,
        "/messages/0/role",
        "type",
    ),
    Case("messages-empty-list", {"messages": []}, True),
    Case("role-tool", {"messages": [{"role": "tool", "content": "42"}]}, True),
    Case("tool-flat", _with("Messages", tools=[_tool()]), True),
    Case("tool-function", _with("Messages", tools=[_function_tool()]), True),
    Case(
        "tool-both-variants",
        _with("Messages", tools=[{**_tool(), **_function_tool()}]),
        False,
        "/tools/0",
        "oneOf",
    ),
    Case(
        "tool-flat-missing-parameters",
        _with("Messages", tools=[{"name": "x", "description": "d"}]),
        False,
        "/tools/0/parameters",
        "required",
    ),
    Case(
        "tool-function-missing-code-of-function",
        _with("Messages", tools=[{"type": "function", "function": {"name": "x"}}]),
        False,
        "/tools/0/function/description",
        "required",
    ),
    Case(
        "tool-parameter-missing-description",
        _with(
            "Messages",
            tools=[
                {
                    **_tool(),
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                }
            ],
        ),
        False,
        "/tools/0/parameters/properties/city/description",
        "required",
    ),
    Case(
        "tool-parameters-missing-properties",
        _with("Messages", tools=[{**_tool(), "parameters": {"type": "object"}}]),
        False,
        "/tools/0/parameters/properties",
        "required",
    ),
    Case("tool-not-object", _with("Messages", tools=["get_weather"]), False, "/tools/0", "type"),
    Case("functions-ok", _with("Messages", functions=[{"name": "f", "code": "return 1"}]), True),
    Case(
        "functions-missing-code",
        _with("Messages", functions=[{"name": "f"}]),
        False,
        "/functions/0/code",
        "required",
    ),
    Case("image-array", _with("Prompt", image=[0, 255, 128]), True),
    Case("image-string", _with("Messages", image="iVBORw0KGgo="), True),
    Case("image-array-out-of-byte-range-is-legal", _with("Prompt", image=[-1, 256, 1.5]), True),
    Case("image-item-string", _with("Prompt", image=[1, "2"]), False, "/image/1", "type"),
    Case("image-number", _with("Prompt", image=5), False, "/image", "type"),
    Case("image-object", _with("Prompt", image={}), False, "/image", "type"),
    Case("seed-huge-int", _with("Prompt", seed=10**30), False, "/seed", "maximum"),
    Case("max-tokens-huge-int", _with("Prompt", max_tokens=10**30), True),
    Case("lora-in-messages-is-legal", _with("Messages", lora="x", raw=True), True),
    Case("unknown-key-is-legal", _with("Prompt", temprature=1), True),
]

CASES = _bound_cases() + _type_cases() + STRUCTURE


# Every case as parsed value and as JSON text; a str body exists only as text (a str
# passed to lint() is JSON text).
MODES = [(c, t) for c in CASES for t in (False, True) if t or not isinstance(c.body, str)]


@pytest.mark.parametrize(
    ("case", "as_text"), MODES, ids=[f"{c.id}-{'text' if t else 'value'}" for c, t in MODES]
)
def test_verdict_and_pointer(case: Case, as_text: bool) -> None:
    assert ORACLE.is_valid(case.body) is case.valid, "the table disagrees with jsonschema"
    result = lint(json.dumps(case.body) if as_text else case.body)
    assert result.valid is case.valid, [e.message for e in result.errors]
    if not case.valid:
        places = [(e.pointer, e.rule) for e in result.errors]
        assert (case.pointer, case.keyword) in places
        assert all("is not valid under any" not in e.message for e in result.errors)


def test_table_covers_every_bound_and_both_branches() -> None:
    ids = {c.id for c in CASES}
    for alternative in SCHEMA["oneOf"]:
        for name, prop in alternative["properties"].items():
            for key in ("minimum", "maximum"):
                if key in prop:
                    for label in ("at", "inside", "outside"):
                        assert f"{alternative['title']}-{name}-{key}-{label}" in ids
    assert len(CASES) > 150
