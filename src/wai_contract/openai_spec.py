"""OpenAI's chat-completions shapes, taken from its published OpenAPI document
(``openai/openai-openapi``, ``openapi.yaml``) and turned into JSON Schema 2020-12.

One implementation for both uses: ``schemas/openai-reference/vendor.py`` vendors them at a
pinned commit, and ``wai-contract schemas pull --openai`` fetches them at any commit so that
``schemas diff`` can say what changed. The conversion changes nothing of substance: ``$ref``
to ``#/$defs/...``; OpenAPI's ``nullable: true`` as ``null`` admitted beside the declared
type; OpenAPI's own keywords (``x-*``, ``discriminator``, ``example``) dropped. Every bound,
enum and ``required`` list is OpenAI's.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import TargetError

REPOSITORY = "openai/openai-openapi"
PATH = "openapi.yaml"
PINNED = "f85dbe223d40e1a31cba812ab2d755c7e98a92a3"
"""The commit the vendored files come from (``schemas/openai-reference/``)."""
RAW_URL = "https://raw.githubusercontent.com/{repository}/{ref}/{path}"
ROOTS = {
    "chat-request": "CreateChatCompletionRequest",
    "chat-response": "CreateChatCompletionResponse",
    "chat-chunk": "CreateChatCompletionStreamResponse",
    "error": "ErrorResponse",
}
"""Each vendored file, and the component of OpenAI's document it holds."""
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024
DIALECT = "https://json-schema.org/draft/2020-12/schema"
_DROPPED = {"discriminator", "example", "examples", "xml", "externalDocs"}
_PREFIX = "#/components/schemas/"


def components(document: bytes) -> dict[str, Any]:
    """The component schemas of :data:`ROOTS` and every one they reference, unchanged, from
    the text of an OpenAPI document."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        schemas = yaml.load(document, Loader=loader)["components"]["schemas"]
    except (yaml.YAMLError, TypeError, KeyError) as exc:
        raise TargetError(f"not an OpenAPI document with components.schemas: {exc}") from None
    wanted: dict[str, Any] = {}
    pending = list(ROOTS.values())
    while pending:
        name = pending.pop()
        if name in wanted:
            continue
        if name not in schemas:
            raise TargetError(f"the OpenAPI document has no component {name}")
        wanted[name] = schemas[name]
        pending += [ref[len(_PREFIX) :] for ref in _refs(schemas[name])]
    return dict(sorted(wanted.items()))


def converted(source: dict[str, Any], comment: str) -> dict[str, dict[str, Any]]:
    """Each file of :data:`ROOTS` as a JSON Schema document, from *source* (the component
    schemas, as :func:`components` gives them), with *comment* (``{root}`` filled in)."""
    schemas = {name: _converted(schema) for name, schema in source.items()}
    return {
        name: {
            "$schema": DIALECT,
            "$comment": comment.format(root=root),
            "$ref": f"#/$defs/{root}",
            "$defs": {used: schemas[used] for used in sorted(_closure(root, schemas))},
        }
        for name, root in ROOTS.items()
    }


def fetch(url: str, *, timeout: float = 60.0) -> bytes:
    """The document at *url*, at most :data:`MAX_DOCUMENT_BYTES`; a :class:`TargetError`
    otherwise."""
    import httpx

    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            if response.status_code != 200:
                raise TargetError(f"{url} answered {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_DOCUMENT_BYTES:
                    raise TargetError(f"{url} is over {MAX_DOCUMENT_BYTES:,} bytes")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise TargetError(f"cannot fetch {url}: {exc}") from None
    return b"".join(chunks)


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What changed from the OpenAI shapes *old* to *new* (each ``{file: schema}``), one
    sentence a change, component by component."""
    from .drift import differences as changed

    out = []
    for name in ROOTS:
        before = (old.get(name) or {}).get("$defs") or {}
        after = (new.get(name) or {}).get("$defs") or {}
        out += [f"{name}: component {c} added" for c in after if c not in before]
        out += [f"{name}: component {c} removed" for c in before if c not in after]
        for component in before:
            if component in after:
                said = changed(before[component], after[component])
                out += [f"{name}: {component} {change}" for change in said]
    return out


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


def dumped(document: dict[str, Any]) -> str:
    """A vendored file's text (the layout ``vendor.py`` writes)."""
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"
