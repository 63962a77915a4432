"""Strict JSON parsing with positions, and locating JSON Pointers in the source text."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

MAX_DEPTH = 1024
Path = tuple[str | int, ...]
"""Deepest nesting accepted (orjson's limit); deeper text is reported, never a crash."""


class JsonTextError(ValueError):
    """Text that is not a strict RFC 8259 JSON document; ``offset`` is where it breaks."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(slots=True)
class Parsed:
    """A parsed document, with what a lenient reparse had to recover from.

    ``surrogates`` lists paths of strings that held lone surrogates (replaced by U+FFFD
    in ``value``, which keeps their length); ``overflows`` lists paths of numbers that
    overflow a double, such as ``1e400``.
    """

    value: Any
    surrogates: list[tuple[str | int, ...]] = field(default_factory=list)
    overflows: list[tuple[str | int, ...]] = field(default_factory=list)


_ORJSON_SUFFIX = re.compile(r":\s*line \d+ column \d+ \(char \d+\)$")
_CONSTANT = re.compile(r"-?(?:NaN|Infinity)")


def parse(data: bytes | str) -> Parsed:
    """Parse *data* as strict JSON, or raise :class:`JsonTextError` with a clear reason.

    NaN, Infinity, trailing commas, single quotes and truncated text are errors. Lone
    surrogate escapes and numbers beyond a double's range are legal JSON text, so they
    parse, and are reported in :class:`Parsed` for the caller to judge.
    """
    try:
        return Parsed(orjson.loads(data))
    except orjson.JSONDecodeError as exc:
        strict_error = exc
    text = _decode(data)
    offset = _char_offset(text, data, strict_error.pos)
    reason = _ORJSON_SUFFIX.sub("", str(strict_error.msg))
    if not text.strip():
        raise JsonTextError("the document is empty", 0)
    for start in (offset - 1, offset):  # orjson stops after the sign of -Infinity
        constant = _CONSTANT.match(text, start) if start >= 0 else None
        if constant:
            raise JsonTextError(
                f"{constant.group()} is not allowed: JSON numbers must be finite", start
            )
    if "recursion limit" in reason or "depth limit" in reason:
        raise JsonTextError(f"nested more than {MAX_DEPTH} levels deep", offset)
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_int=_integer)
    except (ValueError, RecursionError):
        raise JsonTextError(reason, offset) from None
    parsed = Parsed(value)
    parsed.value = _recover(value, (), parsed)
    return parsed


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]
        hint = " (it looks like UTF-16: save it as UTF-8)" if utf16 else ""
        raise JsonTextError(
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start}{hint}",
            len(data[: exc.start].decode("utf-8", "replace")),
        ) from None


def _char_offset(text: str, data: bytes | str, pos: int) -> int:
    # orjson reports positions in bytes of its input; callers want characters.
    if isinstance(data, str):
        return pos
    return len(data[:pos].decode("utf-8", "replace"))


def _integer(literal: str) -> int | float:
    # Numbers are read as 64-bit floats (as the service's JavaScript reads them): an integer
    # beyond their range reads as infinity, an error like 1e400, whatever its length.
    if len(literal) > 300:
        number = float(literal)
        if math.isinf(number):
            return number
    return int(literal)


class _Underflow(float):
    """A literal such as 1e-400: not zero, yet read as 0 by a 64-bit float."""


def _real(literal: str) -> float:
    number = float(literal)
    if number == 0 and any(c in "123456789" for c in literal.partition("e")[0].partition("E")[0]):
        return _Underflow(0.0)
    return number


def underflows(text: str) -> list[Path]:
    """Where *text* (valid JSON) holds a nonzero number too small for a 64-bit float."""
    try:
        value = json.loads(text, parse_float=_real)
    except (ValueError, RecursionError):
        return []
    found: list[Path] = []
    stack: list[tuple[Any, Path]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _Underflow):
            found.append(path)
        elif isinstance(node, dict):
            stack += [(v, (*path, k)) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(v, (*path, i)) for i, v in enumerate(node)]
    return found


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _recover(node: Any, path: tuple[str | int, ...], parsed: Parsed) -> Any:
    if isinstance(node, str):
        if has_surrogate(node):
            parsed.surrogates.append(path)
            return replace_surrogates(node)
        return node
    if isinstance(node, float) and math.isinf(node):
        parsed.overflows.append(path)
        return node
    if isinstance(node, dict):
        recovered = {}
        for key, value in node.items():
            if has_surrogate(key):
                key = replace_surrogates(key)
                parsed.surrogates.append((*path, key))
            recovered[key] = _recover(value, (*path, key), parsed)
        return recovered
    if isinstance(node, list):
        return [_recover(v, (*path, i), parsed) for i, v in enumerate(node)]
    return node


def replace_surrogates(text: str) -> str:
    """*text* with each lone surrogate replaced by U+FFFD."""
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def has_surrogate(text: str) -> bool:
    """*text* holds a lone surrogate (so it cannot be encoded as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# --- locating a pointer in source text -------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"[^,\]}\s]*")
_STRUCTURAL = re.compile(r'["\[\]{}]')


def locate(text: str, path: tuple[str | int, ...] | list[str | int]) -> int:
    """Return the character offset in *text* of the value at *path*.

    When the path leads nowhere (a missing property), the offset of the deepest
    existing ancestor is returned: that is where the property belongs. Duplicate keys
    resolve to the last one, as JSON parsers keep it.
    """
    i = _skip_ws(text, 0)
    for token in path:
        found = _child(text, i, token)
        if found is None:
            return i
        i = found
    return i


Pointer = tuple[str | int, ...]


def locate_all(text: str, paths: Iterable[Pointer]) -> dict[Pointer, int]:
    """Return the offset in *text* of the value at each of *paths*, as :func:`locate` does
    for one, in one pass.

    Each container on the way to some path is read once, however many paths go through
    it: locating the 5,000 findings of a 5,000-message body costs one walk of the text,
    not 5,000.
    """
    wanted = list(paths)
    if len(wanted) == 1:  # the common case, for which the walk below costs more
        return {wanted[0]: locate(text, wanted[0])}
    tree: dict[Any, Any] = {}
    for path in wanted:
        node = tree
        for token in path:
            node = node.setdefault(token, {})
    reached: dict[Pointer, int] = {}
    pending: list[tuple[Pointer, int, dict[Any, Any]]] = [((), _skip_ws(text, 0), tree)]
    while pending:
        prefix, i, node = pending.pop()
        reached[prefix] = i
        if node:
            for token, at in _children(text, i, node).items():
                pending.append(((*prefix, token), at, node[token]))
    offsets = {}
    for path in wanted:
        depth = len(path)
        while path[:depth] not in reached:  # where a missing property belongs
            depth -= 1
        offsets[path] = reached[path[:depth]]
    return offsets


def _children(text: str, i: int, tokens: Iterable[str | int]) -> dict[str | int, int]:
    """The offsets of the children named by *tokens* of the container at *i*, read in one
    pass over it (the last of duplicate keys, as in :func:`_child`)."""
    if i >= len(text) or text[i] not in "[{":
        return {}
    found: dict[str | int, int] = {}
    if text[i] == "{":
        keys: dict[str, list[str | int]] = {}
        for token in tokens:
            keys.setdefault(str(token), []).append(token)
        for name, at in _members(text, i):
            for token in keys.get(name, ()):
                found[token] = at
        return found
    indices: dict[int, list[str | int]] = {}
    for token in tokens:
        if str(token).isdigit():
            indices.setdefault(int(token), []).append(token)
    last = max(indices, default=-1)
    for position, at in enumerate(_elements(text, i)):
        if position > last:
            break
        for token in indices.get(position, ()):
            found[token] = at
    return found


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of *offset* in *text*."""
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return line, column


def line_columns(text: str, offsets: Iterable[int]) -> dict[int, tuple[int, int]]:
    """:func:`line_column` of each of *offsets*, counting the lines of *text* once."""
    out: dict[int, tuple[int, int]] = {}
    line, counted, line_start = 1, 0, 0
    for offset in sorted(set(offsets)):
        newlines = text.count("\n", counted, offset)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted, offset) + 1
        counted = offset
        out[offset] = (line, offset - line_start + 1)
    return out


def _skip_ws(text: str, i: int) -> int:
    match = _WS.match(text, i)
    return match.end() if match else i


def _child(text: str, i: int, token: str | int) -> int | None:
    if i >= len(text):
        return None
    if text[i] == "{":
        return _member(text, i, str(token))
    if text[i] == "[" and isinstance(token, int | str) and str(token).isdigit():
        return _element(text, i, int(token))
    return None


def _member(text: str, i: int, key: str) -> int | None:
    found = None
    for name, at in _members(text, i):
        if name == key:
            found = at
    return found


def _members(text: str, i: int) -> Iterator[tuple[str, int]]:
    """(name, value offset) of each member of the object at *i*, until the text stops
    making sense."""
    j = _skip_ws(text, i + 1)
    while j < len(text) and text[j] == '"':
        after = _string_end(text, j)
        name = text[j + 1 : after - 1]
        if after > len(text) or text[after - 1] != '"' or not _plain(name):
            try:  # escapes, or an unterminated string: only a decoder reads them right
                name = json.loads(text[j:after])
            except ValueError:
                return
        j = _skip_ws(text, after)
        if j >= len(text) or text[j] != ":":
            return
        j = _skip_ws(text, j + 1)
        yield name, j
        j = _skip_ws(text, _skip_value(text, j))
        if j < len(text) and text[j] == ",":
            j = _skip_ws(text, j + 1)


def _plain(name: str) -> bool:
    """Whether the text between a key's quotes is the key itself (no escapes, nothing a
    decoder would refuse)."""
    return "\\" not in name and name.isprintable()


def _element(text: str, i: int, index: int) -> int | None:
    for position, at in enumerate(_elements(text, i)):
        if position == index:
            return at
    return None


def _elements(text: str, i: int) -> Iterator[int]:
    """The offset of each element of the array at *i*."""
    j = _skip_ws(text, i + 1)
    while j < len(text) and text[j] != "]":
        yield j
        j = _skip_ws(text, _skip_value(text, j))
        if j < len(text) and text[j] == ",":
            j = _skip_ws(text, j + 1)
        else:
            return


def _skip_value(text: str, i: int) -> int:
    if i >= len(text):
        return i
    if text[i] == '"':
        return _string_end(text, i)
    if text[i] not in "[{":
        match = _SCALAR.match(text, i)
        return max(match.end() if match else i, i + 1)
    depth = 0
    while True:
        match = _STRUCTURAL.search(text, i)
        if match is None:
            return len(text)
        i = match.start()
        if text[i] == '"':
            i = _string_end(text, i)
            continue
        depth += 1 if text[i] in "[{" else -1
        i += 1
        if depth == 0:
            return i


def _string_end(text: str, i: int) -> int:
    """The offset just past the JSON string that opens at *i* (the end of *text* if the
    string is unterminated). ``str.find`` jumps over a 131072-character string at memory
    speed, where a regular expression steps through it character by character."""
    j = i + 1
    while True:
        quote = text.find('"', j)
        if quote < 0:
            return len(text)
        k = quote - 1
        while text[k] == "\\":
            k -= 1
        if (quote - 1 - k) % 2 == 0:  # an even run of backslashes escapes only itself
            return quote + 1
        j = quote + 1
