"""Compiled validators behind one protocol, with interchangeable backends.

Two backends implement :class:`Validator`:

* ``rs`` -- `jsonschema-rs <https://pypi.org/project/jsonschema-rs/>`_, compiled Rust; about
  200x faster than ``py`` on our schema, so it is the default and the lint hot path.
* ``py`` -- the reference `jsonschema <https://pypi.org/project/jsonschema/>`_ library.

Both report :class:`Violation` records of the same shape, so everything downstream
(messages, branch analysis, reports) is backend-agnostic; one parametrised test runs the
lint table against both.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import ConfigError
from .schemas import load_schema, resolve_pointer

DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True, slots=True)
class Violation:
    """One failed keyword, as any backend reports it.

    ``path`` locates the failing value in the instance, ``schema_path`` the failing
    keyword in the schema that was compiled. ``detail`` is the keyword's value, except
    for ``required``, where it is the one missing property name.
    """

    path: tuple[str | int, ...]
    keyword: str
    instance: Any
    detail: Any
    schema_path: tuple[str | int, ...]
    message: str


class Validator(Protocol):
    """A compiled schema: a fast verdict and, when needed, every violation."""

    def is_valid(self, instance: Any) -> bool: ...

    def iter_errors(self, instance: Any) -> Iterator[Violation]: ...


class RsValidator:
    """Validator backed by jsonschema-rs."""

    is_valid: Callable[[Any], bool]

    def __init__(self, schema: dict[str, Any]) -> None:
        import jsonschema_rs

        self._schema = schema
        self._compiled = jsonschema_rs.Draft202012Validator(schema)
        # The hot path calls the compiled method directly, without a Python frame.
        self.is_valid = self._compiled.is_valid

    def iter_errors(self, instance: Any) -> Iterator[Violation]:
        for error in self._compiled.iter_errors(instance):
            schema_path = tuple(error.schema_path)
            keyword = error.kind.name
            detail = (
                error.kind.value
                if keyword == "required"
                else _keyword_value(self._schema, schema_path)
            )
            yield Violation(
                tuple(error.instance_path),
                keyword,
                error.instance,
                detail,
                schema_path,
                error.message,
            )


class PyValidator:
    """Validator backed by the reference ``jsonschema`` library."""

    def __init__(self, schema: dict[str, Any]) -> None:
        import jsonschema

        self._compiled = jsonschema.Draft202012Validator(schema)

    def is_valid(self, instance: Any) -> bool:
        return bool(self._compiled.is_valid(instance))

    def iter_errors(self, instance: Any) -> Iterator[Violation]:
        for error in self._compiled.iter_errors(instance):
            path = tuple(error.absolute_path)
            schema_path = tuple(error.absolute_schema_path)
            keyword = str(error.validator)
            if keyword == "required":
                # jsonschema reports one error per missing name but keeps the whole list in
                # validator_value; recover the name the way the message states it.
                missing = [
                    name
                    for name in error.validator_value
                    if isinstance(error.instance, dict) and name not in error.instance
                ]
                named = next((n for n in missing if repr(n) in error.message), None)
                if named is not None:
                    yield Violation(
                        path, keyword, error.instance, named, schema_path, error.message
                    )
                continue
            yield Violation(
                path, keyword, error.instance, error.validator_value, schema_path, error.message
            )


BACKENDS: dict[str, type[RsValidator] | type[PyValidator]] = {
    "rs": RsValidator,
    "py": PyValidator,
}
"""Validator backends by name; ``rs`` is the default."""


def _keyword_value(schema: dict[str, Any], schema_path: tuple[str | int, ...]) -> Any:
    node: Any = schema
    for token in schema_path:
        node = node[token]
    return node


APPLICATORS = frozenset({"properties", "additionalProperties", "items", "oneOf"})
"""Keywords that judge children or alternatives; a *shallow* validator leaves them out."""


@functools.cache
def compile_validator(
    schema: str = "input", at: str = "", backend: str = "rs", *, shallow: bool = False
) -> Validator:
    """Compile (once per process) the vendored *schema*, or its subschema at pointer *at*.

    A *shallow* validator judges only the keywords about the value itself (``type``,
    ``required``, bounds, ...), not its children: :data:`APPLICATORS` are removed.
    """
    if backend not in BACKENDS:
        raise ConfigError(
            f"unknown validator backend {backend!r}; choose one of {', '.join(BACKENDS)}"
        )
    document = load_schema(schema)
    subschema = resolve_pointer(document, at) if at else document
    if not isinstance(subschema, dict):
        raise ConfigError(f"{schema}.json{at or '#'} is not a schema object")
    if shallow:
        subschema = {k: v for k, v in subschema.items() if k not in APPLICATORS}
    return BACKENDS[backend]({"$schema": DIALECT, **subschema})
