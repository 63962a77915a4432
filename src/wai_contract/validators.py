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
from .schemas import load_schema, on_schema_change, resolve_pointer

DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(slots=True)
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


on_schema_change(compile_validator.cache_clear)


@functools.cache
def compile_reference(name: str) -> Validator:
    """Compile (once per process) OpenAI's schema *name* (``chat-request``,
    ``chat-response``, ``chat-chunk``, ``error``), vendored in ``schemas/openai-reference/``."""
    from .schemas import openai_reference

    return RsValidator(openai_reference(name))


def compile_given(schema: Any) -> Any | None:
    """A ``jsonschema`` Draft 2020-12 validator for a schema given at run time (a tool's
    ``parameters``, a contract example's ``result``), compiled once per distinct schema;
    ``None`` when *schema* is not a usable schema."""
    import json

    return _compile_text(json.dumps(schema, sort_keys=True, default=repr))


@functools.lru_cache(maxsize=256)
def _compile_text(text: str) -> Any | None:
    import json

    import jsonschema

    schema = json.loads(text)
    if not _meta_valid(schema):
        try:  # jsonschema decides: it is the one that compiles
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError:
            return None
    return jsonschema.Draft202012Validator(schema)


def _meta_valid(schema: Any) -> bool:
    """Whether jsonschema-rs finds *schema* valid under Draft 2020-12's meta-schema, a
    few microseconds where ``check_schema`` takes milliseconds; False when in doubt."""
    import jsonschema_rs

    if isinstance(schema, dict):  # judged as 2020-12, whatever it says, as jsonschema will
        schema = {**schema, "$schema": DIALECT}
    try:
        return bool(jsonschema_rs.meta.is_valid(schema))
    except Exception:  # any refusal: jsonschema decides
        return False


# --- leaf keywords, judged in Python ----------------------------------------------------

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "default", "examples", "format"}
)
"""Keywords that never fail a value (``format`` is an annotation in 2020-12 by default)."""


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def is_number(value: Any) -> bool:
    """Whether *value* is a JSON number (an int or float, not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


JSON_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "integer": _is_integer,
    "number": is_number,
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
}
"""For each JSON Schema type name, whether a parsed value has it (``7.0`` is an integer)."""


def leaf_checker(schema: dict[str, Any]) -> Callable[[Any], list[Violation]] | None:
    """A Python judge of the keywords of an applicator-free *schema*, for explaining why a
    value failed it without a trip through the backend's error objects (which costs ten
    times its verdict). None when the schema uses a keyword it does not know.

    The verdict itself always comes from the backend: callers ask this only about a value
    the backend has already failed, and fall back to ``iter_errors`` if it finds nothing.
    Violations come in the schema's keyword order, as the backend reports them.
    """
    tests: list[tuple[str, Any, Callable[[Any, Any], bool]]] = []
    required: list[str] = []
    for keyword, limit in schema.items():
        if keyword == "required":
            required = limit
            tests.append((keyword, limit, _never))  # a placeholder that keeps the order
        elif keyword in _LEAF_TESTS and (keyword != "type" or _known_types(limit)):
            tests.append((keyword, limit, _LEAF_TESTS[keyword]))
        elif keyword not in _ANNOTATIONS:
            return None

    def check(value: Any) -> list[Violation]:
        out = []
        for keyword, limit, fails in tests:
            if fails(value, limit):
                out.append(Violation((), keyword, value, limit, (keyword,), f"{keyword} failed"))
            elif keyword == "required" and isinstance(value, dict):
                out += [
                    Violation((), keyword, value, name, (keyword,), f"{name!r} is required")
                    for name in required
                    if name not in value
                ]
        return out

    return check


def _known_types(kinds: Any) -> bool:
    names = [kinds] if isinstance(kinds, str) else kinds
    return isinstance(names, list) and all(name in JSON_TYPE_TESTS for name in names)


def _never(value: Any, limit: Any) -> bool:
    return False


def _wrong_type(value: Any, kinds: Any) -> bool:
    if isinstance(kinds, str):
        return not JSON_TYPE_TESTS[kinds](value)
    return not any(JSON_TYPE_TESTS[kind](value) for kind in kinds)


def _below(value: Any, limit: Any) -> bool:
    return is_number(value) and value < limit


def _above(value: Any, limit: Any) -> bool:
    return is_number(value) and value > limit


def _too_short(value: Any, limit: int) -> bool:
    return isinstance(value, str) and len(value) < limit


def _too_long(value: Any, limit: int) -> bool:
    return isinstance(value, str) and len(value) > limit


def _not_listed(value: Any, members: list[Any]) -> bool:
    return not any(json_equal(value, member) for member in members)


def _not_const(value: Any, constant: Any) -> bool:
    return not json_equal(value, constant)


def json_equal(a: Any, b: Any) -> bool:
    """JSON Schema's equality (``enum``, ``const``): 1 equals 1.0, ``true`` does not equal 1,
    arrays item by item, objects key by key."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if is_number(a) and is_number(b):
        return bool(a == b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[key], b[key]) for key in a)
    return type(a) is type(b) and a == b


_LEAF_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "enum": _not_listed,
    "const": _not_const,
    "type": _wrong_type,
    "minimum": _below,
    "maximum": _above,
    "minLength": _too_short,
    "maxLength": _too_long,
}
"""For each keyword the leaf checker judges (``required`` aside): (value, limit) -> fails."""
