"""The vendored schemas: valid against their metaschema, faithful to the page, shipped."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import jsonschema
import pytest
from tests.conftest import ROOT, SCHEMAS, page_schema

from wai_contract import SCHEMA_NAMES, load_schema
from wai_contract.errors import ConfigError

ADDED_KEYS = {"$schema", "$id", "$comment"}


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_valid_2020_12_with_provenance(name: str) -> None:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text("utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert len(schema["$comment"]) > 80, "each schema explains its provenance"


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_packaged_copy_equals_source_of_truth(name: str) -> None:
    assert load_schema(name) == json.loads((SCHEMAS / f"{name}.json").read_text("utf-8")), (
        f"src/wai_contract/_data/{name}.json drifted from schemas/{name}.json: copy it over"
    )


def test_the_pages_input_schema_is_the_page_schema_verbatim() -> None:
    page = page_schema((SCHEMAS / "source" / "model-page.txt").read_text("utf-8"))
    ours = {k: v for k, v in load_schema("input-page").items() if k not in ADDED_KEYS}
    assert ours == page


def test_the_input_schema_is_the_published_catalogues_reproduced_byte_for_byte() -> None:
    """``schemas/catalogue/vendor.py convert`` rewrites nothing: input.json is the catalogue
    file's ``schema.input`` (whose SHA-256 is the pinned one) with provenance added."""
    spec = importlib.util.spec_from_file_location("vendor", SCHEMAS / "catalogue" / "vendor.py")
    assert spec is not None and spec.loader is not None
    vendor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vendor)
    assert (SCHEMAS / "input.json").read_text("utf-8") == vendor.convert()
    published = json.loads(vendor.FILE.read_bytes())["schema"]["input"]
    assert {k: v for k, v in load_schema("input").items() if k not in ADDED_KEYS} == published
    assert vendor.COMMIT in load_schema("input")["$comment"]


def test_vendored_page_is_the_shared_capture() -> None:
    shared = ROOT.parent / "shared" / "seed"
    captures = sorted(shared.glob("*.txt")) if shared.is_dir() else []
    if not captures:
        pytest.skip("no shared/seed beside this checkout")
    vendored = (SCHEMAS / "source" / "model-page.txt").read_text("utf-8")
    assert any(Path(c).read_text("utf-8") == vendored for c in captures)


def test_unknown_schema_name_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown schema 'inputs'"):
        load_schema("inputs")


def test_envelope_accepts_success_and_error_and_rejects_mixtures() -> None:
    validator = jsonschema.Draft202012Validator(load_schema("envelope"))
    ok = {"result": {"response": "hi"}, "success": True, "errors": [], "messages": []}
    err = {
        "result": None,
        "success": False,
        "errors": [{"code": 5006, "message": "bad"}],
        "messages": [],
    }
    assert validator.is_valid(ok) and validator.is_valid(err)
    assert not validator.is_valid({**ok, "errors": [{"code": 1, "message": "x"}]})
    assert not validator.is_valid({**err, "errors": []})
    assert not validator.is_valid({**err, "errors": [{"code": "5006", "message": "bad"}]})
    assert not validator.is_valid({**ok, "success": "true"})


def test_output_and_stream_event_schemas() -> None:
    output = jsonschema.Draft202012Validator(load_schema("output"))
    event = jsonschema.Draft202012Validator(load_schema("stream-event"))
    usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    assert output.is_valid(
        {"response": "hi", "usage": usage, "tool_calls": [{"name": "f", "arguments": {"a": 1}}]}
    )
    assert not output.is_valid({"response": 1})
    assert not output.is_valid({"response": "", "tool_calls": [{"name": "f", "arguments": "{}"}]})
    assert not output.is_valid({"response": "", "usage": {**usage, "total_tokens": 5.5}})
    assert event.is_valid({"response": "piece", "p": "padding"})
    # Real streams send events without a response (real-api.md, "Streaming"), but never a
    # response of another type or a tool call without its parts.
    assert event.is_valid({"tool_calls": [], "p": "padding"})
    assert not event.is_valid({"response": 5})
    assert not event.is_valid({"tool_calls": [{"name": "f"}]})
    assert event.is_valid({"tool_calls": [{"index": 0, "function": {"arguments": '{"a'}}]})


def test_output_admits_what_the_real_service_sends() -> None:
    output = jsonschema.Draft202012Validator(load_schema("output"))
    call = {"name": "f", "arguments": {"a": "4"}}
    openai = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 4}'}}
    usage = {"prompt_tokens": 3.0, "completion_tokens": 2, "total_tokens": 5, "neurons": 0.4}
    assert output.is_valid({"response": None, "tool_calls": [call], "usage": usage})
    assert output.is_valid({"tool_calls": [openai]})
    assert not output.is_valid({"response": None})
    assert not output.is_valid({"response": None, "tool_calls": []})
    assert not output.is_valid({"tool_calls": [{"type": "function", "function": {"name": "f"}}]})


def test_the_envelope_admits_both_layers_of_errors() -> None:
    envelope = jsonschema.Draft202012Validator(load_schema("envelope"))
    error = [{"code": 5006, "message": "AiError: Bad input: ... (id)"}]
    assert envelope.is_valid({"errors": error, "success": False, "result": {}, "messages": []})
    assert envelope.is_valid({"errors": error, "success": False, "result": None})
    assert envelope.is_valid({"success": False, "errors": [{"code": 9106.0, "message": "x"}]})
    assert not envelope.is_valid({"errors": error, "success": False, "result": {"a": 1}})
    assert not envelope.is_valid({"errors": [], "success": False, "result": None})
    assert not envelope.is_valid({"errors": [{"code": "5006", "message": "x"}], "success": False})
    assert not envelope.is_valid({"errors": [], "success": True})
