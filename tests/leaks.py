"""What a reader could recover of a secret from a text: every run of 8 or more consecutive
characters of it, in any letter case, in the text as written or as a reader would decode it
(JSON escapes, HTML character references, URL percent-encoding, base64 at any offset)."""

from __future__ import annotations

import base64
import binascii
import html
import re
from urllib.parse import unquote

RUN = 8
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_BASE64 = re.compile(r"[A-Za-z0-9+/_=-]{11,}")


def readings(text: str) -> list[str]:
    """*text*, and what decoding it in each way a reader might gives."""
    unescaped = _JSON_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)
    views = [text, unescaped, html.unescape(text), unquote(text)]
    views.append(unquote(html.unescape(unescaped)))
    for run in _BASE64.findall(text):
        standard = run.replace("-", "+").replace("_", "/").rstrip("=")
        for offset in range(4):
            piece = standard[offset:]
            piece = piece[: len(piece) - len(piece) % 4]
            try:
                views.append(base64.b64decode(piece).decode("latin-1"))
            except (binascii.Error, ValueError):
                continue
    return views


def leaked(text: str, secret: str) -> list[str]:
    """Every run of :data:`RUN` characters of *secret* a reader could recover from *text*."""
    runs = {secret[i : i + RUN].lower() for i in range(len(secret) - RUN + 1)}
    found = set()
    for view in readings(text):
        lowered = view.lower()
        found |= {run for run in runs if run in lowered}
    return sorted(found)
