"""Warnings: legal but odd input, as a table of small rules, one per code.

Each :class:`Rule` names its code, what it flags, and the checks it runs on the parts of
a body it looks at: a top-level key, the ``messages`` list or one odd message, the
``image`` list, one tool, ``max_tokens``. :func:`warnings_of` walks a body once and offers
each part to the rules that look at it; the common clean body costs one subset test.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..validators import is_number
from . import branches
from .branches import BRANCH_NAMES, branch_of
from .result import Found, Path
from .wording import preview

KNOWN_ROLES = ("system", "user", "assistant", "tool")
MESSAGE_KEYS = ("role", "content")
IMAGE_WARNINGS_SHOWN = 10
JS_SAFE_INTEGER = 2**53 - 1
_KNOWN_ROLES = frozenset(KNOWN_ROLES)
_MESSAGE_KEYS = frozenset(MESSAGE_KEYS)

Warnings = list[Found]


def _did_you_mean(name: str, choices: Iterable[str]) -> str:
    return _closest(name, tuple(sorted(choices)))


@functools.lru_cache(maxsize=1024)
def _closest(name: str, choices: tuple[str, ...]) -> str:
    """The suggestion for *name* (cached: a batch repeats its typos, and difflib is slow)."""
    import difflib  # only for a body with a warning: kept off the start-up path

    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


# --- the checks, by the part of the body they look at -------------------------------------


def _unknown_key(key: str, branch: int | None) -> Warnings:
    if key in branches.ALL_FIELDS:
        return []
    message = f"`{key}` is not a parameter of this model and will be ignored"
    return [Found((key,), "unknown-key", message + _did_you_mean(key, branches.ALL_FIELDS))]


def _ignored_key(key: str, branch: int | None) -> Warnings:
    if branch is None or key not in branches.ALL_FIELDS or key in branches.BRANCH_FIELDS[branch]:
        return []
    name, other = BRANCH_NAMES[branch], BRANCH_NAMES[1 - branch]
    message = f"`{key}` belongs to {other} bodies; this {name} body ignores it"
    return [Found((key,), "ignored-key", message)]


def _unknown_message_key(message: dict[str, Any], i: int) -> Warnings:
    return [
        Found(
            ("messages", i, key),
            "unknown-key",
            f"`{key}` is not a message field (only role and content are)"
            + _did_you_mean(key, _MESSAGE_KEYS),
        )
        for key in message.keys() - _MESSAGE_KEYS
    ]


def _unknown_role(message: dict[str, Any], i: int) -> Warnings:
    role = message.get("role")
    if not isinstance(role, str) or role in _KNOWN_ROLES:
        return []
    text = f"role {preview(role)} is none of {', '.join(KNOWN_ROLES)}"
    return [Found(("messages", i, "role"), "unknown-role", text + _did_you_mean(role, KNOWN_ROLES))]


def _empty_content(message: dict[str, Any], i: int) -> Warnings:
    role = message.get("role")
    if message.get("content") != "" or role == "assistant":
        return []
    text = f"this {preview(role)} message has empty content"
    return [Found(("messages", i, "content"), "empty-content", text)]


def _empty_messages(messages: list[Any]) -> Warnings:
    text = "`messages` is empty: the model gets no conversation to answer"
    return [Found(("messages",), "empty-messages", text)]


def _image_bytes(image: list[Any]) -> Warnings:
    odd = [
        i
        for i, v in enumerate(image)
        if is_number(v) and not (0 <= v <= 255 and float(v).is_integer())
    ]
    out = [
        Found(
            ("image", i),
            "image-byte-range",
            f"image item {preview(image[i])} is not a byte (an integer 0..255)",
        )
        for i in odd[:IMAGE_WARNINGS_SHOWN]
    ]
    if len(odd) > IMAGE_WARNINGS_SHOWN:
        more = len(odd) - IMAGE_WARNINGS_SHOWN
        text = f"{more:,} more image items are not bytes (integers 0..255)"
        out.append(Found(("image",), "image-byte-range", text))
    return out


def _duplicate_tool_name(spec: dict[str, Any], at: Path, seen: dict[str, int]) -> Warnings:
    name = spec.get("name")
    if not isinstance(name, str) or name not in seen:
        return []
    text = (
        f"tool name {preview(name)} is already used by /tools/{seen[name]}: "
        "the model cannot tell them apart"
    )
    return [Found((*at, "name"), "duplicate-tool-name", text)]


def _parameters_type(spec: dict[str, Any], at: Path, seen: dict[str, int]) -> Warnings:
    parameters = spec.get("parameters")
    kind = parameters.get("type") if isinstance(parameters, dict) else None
    if not isinstance(kind, str) or kind == "object":
        return []
    text = (
        f"parameters type is {preview(kind)}; tool arguments are a JSON object, "
        'so it should be "object"'
    )
    return [Found((*at, "parameters", "type"), "tool-parameters-type", text)]


def _required_unknown(spec: dict[str, Any], at: Path, seen: dict[str, int]) -> Warnings:
    parameters = spec.get("parameters")
    if not isinstance(parameters, dict):
        return []
    declared, required = parameters.get("properties"), parameters.get("required")
    if not isinstance(declared, dict) or not isinstance(required, list):
        return []
    return [
        Found(
            (*at, "parameters", "required", j),
            "tool-required-unknown",
            f"required parameter {preview(needed)} is not declared in properties"
            + _did_you_mean(needed, declared),
        )
        for j, needed in enumerate(required)
        if isinstance(needed, str) and needed not in declared
    ]


def _max_tokens_range(max_tokens: Any) -> Warnings:
    if max_tokens >= 1:
        return []
    text = f"max_tokens {preview(max_tokens)} leaves no room for an answer"
    return [Found(("max_tokens",), "max-tokens-range", text)]


def _unsafe_max_tokens(max_tokens: Any) -> Warnings:
    if max_tokens <= JS_SAFE_INTEGER or max_tokens == math.inf:  # infinity: an error already
        return []
    text = (
        f"max_tokens {preview(max_tokens)} is beyond 2^53 - 1: a JavaScript runtime such as "
        "Workers cannot hold it exactly"
    )
    return [Found(("max_tokens",), "unsafe-integer", text)]


# --- the table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One warning code: what it flags, and its checks for each part of a body."""

    code: str
    flags: str
    key: Callable[[str, int | None], Warnings] | None = None
    no_messages: Callable[[list[Any]], Warnings] | None = None
    """Run on an empty ``messages`` list."""
    message: Callable[[dict[str, Any], int], Warnings] | None = None
    image: Callable[[list[Any]], Warnings] | None = None
    tool: Callable[[dict[str, Any], Path, dict[str, int]], Warnings] | None = None
    max_tokens: Callable[[Any], Warnings] | None = None


RULES = (
    Rule(
        "unknown-key",
        "A key the model does not know; likely a typo.",
        key=_unknown_key,
        message=_unknown_message_key,
    ),
    Rule(
        "ignored-key",
        "A key that the body's branch (Prompt or Messages) ignores.",
        key=_ignored_key,
    ),
    Rule(
        "image-byte-range",
        "An image array item that is not a byte (an integer 0..255).",
        image=_image_bytes,
    ),
    Rule(
        "unknown-role",
        "A message role other than system, user, assistant or tool.",
        message=_unknown_role,
    ),
    Rule("empty-messages", "An empty messages list.", no_messages=_empty_messages),
    Rule("empty-content", "A non-assistant message with empty content.", message=_empty_content),
    Rule("max-tokens-range", "max_tokens below 1.", max_tokens=_max_tokens_range),
    Rule(
        "unsafe-integer",
        "An integer beyond 2^53 - 1, which JavaScript cannot hold exactly.",
        max_tokens=_unsafe_max_tokens,
    ),
    Rule("duplicate-tool-name", "Two tools with the same name.", tool=_duplicate_tool_name),
    Rule(
        "tool-parameters-type", "Tool parameters whose type is not object.", tool=_parameters_type
    ),
    Rule(
        "tool-required-unknown",
        "A required tool parameter that is not declared in properties.",
        tool=_required_unknown,
    ),
    # Found while parsing the text (see python_values.report_recovered), not in a body.
    Rule("lone-surrogate", "A string with a lone UTF-16 surrogate escape."),
    # Found in the text (see duplicates.duplicate_keys): a parsed body cannot repeat a key.
    Rule("duplicate-key", "A key given twice in one object (the last one counts here)."),
    # Found in bodies of the OpenAI-compatible surface (see openai.check_openai).
    Rule("other-model", "An OpenAI-surface body that names another model than this one."),
    Rule(
        "null-as-absent",
        "An OpenAI-surface field sent as null where OpenAI's reference allows it (read as not "
        "given); whether Workers AI accepts it is not known.",
    ),
)

WARNING_CODES = {rule.code: rule.flags for rule in RULES}
"""Every warning code lint emits, with what it flags."""

_KEY = tuple(r.key for r in RULES if r.key)
_NO_MESSAGES = tuple(r.no_messages for r in RULES if r.no_messages)
_MESSAGE = tuple(r.message for r in RULES if r.message)
_IMAGE = tuple(r.image for r in RULES if r.image)
_TOOL = tuple(r.tool for r in RULES if r.tool)
_MAX_TOKENS = tuple(r.max_tokens for r in RULES if r.max_tokens)


def warnings_of(body: dict[str, Any]) -> list[Found]:
    """Every warning of *body*, in document order."""
    out: list[Found] = []
    own: Iterable[str] = ()  # the common case: every key is one of the branch's own
    branch = branch_of(body)
    fields = branches.BRANCH_FIELDS  # read at each call: the schema in use may change
    if branch is None or not body.keys() <= fields[branch]:
        own = body.keys() - branches.SHARED_FIELDS
    for key in own:
        for check_key in _KEY:
            out += check_key(key, branch)
    messages = body.get("messages")
    if messages.__class__ is list:
        out += _message_warnings(messages)
    image = body.get("image")
    if image.__class__ is list:
        for check_image in _IMAGE:
            out += check_image(image)
    tools = body.get("tools")
    if tools.__class__ is list:
        out += _tool_warnings(tools)
    max_tokens = body.get("max_tokens")
    # The common case, a max_tokens from 1 to 2^53 - 1, has nothing to say.
    if max_tokens is not None and is_number(max_tokens) and not 1 <= max_tokens <= JS_SAFE_INTEGER:
        for check_max in _MAX_TOKENS:
            out += check_max(max_tokens)
    if out:
        out.sort(key=_document_order(body))
    return out


def _document_order(body: dict[str, Any]) -> Any:
    order = {key: i for i, key in enumerate(body)}
    return lambda found: order.get(found.path[0], len(order)) if found.path else -1


def _message_warnings(messages: list[Any]) -> list[Found]:
    out: list[Found] = []
    if not messages:
        for check_empty in _NO_MESSAGES:
            out += check_empty(messages)
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
        for check_message in _MESSAGE:
            out += check_message(message, i)
    return out


def _tool_warnings(tools: list[Any]) -> list[Found]:
    out: list[Found] = []
    seen: dict[str, int] = {}
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict):
            continue
        spec: dict[str, Any] = tool
        at: Path = ("tools", i)
        if "function" in tool and isinstance(tool["function"], dict):
            spec, at = tool["function"], ("tools", i, "function")
        for check_tool in _TOOL:
            out += check_tool(spec, at, seen)
        name = spec.get("name")
        if isinstance(name, str):
            seen.setdefault(name, i)
    return out
