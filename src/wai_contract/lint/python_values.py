"""Python values given to :func:`~wai_contract.lint` instead of text: what JSON cannot carry
is reported, and the value made safe to validate."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .jsontext import MAX_DEPTH, has_surrogate, replace_surrogates
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
    """Report what JSON cannot carry in a Python value, and make it safe to validate:
    also a value nested deeper than JSON text may be (1024 levels), or one that contains
    itself. Needs about two interpreter frames a level: see :func:`deep_enough`."""
    return _audit(value, path, found, set())


@contextmanager
def deep_enough() -> Iterator[None]:
    """Room on the interpreter's stack for :data:`MAX_DEPTH` levels of a Python value (the
    default limit of 1000 frames runs out near 500 levels)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 3 * MAX_DEPTH + 200))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def _audit(value: Any, path: Path, found: Findings, holding: set[int]) -> Any:
    if isinstance(value, str):
        if has_surrogate(value):
            report_recovered([path], [], found)
            return replace_surrogates(value)
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
    if isinstance(value, dict | list | tuple):
        if id(value) in holding:
            found.errors.append(Found(path, "json", "the value contains itself (a cycle)"))
            return None
        if len(path) >= MAX_DEPTH:
            found.errors.append(Found(path, "json", f"nested more than {MAX_DEPTH} levels deep"))
            return None
        holding.add(id(value))
        try:
            return _audit_container(value, path, found, holding)
        finally:
            holding.discard(id(value))
    kind = type(value).__name__
    article = "an" if kind[:1] in "aeiouAEIOU" else "a"
    found.errors.append(Found(path, "json", f"{article} {kind} is not a JSON value"))
    return None


def _audit_container(value: Any, path: Path, found: Findings, holding: set[int]) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                found.errors.append(Found(path, "json", f"object key {key!r} is not a string"))
                key = str(key)
            elif has_surrogate(key):
                key = replace_surrogates(key)
                report_recovered([(*path, key)], [], found)
            out[key] = _audit(item, (*path, key), found, holding)
        return out
    return [_audit(item, (*path, i), found, holding) for i, item in enumerate(value)]
