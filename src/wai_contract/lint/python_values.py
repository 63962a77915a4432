"""Python values given to :func:`~wai_contract.lint` instead of text: what JSON cannot carry
is reported, and the value made safe to validate."""

from __future__ import annotations

import math
from typing import Any

from .result import Findings, Found, Path


def report_recovered(surrogates: list[Path], overflows: list[Path], found: Findings) -> None:
    """Report the lone surrogates and the numbers beyond a double that a parse recovered."""
    for path in surrogates:
        found.warnings.append(
            Found(
                path,
                "lone-surrogate",
                "string holds a lone UTF-16 surrogate escape (such as "
                "\\ud83d), which is not a character; it is counted as "
                "U+FFFD",
            )
        )
    for path in overflows:
        found.errors.append(
            Found(
                path, "json", "number is beyond the range of a 64-bit float and reads as infinity"
            )
        )


def audit_python(value: Any, path: Path, found: Findings) -> Any:
    """Report what JSON cannot carry in a Python value, and make it safe to validate."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            report_recovered([path], [], found)
            return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
        return value
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            found.errors.append(
                Found(path, "json", f"{value!r} is not a JSON number (JSON numbers are finite)")
            )
            return None
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                found.errors.append(Found(path, "json", f"object key {key!r} is not a string"))
                key = str(key)
            out[key] = audit_python(item, (*path, key), found)
        return out
    if isinstance(value, list | tuple):
        return [audit_python(item, (*path, i), found) for i, item in enumerate(value)]
    found.errors.append(Found(path, "json", f"a {type(value).__name__} is not a JSON value"))
    return None
