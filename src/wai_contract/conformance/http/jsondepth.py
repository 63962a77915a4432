"""A bound on how deep an answer's JSON may nest before the runner reads it.

A peer can send JSON nested thousands of levels deep: Python's parsers and validators
recurse, and would end the whole run with a ``RecursionError``. Our reading: no answer of
this API nests anywhere near :data:`MAX_DEPTH` levels (its deepest documented shape, a
tool call's arguments, is a few levels), so deeper JSON is judged as not JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_DEPTH = 100
# A string runs to its closing quote or, unterminated, to the end of the text: a pattern that
# could fail there would be tried again at every later quote, quadratic in the text's length.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)'
_TOKENS = re.compile(_STRING + r"|[\[\]{}]", re.S)
_BYTE_TOKENS = re.compile(_STRING.encode() + rb"|[\[\]{}]", re.S)


class TooDeep(ValueError):
    """JSON nested deeper than the runner reads."""


def check_depth(data: str | bytes | bytearray, limit: int = MAX_DEPTH) -> None:
    """Raise :class:`TooDeep` if the JSON text *data* nests arrays and objects deeper than
    *limit*; linear, and only a count of brackets for the usual shallow text."""
    firsts: Iterator[str]
    if isinstance(data, str):
        if data.count("[") + data.count("{") <= limit:
            return
        firsts = (t.group()[0] for t in _TOKENS.finditer(data))
    else:
        if data.count(b"[") + data.count(b"{") <= limit:
            return
        firsts = (chr(t.group()[0]) for t in _BYTE_TOKENS.finditer(data))
    depth = 0
    for first in firsts:
        if first in "[{":
            depth += 1
            if depth > limit:
                raise TooDeep(f"nested deeper than {limit} levels")
        elif first != '"':
            depth -= 1
