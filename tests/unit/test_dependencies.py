"""Known breaks between our dependencies, caught before a user meets them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from tests.properties import examples

from wai_contract import load_schema

OBJECT_SCHEMA = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}


@settings(max_examples=examples(20), deadline=None)
@given(st.data())
def test_hypothesis_jsonschema_draws_objects(data: st.DataObject) -> None:
    # hypothesis-jsonschema 0.23.1 raises AttributeError ('many' object has no attribute
    # 'more') on any object schema under Hypothesis >= 6.170.10: pyproject.toml bounds
    # Hypothesis for that reason, and this test fails if the bound is lifted too early.
    value = data.draw(from_schema(OBJECT_SCHEMA))
    assert isinstance(value, dict) and isinstance(value["a"], int)


@settings(max_examples=examples(10), deadline=None)
@given(st.data())
def test_hypothesis_jsonschema_draws_from_a_branch_of_our_schema(data: st.DataObject) -> None:
    branch = {"type": "object", **load_schema("input")["oneOf"][0]}
    value = data.draw(from_schema(branch))
    assert isinstance(value["prompt"], str)
