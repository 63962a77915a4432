"""Both validator backends give the same verdicts and the same violations."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.properties import examples
from tests.unit.lint import test_lint_published, test_lint_table

from wai_contract.errors import ConfigError
from wai_contract.schemas import choose_input_schema, load_schema, resolve_pointer
from wai_contract.validators import (
    APPLICATORS,
    BACKENDS,
    Validator,
    compile_validator,
    leaf_checker,
)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_backend_verdicts_match_the_published_table(backend: str) -> None:
    validator = compile_validator("input", backend=backend)
    cases = test_lint_published.CASES
    assert [c.id for c in cases if validator.is_valid(c.body) is not c.valid] == []


@pytest.mark.usefixtures("page_schema_in_use")
@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_backend_verdicts_match_the_pages_table(backend: str) -> None:
    validator = compile_validator("input", backend=backend)
    cases = test_lint_table.CASES
    assert [c.id for c in cases if validator.is_valid(c.body) is not c.valid] == []


def _shape(validator: Validator, body: object) -> set[tuple[object, ...]]:
    return {(v.path, v.keyword, repr(v.detail), v.schema_path) for v in validator.iter_errors(body)}


@pytest.mark.parametrize("schema", ["published", "page"])
@pytest.mark.parametrize("at", ["/oneOf/0", "/oneOf/1"])
def test_backends_report_the_same_violations(at: str, schema: str) -> None:
    choose_input_schema(schema)
    rs, py = compile_validator("input", at, "rs"), compile_validator("input", at, "py")
    cases = test_lint_table.CASES if schema == "page" else test_lint_published.CASES
    choose_input_schema(None)
    compared = 0
    for case in cases:
        if not isinstance(case.body, dict):
            continue
        assert _shape(rs, case.body) == _shape(py, case.body), case.id
        compared += 1
    assert compared > 30


def test_validators_are_compiled_once() -> None:
    assert compile_validator("input") is compile_validator("input")


def test_unknown_backend_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown validator backend 'java'"):
        compile_validator("input", backend="java")


def _leaf_pointers() -> list[str]:
    """Every subschema of input.json, reached through the applicators."""
    found: list[str] = []

    def walk(node: dict[str, Any], at: str) -> None:
        found.append(at)
        for key, child in node.get("properties", {}).items():
            walk(child, f"{at}/properties/{key}")
        for keyword in ("items", "additionalProperties"):
            if isinstance(node.get(keyword), dict):
                walk(node[keyword], f"{at}/{keyword}")
        for i, child in enumerate(node.get("oneOf", [])):
            walk(child, f"{at}/oneOf/{i}")

    walk(load_schema("input"), "")
    return found


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0, 1, 50, 51, 255, 256, 9999999999, 10000000000, 7.0, -0.5, 2.0])
    | st.text(max_size=5)
    | st.sampled_from(["", "x" * 131072, "x" * 131073]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["role", "content", "name", "type", "x"]), children)
    ),
    max_leaves=6,
)


@pytest.mark.parametrize("at", _leaf_pointers())
@settings(max_examples=examples(25), deadline=None)
@given(value=_json_values)
def test_leaf_checker_agrees_with_the_backend(at: str, value: object) -> None:
    shallow = compile_validator("input", at, shallow=True)
    schema = resolve_pointer(load_schema("input"), at)
    check = leaf_checker({k: v for k, v in schema.items() if k not in APPLICATORS})
    if check is None or shallow.is_valid(value):
        return
    expected = [(v.keyword, repr(v.detail), v.schema_path) for v in shallow.iter_errors(value)]
    assert [(v.keyword, repr(v.detail), v.schema_path) for v in check(value)] == expected


def test_leaf_checker_covers_the_leaves_and_declines_other_keywords() -> None:
    schemas = [resolve_pointer(load_schema("input"), at) for at in _leaf_pointers()]
    judged = [
        s for s in schemas if leaf_checker({k: v for k, v in s.items() if k not in APPLICATORS})
    ]
    assert len(judged) == len(schemas) > 60
    assert leaf_checker({"type": "string", "pattern": "^a"}) is None
    assert leaf_checker({"type": "decimal"}) is None
