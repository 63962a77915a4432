"""Bodies of the OpenAI-compatible surface (``POST .../chat/completions``), judged by each
reading that applies to them, every finding naming its reading:

* ``openai``: OpenAI's reference, ``CreateChatCompletionRequest`` vendored from its OpenAPI
  document (``schemas/openai-reference/``), which generic compatible servers follow;
* ``service``: what Workers AI does on ``/ai/v1``: the body names the model, and the model's
  own input schema judges it (../shared/real-api.md, "What the service does on this path").
  A null where OpenAI's reference allows one is read as not given, with a warning: whether
  the service accepts it is not known.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any, Literal

from ..schemas import MODEL, openai_reference, without_openai_nulls
from ..validators import Violation, compile_reference, compile_validator
from .branches import schema_errors
from .result import Findings, Found
from .wording import describe, got, preview

Api = Literal["auto", "native", "openai"]
"""Which surface a body is for; ``auto``: OpenAI when it has both ``model`` and ``messages``."""
Reading = Literal["openai", "service"]
READINGS: tuple[Reading, ...] = ("openai", "service")
"""Every reading, in the order findings name them."""
NAMES: dict[Reading, str] = {"openai": "OpenAI's reference", "service": "Workers AI"}


def is_openai(value: Any, api: Api) -> bool:
    """Whether *value* is to be judged as a body of the OpenAI-compatible surface."""
    if api != "auto":
        return api == "openai"
    return value.__class__ is dict and "model" in value and "messages" in value


def check_openai(body: Any, found: Findings, readings: tuple[Reading, ...] = READINGS) -> None:
    """Add *body*'s errors under each of *readings*, and its warnings."""
    unrepresentable = {f.path for f in found.errors if f.rule == "json"}
    said: dict[tuple[Any, ...], list[Reading]] = {}
    for reading in readings:
        for error in reading_errors(body, reading):
            if error.path not in unrepresentable:
                said.setdefault((error.path, error.rule, error.message), []).append(reading)
    for (path, rule, message), by in said.items():
        found.errors.append(Found(path, rule, f"{' and '.join(NAMES[r] for r in by)}: {message}"))
    if "service" in readings:
        judged = without_openai_nulls(body)
        for key in body.keys() - judged.keys() if judged is not body else ():
            message = (
                f"{key} is null: OpenAI's reference reads it as not given; whether Workers AI "
                "accepts a null here is not known"
            )
            found.warnings.append(Found((key,), "null-as-absent", message))
    model = body.get("model") if isinstance(body, dict) else None
    if isinstance(model, str) and model != MODEL:
        message = f"model {preview(model)} is not {MODEL}: its limits are not the ones checked here"
        found.warnings.append(Found(("model",), "other-model", message))


def reading_errors(body: Any, reading: Reading) -> list[Found]:
    """*body*'s errors under one *reading* (none: it accepts the body)."""
    if reading == "openai":
        return _reference_errors(body)
    return _service_errors(body)


def _reference_errors(body: Any) -> list[Found]:
    is_valid, validator = _reference()
    if is_valid(body):
        return []
    once = {(f.path, f.rule, f.message): f for f in _explained(validator.iter_errors(body))}
    return list(once.values())


def _explained(errors: Any) -> Iterator[Found]:
    """*errors* in the linter's words, each ``oneOf``/``anyOf`` error replaced by the errors
    of the alternative the value meant: not one whose type the value misses, nor one whose
    discriminating field (a ``const`` or ``enum``, as a message's ``role``) it misses; of
    the others, the one with the fewest errors. When none is left and every alternative
    misses the same field, that field is the error."""
    for error in errors:
        if error.validator not in ("oneOf", "anyOf") or not error.context:
            yield from _found(error)
            continue
        depth = len(error.absolute_path)
        branches: dict[Any, list[Any]] = {}
        for inner in error.context:
            branches.setdefault(inner.relative_schema_path[0], []).append(inner)
        meant = [inner for inner in branches.values() if not _misses(inner, depth)]
        if meant:
            yield from _explained(min(meant, key=len))
            continue
        yield _none_meant(error, list(branches.values()), depth)


def _none_meant(error: Any, branches: list[list[Any]], depth: int) -> Found:
    """The error of a value that no alternative was meant for: the types they take, when
    the value has none of them; the values of the one field they tell apart by; or else
    the backend's own words."""
    path = tuple(error.absolute_path)
    kinds = [e.validator_value for inner in branches for e in inner if _wrong_type(e, depth)]
    if len(kinds) == len(branches):
        flat = [k for kind in kinds for k in (kind if isinstance(kind, list) else [kind])]
        violation = Violation(path, "type", error.instance, list(dict.fromkeys(flat)), (), "")
        return Found(path, "type", describe(violation))
    told = [
        e
        for inner in branches
        for e in inner
        if e.validator in ("const", "enum") and len(e.absolute_path) == depth + 1
    ]
    if len(told) == len(branches) and len({tuple(e.absolute_path) for e in told}) == 1:
        allowed = [
            v
            for e in told
            for v in (e.validator_value if e.validator == "enum" else [e.validator_value])
        ]
        named = ", ".join(map(preview, dict.fromkeys(allowed)))
        where = tuple(told[0].absolute_path)
        return Found(where, "enum", f"{preview(told[0].instance)} is not one of {named}")
    return Found(path, str(error.validator), _message(error))


def _wrong_type(error: Any, depth: int) -> bool:
    return bool(error.validator == "type" and len(error.absolute_path) == depth)


def _misses(errors: list[Any], depth: int) -> bool:
    """Whether the errors of one alternative show the value was not meant for it."""
    return any(
        _wrong_type(e, depth)
        or (e.validator in ("const", "enum") and len(e.absolute_path) == depth + 1)
        for e in errors
    )


def _found(error: Any) -> Iterator[Found]:
    path = tuple(error.absolute_path)
    if error.validator != "required":
        yield Found(path, str(error.validator), _message(error))
        return
    for name in _missing(error):
        violation = Violation(path, "required", error.instance, name, (), error.message)
        yield Found((*path, name), "required", describe(violation))


def _service_errors(body: Any) -> list[Found]:
    if not isinstance(body, dict):
        return [Found((), "type", f"a request body must be a JSON object, got {got(body)}")]
    if "model" not in body:
        return [Found(("model",), "required", "the body must name the model: model is missing")]
    if not isinstance(body["model"], str):
        said = f"the body must name the model: model must be a string, got {got(body['model'])}"
        return [Found(("model",), "type", said)]
    judged = without_openai_nulls(body)
    return [] if compile_validator("input").is_valid(judged) else schema_errors(judged)


def _missing(error: Any) -> list[str]:
    """The properties a ``required`` error of jsonschema is about (it makes one error for
    each, all alike but for their message)."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [str(name) for name in error.validator_value if name not in instance]


def _message(error: Any) -> str:
    """A ``jsonschema`` error in the linter's words where it has them."""
    keyword = str(error.validator)
    detail = error.validator_value
    violation = Violation(
        tuple(error.absolute_path), keyword, error.instance, detail, (), error.message
    )
    return describe(violation)


@functools.cache
def _reference() -> tuple[Any, Any]:
    """OpenAI's reference, compiled: jsonschema-rs's ``is_valid`` (fast) and a ``jsonschema``
    validator, whose errors carry the alternatives of a ``oneOf`` to explain."""
    import jsonschema

    schema = openai_reference("chat-request")
    return compile_reference("chat-request").is_valid, jsonschema.Draft202012Validator(schema)
