"""Keys given twice in one JSON object.

JSON text may repeat a key (RFC 8259 says names "SHOULD be unique"); JavaScript and Python
keep the last value, other parsers the first or refuse the text, so lint warns
(``duplicate-key``) at the value that counts here, the last.

A full search costs a second parse, so a body takes it only when counting colons cannot
rule duplicates out (see :func:`may_repeat`).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from ..schemas import load_schema, on_schema_change
from .jsontext import has_surrogate, replace_surrogates
from .result import Found, Path

LONG_TEXT = 4096
"""From this length (characters or bytes), colons are searched rather than counted..."""
FEW_COLONS = 256
"""... unless there are more than this many."""


def may_repeat(data: bytes | bytearray | str, value: Any, *, valid: bool = False) -> bool:
    """False when *data*, parsed into *value* (*valid*: against the input schema), certainly
    repeats no key.

    Each key in the text has one colon after it; the text's other colons are in strings,
    which *value* keeps unless their pair was dropped as a repeat. So a text repeats a key
    when it holds more colons than *value* written again, and none when it holds as many
    and no escaped colon (``\\u003a``); a text with no more colons than keys repeats none.
    """
    text = isinstance(data, str)
    colon: Any = ":" if text else b":"
    # No more colons than keys: every colon follows a key, and each key is there once.
    if len(data) < LONG_TEXT:
        colons = data.count(colon)
        if value.__class__ is dict and (
            colons <= len(value)  # a flat body: no need to count deeper keys
            or (valid and colons <= _fewest_keys(value))
        ):
            return False
        keys = _some_keys(value)
        if colons <= keys:
            return False
    elif _searched(data, colon, (keys := _some_keys(value)) + 1) > keys:
        colons = _count(data, colon)
    else:
        return False
    again = _count(orjson.dumps(value), b":")
    if colons != again:
        return True  # more: a repeat; fewer: escaped colons, which only a parse can read
    backslash, escaped = ("\\", "\\u003") if text else (b"\\", b"\\u003")
    return backslash in data and escaped in data  # type: ignore[operator]


def _searched(data: Any, colon: Any, most: int) -> int:
    """The colons in *data*, up to *most*, found one by one (memchr): most of a long body
    is one string, which a count would read byte by byte."""
    found, at = 0, data.find(colon)
    while at >= 0 and found < most:
        found += 1
        at = data.find(colon, at + 1)
    return found


def _count(data: Any, colon: Any) -> int:
    """The colons in *data*: searched one by one in a long text that holds few of them."""
    if len(data) < LONG_TEXT:
        return int(data.count(colon))
    few = _searched(data, colon, FEW_COLONS + 1)
    return few if few <= FEW_COLONS else int(data.count(colon))


def _some_keys(value: Any) -> int:
    """A count of keys *value* has at least: the body's own, its messages', functions' and
    tools' (exact for the common chat, cheap beside a second serialisation)."""
    if value.__class__ is not dict:
        return 0
    return _items_keys(value.get("messages")) + _fewest_keys(value, keys_a_message=0)


def _fewest_keys(body: dict[str, Any], keys_a_message: int | None = None) -> int:
    """The fewest keys a body valid against the input schema has: its own, each message's
    required ones (or *keys_a_message*), its functions' and its tools' (cheaper than counting
    each message's). A valid body with ``prompt`` is a Prompt body, whose ``messages``
    (ignored) the schema does not check."""
    keys = len(body)
    messages = body.get("messages")
    if messages.__class__ is list and "prompt" not in body:
        if keys_a_message is None:
            keys_a_message = _message_keys_at_least
        keys += keys_a_message * len(messages)
    functions = body.get("functions")
    if functions.__class__ is list:
        keys += _items_keys(functions)
    tools = body.get("tools")
    if tools.__class__ is list:
        keys += sum([_tool_keys(tool) for tool in tools if tool.__class__ is dict])
    return keys


def _items_keys(items: Any) -> int:
    """The keys of the objects in *items*, a list (or not: none)."""
    if items.__class__ is not list:
        return 0
    return sum([len(item) for item in items if item.__class__ is dict])


_message_keys_at_least = 0


@on_schema_change
def _read_required_message_keys() -> None:
    """How many keys every message of a valid Messages body has: its required ones."""
    global _message_keys_at_least
    found = 0
    for branch in load_schema("input").get("oneOf", ()):
        items = branch.get("properties", {}).get("messages", {}).get("items", {})
        if isinstance(items, dict) and isinstance(items.get("required"), list):
            found = len(set(items["required"]))
    _message_keys_at_least = found


_read_required_message_keys()


def _tool_keys(tool: dict[str, Any]) -> int:
    keys = len(tool)
    function = tool.get("function")
    if function.__class__ is dict:
        keys += len(function)
        tool = function
    parameters = tool.get("parameters")
    if parameters.__class__ is dict:
        keys += len(parameters)
        properties = parameters.get("properties")
        if properties.__class__ is dict:
            keys += len(properties) + sum(
                [len(p) for p in properties.values() if p.__class__ is dict]
            )
    return keys


def duplicate_keys(text: str) -> list[Found]:
    """A ``duplicate-key`` warning at every key given more than once, in document order."""
    try:
        value = json.loads(text, object_pairs_hook=_Pairs.of)
    except (ValueError, RecursionError):
        return []  # text only a lenient parse reads: nothing to say about its keys
    found: list[Found] = []
    try:
        _walk(value, (), found)
    except RecursionError:
        return []
    return found


class _Pairs(dict[str, Any]):
    """An object as the parser built it, with the keys it saw more than once."""

    repeated: dict[str, int]

    @classmethod
    def of(cls, pairs: list[tuple[str, Any]]) -> _Pairs:
        made = cls(pairs)
        made.repeated = {}
        if len(made) < len(pairs):
            for key, _ in pairs:
                made.repeated[key] = made.repeated.get(key, 0) + 1
            made.repeated = {k: n for k, n in made.repeated.items() if n > 1}
        return made


def _walk(node: Any, path: Path, found: list[Found]) -> None:
    if isinstance(node, _Pairs):
        for key, times in node.repeated.items():
            if has_surrogate(key):  # as lint reads such a key: with U+FFFD for the surrogate
                key = replace_surrogates(key)
            found.append(
                Found(
                    (*path, key),
                    "duplicate-key",
                    f"`{key}` is given {times} times in this object: the last one counts "
                    "here (as in JavaScript and Python), but some parsers take the first",
                )
            )
        for key, child in node.items():
            _walk(child, (*path, replace_surrogates(key) if has_surrogate(key) else key), found)
    elif isinstance(node, list):
        for index, child in enumerate(node):
            _walk(child, (*path, index), found)
