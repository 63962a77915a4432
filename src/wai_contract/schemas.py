"""The vendored JSON Schemas, loaded once per process.

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
from typing import Any

from .errors import ConfigError

_DATA = os.path.join(os.path.dirname(os.path.realpath(__file__)), "_data")

SCHEMA_NAMES = ("input", "output", "envelope", "stream-event")
"""Names of the vendored schemas: request body, result, v4 envelope, one SSE event."""

MODEL = "@cf/mistral/mistral-7b-instruct-v0.2-lora"
"""The model whose API the schemas describe."""


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """Return the vendored schema *name* (one of :data:`SCHEMA_NAMES`) as a dict.

    The dict is shared and cached: do not mutate it.
    """
    if name not in SCHEMA_NAMES:
        raise ConfigError(f"unknown schema {name!r}; choose one of {', '.join(SCHEMA_NAMES)}")
    with open(os.path.join(_DATA, f"{name}.json"), encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


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
