"""Messages a person can act on, one per failed JSON Schema keyword."""

from __future__ import annotations

import json
import math
from typing import Any

from ..validators import Violation

_PREVIEW = 40


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value (``integer`` for whole numbers)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _quoted(text: Any) -> str:
    """*text* as a JSON string, cheaply for the usual plain names."""
    if isinstance(text, str) and text.isascii() and text.isidentifier():
        return f'"{text}"'
    return json.dumps(text, ensure_ascii=False)


def preview(value: Any) -> str:
    """A short JSON rendering of *value*: long strings and containers are abbreviated."""
    if isinstance(value, str):
        if len(value) <= _PREVIEW:
            return _quoted(value)
        head = json.dumps(value[:_PREVIEW], ensure_ascii=False)[:-1]
        return f'{head}…" ({len(value):,} characters)'
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "a number beyond a double's range"
        return repr(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dict):
        return "{}" if not value else f"an object with {len(value)} key{_s(len(value))}"
    if isinstance(value, list):
        return "[]" if not value else f"an array of {len(value)} item{_s(len(value))}"
    return json.dumps(value)


def got(value: Any) -> str:
    """``integer 5``, ``string "x"``, ``null``, ``an array of 2 items``: the type, then
    the value, each said once."""
    shown = preview(value)
    if value is None or (isinstance(value, list | dict) and value):
        return shown
    return f"{json_type(value)} {shown}"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _article(type_name: str) -> str:
    return f"an {type_name}" if type_name[0] in "aeiou" else f"a {type_name}"


def expected(types: Any) -> str:
    """``a string``, ``an integer or a string``: what a ``type`` keyword asks for."""
    names = [types] if isinstance(types, str) else list(types)
    return " or ".join(_article(n) for n in names)


def _type_message(violation: Violation) -> str:
    value = violation.instance
    message = f"expected {expected(violation.detail)}, got {got(value)}"
    wanted = {violation.detail} if isinstance(violation.detail, str) else set(violation.detail)
    if isinstance(value, str) and wanted & {"integer", "number"}:
        try:
            float(value)
        except ValueError:
            pass
        else:
            message += " (a number in quotes is a string: drop the quotes)"
    elif isinstance(value, str) and "boolean" in wanted and value.lower() in {"true", "false"}:
        message += f" (write {value.lower()} without quotes)"
    elif isinstance(value, bool) and wanted & {"integer", "number"}:
        message += " (JSON booleans are not numbers)"
    return message


def describe(violation: Violation) -> str:
    """The message for one violation; falls back to the backend's own text."""
    keyword, value, limit = violation.keyword, violation.instance, violation.detail
    if keyword == "type":
        return _type_message(violation)
    if keyword == "required":
        return f"required property {_quoted(limit)} is missing"
    if keyword == "maximum":
        return f"{preview(value)} is greater than the maximum of {preview(limit)}"
    if keyword == "minimum":
        return f"{preview(value)} is less than the minimum of {preview(limit)}"
    if keyword == "exclusiveMaximum":
        return f"{preview(value)} must be less than {preview(limit)}"
    if keyword == "exclusiveMinimum":
        return f"{preview(value)} must be greater than {preview(limit)}"
    if keyword == "maxLength" and isinstance(value, str):
        over = len(value) - limit
        return (
            f"string is {len(value):,} characters long, {over:,} over the maximum of "
            f"{limit:,} (characters are Unicode code points)"
        )
    if keyword == "minLength" and isinstance(value, str):
        if limit == 1:
            return "must not be empty"
        return f"string is {len(value):,} characters long, under the minimum of {limit:,}"
    if keyword == "maxItems" and isinstance(value, list):
        return f"has {len(value):,} items, over the maximum of {limit:,}"
    if keyword == "minItems" and isinstance(value, list):
        return f"has {len(value):,} items, under the minimum of {limit:,}"
    if keyword == "const":
        return f"must be {preview(limit)}, got {preview(value)}"
    if keyword == "enum":
        return f"must be one of {', '.join(preview(v) for v in limit)}; got {preview(value)}"
    return violation.message if len(violation.message) <= 200 else violation.message[:200] + "…"
