"""Generated bodies: verdicts that agree with the validator, coverage, determinism, and
limits that follow the schema."""

from __future__ import annotations

import copy
import json
from random import Random
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from tests.properties import examples

from wai_contract import lint, load_schema
from wai_contract.errors import ConfigError
from wai_contract.generate import checklist, checklist_ids, generate
from wai_contract.schemas import without_openai_nulls
from wai_contract.strategies import (
    invalid_bodies,
    messages,
    sampling_parameters,
    tool_arguments,
    tools,
    valid_bodies,
)
from wai_contract.validators import compile_validator


def test_verdicts_agree_with_the_validator_over_thousands_of_bodies() -> None:
    """10,000 bodies in a thorough run, the profile's share in the suite's."""
    validator = compile_validator("input")
    seen_valid = seen_invalid = 0
    count = examples(10_000)
    for body in generate(count, seed=20261125):
        assert validator.is_valid(body.payload) is body.valid, body.tags
        if body.valid:
            seen_valid += 1
        else:
            seen_invalid += 1
            pointers = [e.pointer for e in lint(body.payload).errors]
            assert body.pointer in pointers, (body.tags, body.pointer, pointers)
    assert seen_valid > 0.4 * count and seen_invalid > 0.4 * count


def test_the_reference_validator_agrees_too() -> None:
    reference = jsonschema.Draft202012Validator(load_schema("input"))
    for body in generate(600, seed=9):
        assert reference.is_valid(body.payload) is body.valid, body.tags


def test_the_checklist_is_fully_walked_by_500_bodies() -> None:
    items = checklist()
    ids = [item.id for item in items]
    assert len(set(ids)) == len(ids) == len(checklist_ids()), "checklist ids are unique"
    assert len(items) <= 500
    bodies = list(generate(500, seed=1))
    assert len(bodies) == 500
    # The checklist comes first, item by item, each made from the run's one random stream.
    rng = Random(1)
    assert [item.make(rng) for item in items] == bodies[: len(items)]
    is_valid = compile_validator("input").is_valid
    for item, body in zip(items, bodies, strict=False):
        assert body.valid is item.valid, item.id
        assert is_valid(body.payload) is item.valid, item.id


def test_the_published_schemas_checklist_covers_what_it_changed() -> None:
    ids = set(checklist_ids())
    for needed in (
        "prompt:/response_format/type value-json_object",
        "prompt:/response_format/type value-json_schema",
        "prompt:/response_format/type outside-enum",
        "messages:/messages/0/content~content-variant-2 present",
        "messages:/raw true",
        "messages:/frequency_penalty at-minimum",
        "prompt:/top_p below-minimum",
    ):
        assert needed in ids, needed
    assert not [i for i in ids if "max-length" in i or "/image" in i], "the page's, not these"


@pytest.mark.usefixtures("page_schema_in_use")
def test_the_pages_checklist_covers_what_users_need() -> None:
    ids = "\n".join(checklist_ids())
    for needed in (
        "prompt:/prompt at-max-length/ascii",
        "prompt:/prompt at-max-length/astral",
        "prompt:/prompt over-max-length/astral",
        "prompt:/prompt empty-string",
        "messages:/messages/0/content over-max-length/ascii",
        "prompt:/seed above-maximum",
        "messages:/seed at-maximum",
        "prompt:/top_k below-minimum",
        "messages:/temperature above-maximum",
        "prompt:/stream true",
        "prompt:/raw true",
        "prompt:/lora present",
        "prompt:/image~image-variant-1 present",
        "prompt:/image~image-variant-2 present",
        "messages:/functions present",
        "messages:/functions/0 missing-code",
        "messages:/messages/0/role value-tool",
        "messages:/messages empty-array",
        "messages:/messages/0/content empty-string",
        "messages:/tools/0~tools-variant-1 present",
        "messages:/tools/0~tools-variant-2 present",
        "messages:/tools/0~tools-variant-1 missing-parameters",
        "messages:/tools/0/function/parameters/properties/city/description~tools-variant-2",
        "messages:/messages/0 missing-role",
        "messages:/messages/0 missing-content",
        "/ prompt+messages together",
        "messages:/tools/0 fits every variant",
        "/ body is array",
        "prompt:/max_tokens type-numeric-string",
        "prompt:/max_tokens type-boolean",
        "prompt:/top_k type-null",
    ):
        assert needed in ids, needed


def test_same_seed_same_bodies_other_seed_other_bodies() -> None:
    def run(seed: int) -> list[str]:
        return [json.dumps(b.record("x")) for b in generate(700, seed=seed)]

    assert run(4) == run(4)
    assert run(4) != run(5)


def test_filters_by_kind_and_branch() -> None:
    bodies = list(generate(800, seed=2, kind="invalid", branch="messages"))
    assert not any(b.valid for b in bodies)
    with_prompt = [b.tags for b in bodies if isinstance(b.payload, dict) and "prompt" in b.payload]
    assert with_prompt == [("body", "both-branches")]  # whole-body cases belong to no branch
    assert all(b.valid for b in generate(300, seed=2, kind="valid"))
    with pytest.raises(ConfigError, match="unknown branch 'chat'"):
        list(generate(1, branch="chat"))


def _modified_schema() -> dict[str, Any]:
    schema = copy.deepcopy(load_schema("input"))
    for alternative in schema["oneOf"]:
        alternative["properties"]["top_k"]["maximum"] = 7
        alternative["properties"]["seed"]["minimum"] = 100
    schema["oneOf"][0]["properties"]["prompt"]["maxLength"] = 12
    return schema


def test_limits_follow_a_modified_schema_with_no_code_change() -> None:
    schema = _modified_schema()
    validator = jsonschema.Draft202012Validator(schema)
    seen: dict[tuple[str, ...], Any] = {}
    for body in generate(1500, seed=3, schema=schema):
        assert validator.is_valid(body.payload) is body.valid, body.tags
        seen[body.tags] = body.payload
    assert seen[("top_k", "at-maximum")]["top_k"] == 7
    assert seen[("top_k", "above-maximum")]["top_k"] == 8
    assert seen[("seed", "below-minimum")]["seed"] == 99
    assert len(seen[("prompt", "at-max-length", "astral")]["prompt"]) == 12
    assert len(seen[("prompt", "over-max-length", "ascii")]["prompt"]) == 13


@settings(max_examples=examples(150), deadline=None)
@given(valid_bodies(schema=_modified_schema()))
def test_strategies_follow_a_modified_schema(body: dict[str, Any]) -> None:
    assert jsonschema.Draft202012Validator(_modified_schema()).is_valid(body)
    assert body.get("top_k", 0) <= 7


@settings(max_examples=examples(300), deadline=None)
@given(valid_bodies())
def test_every_valid_body_validates(body: dict[str, Any]) -> None:
    assert lint(body).valid


@settings(max_examples=examples(300), deadline=None)
@given(invalid_bodies())
def test_every_invalid_body_fails_at_its_declared_pointer(case: Any) -> None:
    result = lint(case.payload)
    assert not result.valid
    assert case.pointer in [e.pointer for e in result.errors]


@settings(max_examples=examples(50), deadline=None)
@given(messages(), tools(0), tools(1), sampling_parameters())
def test_building_blocks_compose_into_valid_bodies(
    chat: list[Any], flat: dict[str, Any], function: dict[str, Any], params: dict[str, Any]
) -> None:
    body = {"messages": chat, "tools": [flat, function], **params}
    assert lint(body).valid
    assert "function" in function and "parameters" in flat


def test_checklist_items_make_what_they_say() -> None:
    from random import Random

    rng = Random(0)
    for item in checklist():
        assert item.make(rng).valid is item.valid, item.id


WEATHER_PARAMETERS = {
    "type": "object",
    "required": ["city"],
    "properties": {
        "city": {"type": "string", "minLength": 1},
        "days": {"type": "integer", "minimum": 1, "maximum": 14},
        "units": {"enum": ["metric", "imperial"]},
    },
    "additionalProperties": False,
}


@settings(max_examples=examples(50), deadline=None)
@given(
    tool_arguments({"name": "get_weather", "parameters": WEATHER_PARAMETERS})
    | tool_arguments(
        {"type": "function", "function": {"name": "w", "parameters": WEATHER_PARAMETERS}}
    )
)
def test_tool_arguments_satisfy_the_tools_parameters(arguments: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(WEATHER_PARAMETERS).validate(arguments)


def test_tool_arguments_refuse_parameters_that_are_not_a_schema() -> None:
    with pytest.raises(ConfigError, match="must be a JSON Schema object"):
        tool_arguments({"name": "x", "parameters": "city"})
    with pytest.raises(ConfigError, match="not a valid JSON Schema: 5 is not valid"):
        tool_arguments({"name": "x", "parameters": {"type": 5}})


@pytest.mark.usefixtures("page_schema_in_use")  # its top_p may be 0, so a subnormal
def test_legal_values_that_no_bound_names_are_must_succeed_cases() -> None:
    import orjson

    bodies = {item.id: item.make(Random(0)) for item in checklist()}
    for place in ("prompt:/max_tokens", "messages:/seed", "prompt:/top_k"):
        body = bodies[f"{place} float-spelling"]
        key = place.split("/")[1]
        assert body.valid and isinstance(body.payload[key], float)
        assert body.payload[key].is_integer()
    assert bodies["prompt:/max_tokens zero"].payload["max_tokens"] == 0
    assert bodies["prompt:/max_tokens negative"].payload["max_tokens"] == -1
    assert bodies["messages:/seed int32-over"].payload["seed"] == 2**31
    assert "prompt:/seed negative" not in bodies, "the seed's minimum forbids it"
    zero = bodies["prompt:/temperature negative-zero"].payload
    assert b'"temperature":-0.0' in orjson.dumps(zero)
    assert bodies["messages:/top_p subnormal"].payload["top_p"] == 5e-324
    is_valid = compile_validator("input").is_valid
    unusual = ("zero", "negative", "int32", "uint32", "double", "int64", "spelling", "subnormal")
    assert all(is_valid(body.payload) for ident, body in bodies.items() if ident.endswith(unusual))


def test_openai_bodies_carry_the_verdict_the_readings_agree_on() -> None:
    """Valid: both readings accept it; invalid: both refuse it; None: they disagree (or the
    service's is not known), so no acceptance verdict rests on either."""
    bodies = list(generate(500, seed=3, api="openai"))
    verdicts = [b.valid for b in bodies]
    assert verdicts.count(True) > 50 and verdicts.count(False) > 50 and None in verdicts
    for body in bodies:
        assert "openai" in body.tags
        findings = {
            reading: lint(body.payload, api="openai", readings=(reading,)).valid
            for reading in ("openai", "service")
        }
        if body.valid is None:
            assert (
                len(set(findings.values())) == 2
                or without_openai_nulls(body.payload) != body.payload
            )
        else:
            assert set(findings.values()) == {body.valid}, (body.tags, findings)
        if body.valid is False:
            pointers = [e.pointer for e in lint(body.payload, api="openai").errors]
            assert body.pointer in pointers


@settings(max_examples=examples(30), deadline=None)
@given(valid_bodies(api="openai"))
def test_valid_openai_bodies_are_valid_under_both_readings(body: dict[str, Any]) -> None:
    assert lint(body, api="openai").errors == () and body["model"]


@settings(max_examples=examples(30), deadline=None)
@given(invalid_bodies(api="openai"))
def test_invalid_openai_bodies_fail_at_their_pointer(body: Any) -> None:
    errors = lint(body.payload, api="openai").errors
    assert errors and body.pointer in [e.pointer for e in errors]
