"""Lint request bodies: every schema error at its place, plus warnings for odd input.

The verdict always equals the JSON Schema verdict of ``schemas/input.json``. What lint
adds is *where* and *why*: the top-level ``oneOf`` is resolved to the branch the body
clearly meant (``prompt`` -> Prompt, ``messages`` -> Messages) so a bad field is reported
as itself, a tool that fits neither variant is explained against the closest one, and a
missing property is reported at the pointer where it belongs.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from . import _jsontext
from ._messages import describe, json_type, preview
from .schemas import join_pointer, load_schema, resolve_pointer
from .validators import APPLICATORS, JSON_TYPE_TESTS, compile_validator, is_number, leaf_checker

__all__ = ["WARNING_CODES", "Finding", "LintResult", "lint"]

Path = tuple[str | int, ...]

PROMPT, MESSAGES = 0, 1
BRANCH_NAMES = ("Prompt", "Messages")
BRANCH_KEYS = ("prompt", "messages")
KNOWN_ROLES = ("system", "user", "assistant", "tool")
MESSAGE_KEYS = ("role", "content")
IMAGE_WARNINGS_SHOWN = 10
JS_SAFE_INTEGER = 2**53 - 1

# Words for the oneOf places of the schema: what the value is called, and its variants.
_ONE_OF_WORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "/properties/image/oneOf": ("image", ("a byte array (array of numbers)", "a binary string")),
    "/properties/tools/items/oneOf": (
        "this tool",
        (
            "the flat variant {name, description, parameters}",
            "the function variant {type, function}",
        ),
    ),
}
WARNING_CODES = {
    "unknown-key": "A key the model does not know; likely a typo.",
    "ignored-key": "A key that the body's branch (Prompt or Messages) ignores.",
    "image-byte-range": "An image array item that is not a byte (an integer 0..255).",
    "unknown-role": "A message role other than system, user, assistant or tool.",
    "empty-messages": "An empty messages list.",
    "empty-content": "A non-assistant message with empty content.",
    "max-tokens-range": "max_tokens below 1.",
    "unsafe-integer": "An integer beyond 2^53 - 1, which JavaScript cannot hold exactly.",
    "duplicate-tool-name": "Two tools with the same name.",
    "tool-parameters-type": "Tool parameters whose type is not object.",
    "tool-required-unknown": "A required tool parameter that is not declared in properties.",
    "lone-surrogate": "A string with a lone UTF-16 surrogate escape.",
}
"""Every warning code lint emits, with what it flags."""

_BRANCH_PREFIX = re.compile(r"^/oneOf/\d+")


@dataclass(slots=True)
class Finding:
    """One error or warning in a body.

    ``rule`` is the failing JSON Schema keyword for an error (``"json"`` when the text
    is not JSON) and the warning code for a warning. ``line`` and ``column`` (1-based,
    in the source file) are set when the body came as text.
    """

    pointer: str
    rule: str
    message: str
    line: int | None = None
    column: int | None = None


@dataclass(slots=True)
class LintResult:
    """The verdict on one body and every finding, in document order of discovery."""

    source: str
    line: int
    errors: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()

    @property
    def valid(self) -> bool:
        """True when the body satisfies the schema (warnings allowed)."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape of ``lint --format json``."""
        return {
            "source": self.source,
            "line": self.line,
            "valid": not self.errors,
            "errors": [
                {"pointer": f.pointer, "keyword": f.rule, "message": f.message} for f in self.errors
            ],
            "warnings": [
                {"pointer": f.pointer, "code": f.rule, "message": f.message} for f in self.warnings
            ],
        }


@dataclass(slots=True)
class _Found:
    path: Path
    rule: str
    message: str


class _Findings:
    __slots__ = ("errors", "warnings")

    def __init__(
        self, errors: list[_Found] | None = None, warnings: list[_Found] | None = None
    ) -> None:
        self.errors = [] if errors is None else errors
        self.warnings = [] if warnings is None else warnings


def lint(
    body_or_text: Any,
    *,
    source: str = "<input>",
    line: int = 1,
    positions: bool = True,
) -> LintResult:
    """Lint one request body.

    *body_or_text* is JSON text (``str`` or ``bytes``) or an already parsed body (a
    ``dict``, or any value, which is then judged as a body). For text, findings carry
    the ``line``/``column`` of the offending value, counted from *line* (the body's first
    line in its file); pass ``positions=False`` to skip locating them.
    """
    if not isinstance(body_or_text, _TEXT_TYPES):
        found = _Findings()
        body = _audit_python(body_or_text, (), found)
        _check(body, found)
        return _result(source, line, found, None)
    try:
        value = orjson.loads(body_or_text)
    except orjson.JSONDecodeError:
        return _lint_unusual_text(_text_or_bytes(body_or_text), source, line, positions)
    # The hot path: most bodies are valid and clean, and cost one parse, one Rust call
    # and one pass over their top-level keys.
    if _root_is_valid(value):
        warnings = _warnings(value)
        if not warnings:
            return LintResult(source, line)
        found = _Findings(warnings=warnings)
    else:
        found = _Findings()
        _check(value, found, valid=False)
    return _result(source, line, found, _as_text(body_or_text) if positions else None)


_TEXT_TYPES = (str, bytes, bytearray, memoryview)


def _compile_root(value: Any) -> bool:
    """Compile the input schema on first use, then judge *value* with it."""
    global _root_is_valid
    _root_is_valid = compile_validator("input").is_valid
    return _root_is_valid(value)


_root_is_valid: Callable[[Any], bool] = _compile_root
"""The verdict of the whole input schema, without a cache lookup per body."""


def _text_or_bytes(data: str | bytes | bytearray | memoryview) -> str | bytes:
    return data if isinstance(data, str | bytes) else bytes(data)


def _as_text(data: str | bytes | bytearray | memoryview) -> str:
    """The text of a body, for locating findings (bad UTF-8 becomes U+FFFD)."""
    return data if isinstance(data, str) else str(data, "utf-8", "replace")


def _lint_unusual_text(data: bytes | str, source: str, line: int, positions: bool) -> LintResult:
    """Text that strict parsing refused: explain why, or lint what a lenient parse found."""
    text = _as_text(data)
    try:
        parsed = _jsontext.parse(data)
    except _jsontext.JsonTextError as exc:
        error = _Found((), "json", f"not valid JSON: {exc.message}")
        return _result(
            source, line, _Findings([error]), text if positions else None, {(): exc.offset}
        )
    found = _Findings()
    _report_recovered(parsed.surrogates, parsed.overflows, found)
    _check(parsed.value, found)
    return _result(source, line, found, text if positions else None)


def _result(
    source: str,
    line: int,
    found: _Findings,
    text: str | None,
    offsets: dict[Path, int] | None = None,
) -> LintResult:
    located: dict[Path, int] = {}
    if text is not None:
        located.update(offsets or {})
        # Every finding is located in one walk of the text, and its line counted in one
        # pass: a body can have thousands.
        unplaced = {f.path for f in (*found.errors, *found.warnings)} - located.keys()
        located.update(_jsontext.locate_all(text, unplaced))
        places = _jsontext.line_columns(text, located.values())

    def finding(item: _Found) -> Finding:
        pointer = join_pointer(item.path)
        if text is None:
            return Finding(pointer, item.rule, item.message)
        at_line, column = places[located[item.path]]
        return Finding(pointer, item.rule, item.message, line + at_line - 1, column)

    return LintResult(
        source,
        line,
        tuple([finding(f) for f in found.errors]),
        tuple([finding(f) for f in found.warnings]),
    )


# --- errors ----------------------------------------------------------------------------


def _check(body: Any, found: _Findings, valid: bool | None = None) -> None:
    if valid is None:
        valid = _root_is_valid(body)
    if not valid:
        errors = _schema_errors(body)
        if found.errors:
            # A value JSON cannot carry is reported once, as such, not again by the schema.
            unrepresentable = {f.path for f in found.errors if f.rule == "json"}
            errors = [e for e in errors if e.path not in unrepresentable]
        found.errors += errors
    if isinstance(body, dict):
        found.warnings.extend(_warnings(body))


def _schema_errors(body: Any) -> list[_Found]:
    if not isinstance(body, dict):
        return [
            _Found(
                (),
                "type",
                f"a request body must be a JSON object, got {json_type(body)} {preview(body)}",
            )
        ]
    has_prompt, has_messages = "prompt" in body, "messages" in body
    if has_prompt != has_messages:
        return _branch_errors(body, PROMPT if has_prompt else MESSAGES)
    as_prompt, as_messages = _branch_errors(body, PROMPT), _branch_errors(body, MESSAGES)
    if has_prompt:
        head = _Found(
            (),
            "oneOf",
            "`prompt` and `messages` are mutually exclusive: send a Prompt body "
            "(with prompt) or a Messages body (with messages), not both",
        )
    else:
        head = _Found(
            (),
            "required",
            "the body needs either `prompt` (a Prompt body) or `messages` (a Messages body)"
            + _branch_hint(body),
        )
    return [head, *_common(as_prompt, as_messages)]


def _branch_hint(body: dict[str, Any]) -> str:
    """Which branch the body's other keys point to, when only one of them does."""
    hints = [b for b in (PROMPT, MESSAGES) if body.keys() & (_BRANCH_KEYS[b] - _BRANCH_KEYS[1 - b])]
    if len(hints) != 1:
        return ""
    key = sorted(body.keys() & (_BRANCH_KEYS[hints[0]] - _BRANCH_KEYS[1 - hints[0]]))[0]
    return (
        f"; `{key}` suggests a {BRANCH_NAMES[hints[0]]} body, which needs `{BRANCH_KEYS[hints[0]]}`"
    )


def _common(first: list[_Found], second: list[_Found]) -> list[_Found]:
    """Errors that remain whichever branch the body is fixed towards."""
    in_second = {(f.path, f.rule) for f in second}
    return [
        f
        for f in first
        if (f.path, f.rule) in in_second and f.path not in {("prompt",), ("messages",)}
    ]


def _branch_errors(body: dict[str, Any], branch: int) -> list[_Found]:
    return _explain(_node(f"/oneOf/{branch}"), body, ())


class _Node:
    """One subschema of the input schema, with its compiled validators and children.

    The tree is built whole on first use (the schema has no ``$ref``), so the walk reads
    plain attributes.
    """

    __slots__ = (
        "additional",
        "at",
        "is_valid",
        "items",
        "leaf_check",
        "one_of",
        "one_of_words",
        "properties",
        "schema",
        "shallow",
        "shallow_is_valid",
    )

    def __init__(self, at: str) -> None:
        self.at = at
        self.schema: dict[str, Any] = resolve_pointer(load_schema("input"), at)
        self.is_valid = compile_validator("input", at).is_valid
        self.shallow = compile_validator("input", at, shallow=True)
        self.shallow_is_valid = self.shallow.is_valid
        self.leaf_check = leaf_checker(
            {k: v for k, v in self.schema.items() if k not in APPLICATORS}
        )
        schema = self.schema
        self.properties: dict[str, _Node] = {
            key: _node(f"{at}/properties{join_pointer((key,))}")
            for key in schema.get("properties", {})
        }
        extra, items = schema.get("additionalProperties"), schema.get("items")
        self.additional = _node(f"{at}/additionalProperties") if isinstance(extra, dict) else None
        self.items = _node(f"{at}/items") if isinstance(items, dict) else None
        self.one_of: tuple[_Node, ...] = tuple(
            _node(f"{at}/oneOf/{i}") for i in range(len(schema.get("oneOf", ())))
        )
        # What a value here is called, and its variants, for the oneOf explanations.
        self.one_of_words = _ONE_OF_WORDS.get(_BRANCH_PREFIX.sub("", at + "/oneOf")) or (
            "the value",
            tuple(alt.schema.get("title", f"variant {i + 1}") for i, alt in enumerate(self.one_of)),
        )


@functools.cache
def _node(at: str) -> _Node:
    return _Node(at)


def _explain(node: _Node, instance: Any, path: Path) -> list[_Found]:
    """Every violation of *node* by *instance*, each at its deepest place.

    The walk descends only into children that fail (a cheap backend ``is_valid`` each).
    At a node whose own keywords fail (its validator without applicators), the leaf
    checker names them in Python, which costs a tenth of the backend's error objects; the
    backend's ``iter_errors`` explains any keyword the checker does not know.
    """
    out: list[_Found] = []
    if not node.shallow_is_valid(instance):  # most failing nodes fail only in a child
        found = node.leaf_check(instance) if node.leaf_check else None
        for violation in found or node.shallow.iter_errors(instance):
            if violation.keyword == "required":
                out.append(_Found((*path, violation.detail), "required", describe(violation)))
            else:
                out.append(_Found(path, violation.keyword, describe(violation)))
                if violation.keyword == "type":
                    return out  # the children of a value of the wrong type mean nothing
    if isinstance(instance, dict):
        properties, additional = node.properties, node.additional
        for key, value in instance.items():
            child = properties.get(key, additional)
            if child is not None and not child.is_valid(value):
                out += _explain(child, value, (*path, key))
    elif isinstance(instance, list) and node.items is not None:
        items = node.items
        for i, item in enumerate(instance):
            if not items.is_valid(item):
                out += _explain(items, item, (*path, i))
    if node.one_of:
        fitting = [i for i, alt in enumerate(node.one_of) if alt.is_valid(instance)]
        if len(fitting) != 1:
            out += _explain_one_of(instance, node, path, fitting)
    return out


def _explain_one_of(instance: Any, node: _Node, path: Path, fitting: list[int]) -> list[_Found]:
    """Why *instance* fits not exactly one of the ``oneOf`` alternatives of *node*
    (*fitting* lists the ones it fits)."""
    alternatives = node.one_of
    subject, names = node.one_of_words
    if len(fitting) > 1:
        both = " and ".join(names[i] for i in fitting)
        return [
            _Found(
                path,
                "oneOf",
                f"{subject} fits {both}, but must fit exactly one: "
                "remove the keys of the shape you do not mean",
            )
        ]
    if not any(_type_fits(instance, alt.schema.get("type")) for alt in alternatives):
        return [
            _Found(
                path,
                "type",
                f"expected {' or '.join(names)}, got {json_type(instance)} {preview(instance)}",
            )
        ]

    def nearness(schema: dict[str, Any]) -> tuple[bool, float]:
        """Cheap first: a variant of the right type, with fewer required keys missing."""
        required = schema.get("required", [])
        missing = sum(
            1 for name in required if not (isinstance(instance, dict) and name in instance)
        )
        return not _type_fits(instance, schema.get("type")), (
            missing / len(required) if required else 0.0
        )

    near = [nearness(alt.schema) for alt in alternatives]
    tied = [i for i, distance in enumerate(near) if distance == min(near)]
    # Only the closest variants are explained in full; fewer errors breaks a tie.
    explained = {i: _explain(alternatives[i], instance, path) for i in tied}
    closest = min(tied, key=lambda i: len(explained[i]))
    note = f" ({subject} fits no variant; it is closest to {names[closest]})"
    return [_Found(f.path, f.rule, f.message + note) for f in explained[closest]]


def _type_fits(value: Any, kind: Any) -> bool:
    """Whether *value* has the JSON type *kind* (no type, or an unknown one: anything fits)."""
    test = JSON_TYPE_TESTS.get(kind) if isinstance(kind, str) else None
    return test is None or test(value)


# --- warnings --------------------------------------------------------------------------


def _branch_of(body: dict[str, Any]) -> int | None:
    has_prompt, has_messages = "prompt" in body, "messages" in body
    if has_prompt != has_messages:
        return PROMPT if has_prompt else MESSAGES
    if has_prompt:  # both: the branch that validates, if exactly one does
        fits = [
            b
            for b in (PROMPT, MESSAGES)
            if compile_validator("input", f"/oneOf/{b}").is_valid(body)
        ]
        return fits[0] if len(fits) == 1 else None
    return None


_INPUT = load_schema("input")
_BRANCH_KEYS = tuple(frozenset(alt["properties"]) for alt in _INPUT["oneOf"])
_SHARED_KEYS = _BRANCH_KEYS[PROMPT] & _BRANCH_KEYS[MESSAGES]
_ALL_KEYS = frozenset(_BRANCH_KEYS[PROMPT] | _BRANCH_KEYS[MESSAGES])


def _did_you_mean(name: str, choices: Iterable[str]) -> str:
    import difflib  # only for a body with a warning: kept off the start-up path

    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def _warnings(body: dict[str, Any]) -> list[_Found]:
    out: list[_Found] = []
    own: Iterable[str] = ()  # the common case: every key is one of the branch's own
    branch = _branch_of(body)
    if branch is None or not body.keys() <= _BRANCH_KEYS[branch]:
        own = body.keys() - _SHARED_KEYS
    for key in own:
        if key not in _ALL_KEYS:
            out.append(
                _Found(
                    (key,),
                    "unknown-key",
                    f"`{key}` is not a parameter of this model and will be ignored"
                    + _did_you_mean(key, _ALL_KEYS),
                )
            )
            continue
        if branch is not None and key not in _BRANCH_KEYS[branch]:
            name, other = BRANCH_NAMES[branch], BRANCH_NAMES[1 - branch]
            out.append(
                _Found(
                    (key,),
                    "ignored-key",
                    f"`{key}` belongs to {other} bodies; this {name} body ignores it",
                )
            )
    messages = body.get("messages")
    if messages.__class__ is list:
        out.extend(_message_warnings(messages))
    image = body.get("image")
    if image.__class__ is list:
        out.extend(_image_warnings(image))
    tools = body.get("tools")
    if tools.__class__ is list:
        out.extend(_tool_warnings(tools))
    max_tokens = body.get("max_tokens")
    if max_tokens is not None and is_number(max_tokens):
        if max_tokens < 1:
            out.append(
                _Found(
                    ("max_tokens",),
                    "max-tokens-range",
                    f"max_tokens {preview(max_tokens)} leaves no room for an answer",
                )
            )
        elif max_tokens > JS_SAFE_INTEGER:
            out.append(
                _Found(
                    ("max_tokens",),
                    "unsafe-integer",
                    f"max_tokens {preview(max_tokens)} is beyond 2^53 - 1: a "
                    "JavaScript runtime such as Workers cannot hold it exactly",
                )
            )
    if out:
        out.sort(key=_document_order(body))
    return out


def _document_order(body: dict[str, Any]) -> Any:
    order = {key: i for i, key in enumerate(body)}
    return lambda found: order.get(found.path[0], len(order)) if found.path else -1


def _message_warnings(messages: list[Any]) -> list[_Found]:
    out: list[_Found] = []
    if not messages:
        out.append(
            _Found(
                ("messages",),
                "empty-messages",
                "`messages` is empty: the model gets no conversation to answer",
            )
        )
    for i, message in enumerate(messages):
        if message.__class__ is not dict:
            continue
        role = message.get("role")
        if (
            len(message) == 2
            and role.__class__ is str
            and role in _KNOWN_ROLES
            and "content" in message
            and message["content"] != ""
        ):
            continue  # the common case: nothing to say
        if len(message) != 2 or "role" not in message or "content" not in message:
            for key in message.keys() - _MESSAGE_KEYS:
                out.append(
                    _Found(
                        ("messages", i, key),
                        "unknown-key",
                        f"`{key}` is not a message field (only role and content "
                        "are)" + _did_you_mean(key, _MESSAGE_KEYS),
                    )
                )
        if isinstance(role, str) and role not in _KNOWN_ROLES:
            out.append(
                _Found(
                    ("messages", i, "role"),
                    "unknown-role",
                    f"role {preview(role)} is none of {', '.join(KNOWN_ROLES)}"
                    + _did_you_mean(role, KNOWN_ROLES),
                )
            )
        if message.get("content") == "" and role != "assistant":
            out.append(
                _Found(
                    ("messages", i, "content"),
                    "empty-content",
                    f"this {preview(role)} message has empty content",
                )
            )
    return out


_KNOWN_ROLES = frozenset(KNOWN_ROLES)
_MESSAGE_KEYS = frozenset(MESSAGE_KEYS)


def _image_warnings(image: list[Any]) -> list[_Found]:
    odd = [
        i
        for i, v in enumerate(image)
        if is_number(v) and not (0 <= v <= 255 and float(v).is_integer())
    ]
    out = [
        _Found(
            ("image", i),
            "image-byte-range",
            f"image item {preview(image[i])} is not a byte (an integer 0..255)",
        )
        for i in odd[:IMAGE_WARNINGS_SHOWN]
    ]
    if len(odd) > IMAGE_WARNINGS_SHOWN:
        out.append(
            _Found(
                ("image",),
                "image-byte-range",
                f"{len(odd) - IMAGE_WARNINGS_SHOWN:,} more image items are not "
                "bytes (integers 0..255)",
            )
        )
    return out


def _tool_warnings(tools: list[Any]) -> list[_Found]:
    out: list[_Found] = []
    seen: dict[str, int] = {}
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict):
            continue
        prefix: Path = ("tools", i)
        spec = tool
        if "function" in tool and isinstance(tool["function"], dict):
            spec, prefix = tool["function"], ("tools", i, "function")
        name = spec.get("name")
        if isinstance(name, str):
            if name in seen:
                out.append(
                    _Found(
                        (*prefix, "name"),
                        "duplicate-tool-name",
                        f"tool name {preview(name)} is already used by "
                        f"/tools/{seen[name]}: the model cannot tell them apart",
                    )
                )
            seen.setdefault(name, i)
        parameters = spec.get("parameters")
        if not isinstance(parameters, dict):
            continue
        kind = parameters.get("type")
        if isinstance(kind, str) and kind != "object":
            out.append(
                _Found(
                    (*prefix, "parameters", "type"),
                    "tool-parameters-type",
                    f"parameters type is {preview(kind)}; tool arguments are "
                    'a JSON object, so it should be "object"',
                )
            )
        declared = parameters.get("properties")
        required = parameters.get("required")
        if isinstance(declared, dict) and isinstance(required, list):
            for j, needed in enumerate(required):
                if isinstance(needed, str) and needed not in declared:
                    out.append(
                        _Found(
                            (*prefix, "parameters", "required", j),
                            "tool-required-unknown",
                            f"required parameter {preview(needed)} is not "
                            "declared in properties" + _did_you_mean(needed, declared),
                        )
                    )
    return out


def _report_recovered(surrogates: list[Path], overflows: list[Path], found: _Findings) -> None:
    for path in surrogates:
        found.warnings.append(
            _Found(
                path,
                "lone-surrogate",
                "string holds a lone UTF-16 surrogate escape (such as "
                "\\ud83d), which is not a character; it is counted as "
                "U+FFFD",
            )
        )
    for path in overflows:
        found.errors.append(
            _Found(
                path, "json", "number is beyond the range of a 64-bit float and reads as infinity"
            )
        )


# --- Python values ---------------------------------------------------------------------


def _audit_python(value: Any, path: Path, found: _Findings) -> Any:
    """Report what JSON cannot carry in a Python value, and make it safe to validate."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            _report_recovered([path], [], found)
            return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
        return value
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            found.errors.append(
                _Found(path, "json", f"{value!r} is not a JSON number (JSON numbers are finite)")
            )
            return None
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                found.errors.append(_Found(path, "json", f"object key {key!r} is not a string"))
                key = str(key)
            out[key] = _audit_python(item, (*path, key), found)
        return out
    if isinstance(value, list | tuple):
        return [_audit_python(item, (*path, i), found) for i, item in enumerate(value)]
    found.errors.append(_Found(path, "json", f"a {type(value).__name__} is not a JSON value"))
    return None
