"""OpenAI's chat-completions shapes, vendored from its OpenAPI document by
``schemas/openai-reference/vendor.py``: reproduced byte for byte, and saying what OpenAI's
reference says (nulls where it has ``nullable``, its bounds, its required fields)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

FOLDER = Path(__file__).resolve().parents[2] / "schemas" / "openai-reference"


def _vendor() -> Any:
    spec = importlib.util.spec_from_file_location("vendor", FOLDER / "vendor.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((FOLDER / f"{name}.json").read_text()))


def test_a_rerun_reproduces_every_vendored_file_byte_for_byte() -> None:
    vendor = _vendor()
    files = vendor.convert()
    assert sorted(files) == sorted(f"{name}.json" for name in vendor.ROOTS)
    for name, text in files.items():
        assert (FOLDER / name).read_text() == text, f"{name}: run vendor.py convert"
    source = json.loads((FOLDER / "source.json").read_text())
    assert (source["commit"], source["sha256"]) == (vendor.COMMIT, vendor.SHA256)


@pytest.mark.parametrize("name", ["chat-request", "chat-response", "chat-chunk", "error"])
def test_each_file_is_a_valid_2020_12_schema(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads((FOLDER / f"{name}.json").read_text()))


def test_a_nullable_component_admits_null_and_one_of_a_single_type_does_not() -> None:
    """OpenAI's document says null both ways: OpenAPI 3.0's ``nullable: true`` (converted)
    and 3.1's ``{"type": "null"}`` in an ``anyOf`` (kept as it is)."""
    source = json.loads((FOLDER / "source.json").read_text())["schemas"]
    document = json.loads((FOLDER / "chat-request.json").read_text())
    for name, schema in source.items():
        if name not in document["$defs"]:
            continue
        one = jsonschema.Draft202012Validator({**document, "$ref": f"#/$defs/{name}"})
        if schema.get("nullable"):
            assert one.is_valid(None), name
        elif isinstance(schema.get("type"), str):
            assert not one.is_valid(None), name


CHAT = [{"role": "user", "content": "hi"}]
NULLABLE = ["max_tokens", "stop", "stream", "temperature", "top_p", "seed",
            "frequency_penalty", "presence_penalty", "max_completion_tokens"]  # fmt: skip


@pytest.mark.parametrize("field", NULLABLE)
def test_the_reference_takes_null_for_what_clients_send_as_null(field: str) -> None:
    assert _validator("chat-request").is_valid({"model": "m", "messages": CHAT, field: None})


@pytest.mark.parametrize(
    "body",
    [
        {"model": "m", "messages": []},
        {"model": "m", "messages": [{"role": "user", "content": None}]},
        {"model": "m", "messages": [{"role": "tool", "content": "x"}]},
        {"model": "m", "messages": CHAT, "temperature": 2.5},
        {"model": "m", "messages": CHAT, "frequency_penalty": -3},
        {"messages": CHAT},
    ],
    ids=["no-messages", "null-content", "tool-without-id", "temperature", "penalty", "no-model"],
)
def test_the_reference_refuses_what_it_refuses(body: dict[str, Any]) -> None:
    assert not _validator("chat-request").is_valid(body)


@pytest.mark.parametrize("name", ["chat-request", "chat-response", "chat-chunk", "error"])
def test_the_shipped_copies_are_the_vendored_files(name: str) -> None:
    shipped = FOLDER.parents[1] / "src" / "wai_contract" / "_data" / "openai-reference"
    assert (shipped / f"{name}.json").read_text() == (FOLDER / f"{name}.json").read_text()


def test_the_nullable_fields_are_read_from_the_reference() -> None:
    from wai_contract.schemas import openai_nullable_fields

    nullable = openai_nullable_fields()
    assert {"max_tokens", "stop", "stream", "temperature", "top_p", "seed"} <= nullable
    assert not {"messages", "model", "tools"} & nullable
