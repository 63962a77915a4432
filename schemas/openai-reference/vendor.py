"""Vendor OpenAI's chat-completions shapes from its published OpenAPI document.

Two steps, so that the second is checked offline by the test suite:

``python schemas/openai-reference/vendor.py extract OPENAPI_YAML``
    reads OpenAI's ``openapi.yaml`` (repository ``openai/openai-openapi``, at the commit
    pinned below; its SHA-256 must match) and writes ``source.json``: the four roots and
    every component schema they reference, unchanged.
``python schemas/openai-reference/vendor.py convert``
    turns ``source.json`` into JSON Schema 2020-12 files beside it, one per root, byte for
    byte the same on every run: ``$ref`` to ``#/$defs/...``; OpenAPI's ``nullable: true`` as
    ``null`` admitted beside the declared type; OpenAPI's own keywords (``x-*``,
    ``discriminator``, ``example``) dropped. Nothing else is changed: every bound, enum and
    ``required`` list is OpenAI's.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPOSITORY = "openai/openai-openapi"
COMMIT = "f85dbe223d40e1a31cba812ab2d755c7e98a92a3"
PATH = "openapi.yaml"
SHA256 = "db5d7478feae10b4d331834c60d9765a8aa042e38419f9b1694288c11aa8ebc8"
ROOTS = {
    "chat-request": "CreateChatCompletionRequest",
    "chat-response": "CreateChatCompletionResponse",
    "chat-chunk": "CreateChatCompletionStreamResponse",
    "error": "ErrorResponse",
}
DIALECT = "https://json-schema.org/draft/2020-12/schema"
_DROPPED = {"discriminator", "example", "examples", "xml", "externalDocs"}
_PREFIX = "#/components/schemas/"


def extract(openapi_yaml: Path) -> None:
    """Write ``source.json``: the roots and what they reference, from the document."""
    import yaml

    data = openapi_yaml.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        sys.exit(f"{openapi_yaml}: SHA-256 {digest}, not the pinned {SHA256}")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    schemas = yaml.load(data, Loader=loader)["components"]["schemas"]
    wanted: dict[str, Any] = {}
    pending = list(ROOTS.values())
    while pending:
        name = pending.pop()
        if name in wanted:
            continue
        wanted[name] = schemas[name]
        pending += [ref[len(_PREFIX) :] for ref in _refs(schemas[name])]
    source = {
        "repository": REPOSITORY,
        "commit": COMMIT,
        "path": PATH,
        "sha256": SHA256,
        "schemas": dict(sorted(wanted.items())),
    }
    (HERE / "source.json").write_text(json.dumps(source, indent=1, ensure_ascii=False) + "\n")


def convert() -> dict[str, str]:
    """Each vendored file's text, from ``source.json`` (written by ``main``)."""
    source = json.loads((HERE / "source.json").read_text())
    converted = {name: _converted(schema) for name, schema in source["schemas"].items()}
    files = {}
    for file_name, root in ROOTS.items():
        used = _closure(root, converted)
        document = {
            "$schema": DIALECT,
            "$comment": (
                f"Vendored by schemas/openai-reference/vendor.py from {source['repository']} "
                f"{source['path']} at {source['commit']} (sha256 {source['sha256']}), "
                f"component {root}; do not edit."
            ),
            "$ref": f"#/$defs/{root}",
            "$defs": {name: converted[name] for name in sorted(used)},
        }
        files[f"{file_name}.json"] = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    return files


def _refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return found + [ref for item in value.values() for ref in _refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _refs(item)]
    return []


def _closure(root: str, schemas: dict[str, Any]) -> set[str]:
    used: set[str] = set()
    pending = [root]
    while pending:
        name = pending.pop()
        if name not in used:
            used.add(name)
            pending += [ref.removeprefix("#/$defs/") for ref in _refs(schemas[name])]
    return used


def _converted(schema: Any) -> Any:
    """One OpenAPI 3.1 schema object as JSON Schema 2020-12 (see the module's docstring)."""
    if isinstance(schema, list):
        return [_converted(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {
        key: _converted(value)
        for key, value in schema.items()
        if key not in _DROPPED and not key.startswith("x-") and key != "nullable"
    }
    if isinstance(out.get("$ref"), str):
        out["$ref"] = "#/$defs/" + out["$ref"].removeprefix(_PREFIX)
    if schema.get("nullable") is True:
        out = _nullable(out)
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """*schema* admitting ``null`` too, as OpenAPI's ``nullable: true`` says."""
    kind = schema.get("type")
    if isinstance(kind, str) and "enum" not in schema and "const" not in schema:
        return {**schema, "type": [kind, "null"]}
    if isinstance(kind, list) and "enum" not in schema and "const" not in schema:
        return {**schema, "type": [*kind, *(["null"] if "null" not in kind else [])]}
    return {"anyOf": [schema, {"type": "null"}]}


def main(argv: list[str]) -> None:
    if argv[:1] == ["extract"] and len(argv) == 2:
        extract(Path(argv[1]))
    elif argv == ["convert"]:
        for name, text in convert().items():
            (HERE / name).write_text(text)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
