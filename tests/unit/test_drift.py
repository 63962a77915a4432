"""Schema drift: differences in words, and a schema used in place of the vendored one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.acceptance.test_cli_schemas import drifted

from wai_contract import lint
from wai_contract.drift import differences
from wai_contract.generate import checklist
from wai_contract.schemas import (
    INPUT_SCHEMA_NAMES,
    choose_input_schema,
    load_schema,
    schema_identity,
    use_schema,
)


@pytest.fixture
def drift_in_use() -> Iterator[None]:
    use_schema("input", drifted(), "drift.json")
    try:
        yield
    finally:
        use_schema("input", None)


def test_identical_schemas_have_no_differences() -> None:
    assert differences(load_schema("input"), load_schema("input")) == []


def test_differences_name_bounds_types_properties_and_required_names() -> None:
    old = {"type": "object", "properties": {"a": {"type": "integer", "maximum": 3}}}
    new = {
        "type": "object",
        "required": ["b"],
        "properties": {"a": {"type": ["integer", "string"]}, "b": {"items": {"maxLength": 2}}},
    }
    assert differences(old, new) == [
        "(root): now requires `b`",
        "(root): property `b` added",
        '/a: type "integer" -> ["integer", "string"]',
        "/a: maximum 3 -> (none)",
    ]


def test_a_schema_in_use_changes_lint_and_the_checklist_and_back(drift_in_use: None) -> None:
    body = {"prompt": "hi", "top_p": 1.5, "response_format": {}}
    (error,) = lint(body).errors
    assert error.pointer == "/top_p" and not lint(body).warnings  # response_format is known
    assert not any("image" in item.id for item in checklist())
    assert schema_identity("input")["source"] == "drift.json"
    choose_input_schema("page")
    assert lint(body).valid and lint(body).warnings[0].rule == "unknown-key"
    assert any("image" in item.id for item in checklist())
    assert schema_identity("input")["source"] == INPUT_SCHEMA_NAMES["page"]
    use_schema("input", None)
    assert schema_identity("input")["source"] == INPUT_SCHEMA_NAMES["published"]
