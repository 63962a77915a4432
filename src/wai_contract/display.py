"""Text from peers and files made safe to show: nothing in it can drive a terminal."""

from __future__ import annotations

_CONTROLS = [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]
_FORMATTING = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_INERT = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" for code in _CONTROLS + _FORMATTING
}


def inert(text: str) -> str:
    """*text* safe to print on a terminal or in a file shown as text: control characters
    (escape sequences, a carriage return that rewrites a line, NUL) and the marks that
    reorder text on screen are written as ``\\xNN`` or ``\\uNNNN``; lines and tabs stay."""
    return text.translate(_INERT)
