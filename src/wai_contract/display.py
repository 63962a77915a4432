"""Text from peers and files made safe to show: nothing in it can drive a terminal, and a
line of JSON Lines stays one line."""

from __future__ import annotations

import codecs
import sys

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


_RAW_BREAKS = (
    (b"\xc2\x85", b"\\u0085"),
    (b"\xe2\x80\xa8", b"\\u2028"),
    (b"\xe2\x80\xa9", b"\\u2029"),
)


def one_json_line(data: bytes) -> bytes:
    """UTF-8 JSON text with the line breaks JSON leaves raw in strings (U+0085, U+2028,
    U+2029) escaped: a JSON Lines record then splits only at its end, whatever reads it
    (Python's ``str.splitlines``, JavaScript before ES2019)."""
    if b"\xc2\x85" in data or b"\xe2\x80\xa8" in data or b"\xe2\x80\xa9" in data:
        for raw, escaped in _RAW_BREAKS:
            data = data.replace(raw, escaped)
    return data


_ASCII = {
    "✅": "+", "❌": "x", "⚠": "!", "⏭": ">", "✓": "+", "×": "x", "…": "...", "—": "-",
    "–": "-", "→": "->", "’": "'", "“": '"', "”": '"', "›": ">", "·": ".",
}  # fmt: skip
"""Our own symbols, in ASCII: one character for each mark a table aligns on."""
ENCODING_FALLBACK = "wai-contract-ascii"
"""The encoding error handler for a console that cannot carry a character: our symbols in
ASCII, anything else as a backslash escape (``\\U0001f600``)."""


def _fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(
        _ASCII.get(ch) or ch.encode("ascii", "backslashreplace").decode() for ch in text
    ), error.end


codecs.register_error(ENCODING_FALLBACK, _fallback)


def tolerant_console() -> None:
    """Standard output and error never fail on a character their encoding lacks (a Windows
    console's cp1252, ``PYTHONIOENCODING=ascii``): see :data:`ENCODING_FALLBACK`."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", None) == "strict":
            reconfigure(errors=ENCODING_FALLBACK)


def github_data(text: str) -> str:
    """*text* as the message of a GitHub Actions workflow command (``::error ::text``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """*text* as a property value of a workflow command (``title=...``)."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")
