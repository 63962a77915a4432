"""The vendored JSON Schemas, loaded once per process, or a schema given in their place.

``schemas/`` at the top of the repository is the source of truth; the package ships
an identical copy in ``wai_contract/_data`` (a test keeps the two equal) so that an
installed wheel needs no checkout. They are read with :mod:`os.path` rather than
:mod:`importlib.resources` or :mod:`pathlib`, whose imports cost 10 and 4 ms of every
start-up.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from typing import Any

from .errors import ConfigError

_DATA = os.path.join(os.path.dirname(os.path.realpath(__file__)), "_data")

SCHEMA_NAMES = (
    "input",
    "input-page",
    "output",
    "envelope",
    "stream-event",
    "openai-chat-response",
    "openai-chat-chunk",
    "openai-error",
)
"""Names of the vendored schemas: request body (as Cloudflare publishes it today; and as the
vendor's page we started from had it, ``--schema page``), result, v4 envelope, one SSE event;
and the answer, stream chunk and error answer of the OpenAI-compatible surface (its requests are
judged by :mod:`.readings`: OpenAI's reference, see :func:`openai_reference`, and the
model's own input schema)."""

MODEL = "@cf/mistral/mistral-7b-instruct-v0.2-lora"
"""The model whose API the schemas describe."""


_IN_USE: dict[str, tuple[dict[str, Any], str]] = {}
"""Schemas used in place of the vendored ones (``--schema FILE``), with their source."""
_ON_CHANGE: list[Callable[[], None]] = []


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """Return the schema *name* (one of :data:`SCHEMA_NAMES`) as a dict: the vendored one,
    or the one given to :func:`use_schema`.

    The dict is shared and cached: do not mutate it.
    """
    if name not in SCHEMA_NAMES:
        raise ConfigError(f"unknown schema {name!r}; choose one of {', '.join(SCHEMA_NAMES)}")
    if name in _IN_USE:
        return _IN_USE[name][0]
    with open(os.path.join(_DATA, f"{name}.json"), encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@functools.cache
def openai_reference(name: str) -> dict[str, Any]:
    """OpenAI's own schema *name* (``chat-request``), vendored from its OpenAPI document
    (``schemas/openai-reference/``). Shared: do not mutate it."""
    with open(os.path.join(_DATA, "openai-reference", f"{name}.json"), encoding="utf-8") as f:
        schema: dict[str, Any] = json.load(f)
    return schema


@functools.cache
def openai_request_fields() -> dict[str, Any]:
    r"""The request fields of OpenAI's reference, each with its schema (whose ``$ref``\ s
    point into the vendored schema's ``$defs``)."""
    definitions = openai_reference("chat-request")["$defs"]
    properties: dict[str, Any] = {}
    parts = [definitions["CreateChatCompletionRequest"]]
    while parts:  # the request is an allOf of references, themselves allOfs
        part = parts.pop()
        if "$ref" in part:
            parts.append(definitions[part["$ref"].removeprefix("#/$defs/")])
        parts += part.get("allOf", [])
        properties = {**part.get("properties", {}), **properties}
    return properties


@functools.cache
def openai_nullable_fields() -> frozenset[str]:
    """The request fields that OpenAI's reference lets a client send as ``null`` (which it
    reads as "not given"): derived from the vendored schema, not listed by hand."""
    import jsonschema

    definitions = openai_reference("chat-request")["$defs"]
    properties = openai_request_fields()
    return frozenset(
        name
        for name, schema in properties.items()
        if jsonschema.Draft202012Validator({**schema, "$defs": definitions}).is_valid(None)
    )


def without_openai_nulls(body: Any) -> Any:
    """*body* without the fields it sends as ``null`` where OpenAI's reference lets it: the
    reference reads them as not given, and so do the server, the linter and the runner
    (real clients send ``"max_tokens": null`` and ``"stop": null``: ../shared/real-api.md,
    "Clients send nulls")."""
    if not isinstance(body, dict) or None not in body.values():
        return body
    nullable = openai_nullable_fields()
    return {key: value for key, value in body.items() if value is not None or key not in nullable}


def use_schema(name: str, schema: dict[str, Any] | None, source: str = "") -> None:
    """From now on, in this process, use *schema* (from *source*) as the schema *name*;
    ``None`` goes back to the vendored one. Everything compiled from the old one is
    dropped (see :func:`on_schema_change`)."""
    if schema is None:
        _IN_USE.pop(name, None)
    else:
        _IN_USE[name] = (schema, source)
    load_schema.cache_clear()
    for forget in _ON_CHANGE:
        forget()


def on_schema_change(forget: Callable[[], None]) -> Callable[[], None]:
    """Register *forget*, called when :func:`use_schema` changes a schema (a decorator)."""
    _ON_CHANGE.append(forget)
    return forget


def input_default(key: str) -> Any:
    """The default the input schema in use declares for the body's *key* (in any branch of
    its ``oneOf``), or ``None`` when none does."""
    schema = load_schema("input")
    for branch in [schema, *schema.get("oneOf", [])]:
        declared = (branch.get("properties") or {}).get(key)
        if isinstance(declared, dict) and "default" in declared:
            return declared["default"]
    return None


@functools.cache
def default_max_tokens() -> int | None:
    """The input schema's default for ``max_tokens`` (the vendor page says 256); ``None``
    when the schema in use declares none, and nothing may rest on a guess of it."""
    value = input_default("max_tokens")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


on_schema_change(default_max_tokens.cache_clear)  # read once per schema: a hot path asks


INPUT_SCHEMA_NAMES = {
    "published": "Cloudflare's catalogue (vendored schemas/input.json)",
    "page": "the vendor's page (vendored schemas/input-page.json)",
}
"""The request schemas ``--schema`` takes by name, each with the source a report names."""


INPUT_SCHEMAS = {"published": "input", "page": "input-page"}
"""The vendored schema (a name of :data:`SCHEMA_NAMES`) each name of ``--schema`` stands for."""


def choose_input_schema(choice: str | None) -> None:
    """Judge request bodies by *choice* from now on, in this process: a name of
    :data:`INPUT_SCHEMA_NAMES` (``None`` is ``published``, the default) or a schema file (see
    :func:`read_input_schema`)."""
    if choice is None or choice == "published":
        use_schema("input", None)
    elif choice in INPUT_SCHEMA_NAMES:
        use_schema("input", load_schema(INPUT_SCHEMAS[choice]), INPUT_SCHEMA_NAMES[choice])
    else:
        use_schema("input", read_input_schema(choice), choice)


def schema_identity(name: str) -> dict[str, str]:
    """Where the schema *name* in use comes from, and the SHA-256 of its canonical JSON."""
    import hashlib

    if name in _IN_USE:
        source = _IN_USE[name][1]
    elif name == "input":
        source = INPUT_SCHEMA_NAMES["published"]
    else:
        source = f"vendored schemas/{name}.json"
    text = json.dumps(load_schema(name), sort_keys=True, separators=(",", ":"))
    return {"source": source, "sha256": hashlib.sha256(text.encode()).hexdigest()}


def resolve_pointer(document: Any, pointer: str) -> Any:
    """Return the part of *document* that the JSON Pointer *pointer* names (RFC 6901)."""
    node = document
    for token in split_pointer(pointer):
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def split_pointer(pointer: str) -> list[str]:
    """Split a JSON Pointer into its unescaped reference tokens."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON Pointer must start with '/': {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


@functools.lru_cache(maxsize=4096)
def join_pointer(tokens: tuple[str | int, ...]) -> str:
    """Build a JSON Pointer from reference tokens, escaping ``~`` and ``/``."""
    return "".join(["/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens])


def read_input_schema(path: str) -> dict[str, Any]:
    """The request schema in the file *path*: the schema itself, or ``{"input": ...}``, or
    the answer of ``GET .../ai/models/schema`` (``{"result": {"input": ...}}``) as
    ``wai-contract schemas pull`` saves it, or Cloudflare's catalogue file for a model as
    published (``{"schema": {"input": ...}}``). It must be a ``oneOf`` of object branches, as
    the vendored one is; a :class:`ConfigError` names what is wrong."""
    return input_schema_in(read_schema_document(path), path)


def read_schema_document(path: str) -> Any:
    """The JSON value in the schema file *path*, read within the config bound."""
    from .files import MAX_CONFIG_BYTES, read_capped

    text = read_capped(path, MAX_CONFIG_BYTES, "schema")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"schema {path} is not JSON: {str(exc)[:200]}") from None


def input_schema_in(document: Any, path: str) -> dict[str, Any]:
    """The request schema in *document*, read from *path* (see :func:`read_input_schema`)."""
    if isinstance(document, dict) and isinstance(document.get("result"), dict):
        document = document["result"]
    elif isinstance(document, dict) and isinstance(document.get("schema"), dict):
        document = document["schema"]
    if isinstance(document, dict) and isinstance(document.get("input"), dict):
        document = document["input"]
    import jsonschema

    try:
        jsonschema.Draft202012Validator.check_schema(document)
    except jsonschema.SchemaError as exc:
        raise ConfigError(f"schema {path} is not a valid JSON Schema: {exc.message}") from None
    branches = document.get("oneOf") if isinstance(document, dict) else None
    if (
        not isinstance(branches, list)
        or not all(isinstance(b, dict) and isinstance(b.get("properties"), dict) for b in branches)
        or len(branches) != 2
    ):
        raise ConfigError(
            f"schema {path} is not a request schema: expected a oneOf of the Prompt and "
            "Messages bodies, each with properties"
        )
    schema: dict[str, Any] = document
    return schema
