"""Lint request bodies: every schema error at its place, plus warnings for odd input.

The verdict always equals the JSON Schema verdict of ``schemas/input.json``. What lint
adds is *where* and *why*: the top-level ``oneOf`` is resolved to the branch the body
clearly meant (``prompt`` -> Prompt, ``messages`` -> Messages) so a bad field is reported
as itself, a tool that fits neither variant is explained against the closest one, and a
missing property is reported at the pointer where it belongs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import orjson

from ..schemas import join_pointer, on_schema_change
from ..validators import compile_validator
from . import jsontext
from .branches import schema_errors
from .duplicates import duplicate_keys, may_repeat
from .openai import READINGS, Api, Reading, check_openai, is_openai
from .python_values import audit_python, deep_enough, report_recovered
from .result import Finding, Findings, Found, LintResult, Path
from .warnings import WARNING_CODES, warnings_of

__all__ = ["WARNING_CODES", "Finding", "LintResult", "lint"]


def lint(
    body_or_text: Any,
    *,
    source: str = "<input>",
    line: int = 1,
    positions: bool = True,
    api: Api = "auto",
    readings: tuple[Reading, ...] = READINGS,
) -> LintResult:
    """Lint one request body.

    *body_or_text* is JSON text (``str`` or ``bytes``) or an already parsed body (a
    ``dict``, or any value, which is then judged as a body). For text, findings carry
    the ``line``/``column`` of the offending value, counted from *line* (the body's first
    line in its file), worked out when one is first read; ``positions=False`` leaves them
    ``None``. *api* says which
    surface the body is for: ``native`` (``/ai/run``), ``openai`` (``/ai/v1/chat/completions``)
    or ``auto``: OpenAI when the body has both ``model`` and ``messages``. An OpenAI body
    is judged by each of *readings* (``openai``: OpenAI's reference; ``service``: what
    Workers AI does), every error naming the readings that find it.
    """
    if not isinstance(body_or_text, _TEXT_TYPES):
        found = Findings()
        with deep_enough():
            body = audit_python(body_or_text, (), found)
            _check(body, found, api=api, readings=readings)
        return _result(source, line, found, None)
    try:
        value = orjson.loads(body_or_text)
    except orjson.JSONDecodeError:
        text = _text_or_bytes(body_or_text)
        return _lint_unusual_text(text, source, line, positions, api, readings)
    data = _text_or_bytes(body_or_text)
    # Inline, not is_openai(): this test runs for every body.
    if api != "native" and (
        api == "openai" or (value.__class__ is dict and "model" in value and "messages" in value)
    ):
        found = Findings()
        check_openai(value, found, readings)
    # The hot path: most bodies are valid and clean, and cost one parse, one Rust call,
    # one pass over their top-level keys and a count of their colons.
    elif _root_is_valid(value):
        warnings = warnings_of(value)
        if may_repeat(data, value, valid=True):
            warnings += duplicate_keys(_as_text(data))
        if not warnings:
            return LintResult(source, line)
        return _result(source, line, Findings(warnings=warnings), data if positions else None)
    else:
        found = Findings()
        _check(value, found, valid=False)
        _note_underflows(data, value, found)
    if may_repeat(data, value):
        found.warnings += duplicate_keys(_as_text(data))
    return _result(source, line, found, data if positions else None)


def _note_underflows(data: str | bytes, value: Any, found: Findings) -> None:
    """On an invalid body, say where a literal such as 1e-400 was read as 0 (a bound it then
    misses reads "0 is less than ...", which the text does not show)."""
    if not _has_negative_exponent(data) or not _holds_zero_float(value):
        return
    for path in jsontext.underflows(_as_text(data)):
        message = "number is too small for a 64-bit float and reads as 0"
        found.warnings.append(Found(path, "underflow", message))


def _holds_zero_float(value: Any) -> bool:
    """Whether a parsed body holds a float equal to 0 (what an underflow parses to)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if node.__class__ is float:
            if node == 0.0:
                return True
        elif node.__class__ is dict:
            stack.extend(node.values())
        elif node.__class__ is list:
            stack.extend(node)
    return False


def _has_negative_exponent(data: Any) -> bool:
    """Whether *data* (``str`` or ``bytes``) holds ``e-`` or ``E-``. Hops from minus to
    minus, since one byte is searched as fast as memory reads and two are not; a text of
    many minuses is searched for both pairs."""
    text = isinstance(data, str)
    minus, exponents = ("-", "eE") if text else (b"-", b"eE")
    at = data.find(minus)
    for _ in range(_MINUS_HOPS):
        if at < 0:
            return False
        if at and data[at - 1 : at] in exponents:
            return True
        at = data.find(minus, at + 1)
    return ("e-" in data or "E-" in data) if text else (b"e-" in data or b"E-" in data)


_MINUS_HOPS = 32


_TEXT_TYPES = (str, bytes, bytearray, memoryview)


def _compile_root(value: Any) -> bool:
    """Compile the input schema on first use, then judge *value* with it."""
    global _root_is_valid
    _root_is_valid = compile_validator("input").is_valid
    return _root_is_valid(value)


_root_is_valid: Callable[[Any], bool] = _compile_root
"""The verdict of the whole input schema, without a cache lookup per body."""


@on_schema_change
def _forget_root() -> None:
    global _root_is_valid
    _root_is_valid = _compile_root


def _text_or_bytes(data: str | bytes | bytearray | memoryview) -> str | bytes:
    return data if isinstance(data, str | bytes) else bytes(data)


def _as_text(data: str | bytes | bytearray | memoryview) -> str:
    """The text of a body, for locating findings (bad UTF-8 becomes U+FFFD)."""
    return data if isinstance(data, str) else str(data, "utf-8", "replace")


def _lint_unusual_text(
    data: bytes | str,
    source: str,
    line: int,
    positions: bool,
    api: Api,
    readings: tuple[Reading, ...],
) -> LintResult:
    """Text that strict parsing refused: explain why, or lint what a lenient parse found."""
    text = _as_text(data)
    try:
        parsed = jsontext.parse(data)
    except jsontext.JsonTextError as exc:
        error = Found((), "json", f"not valid JSON: {exc.message}")
        return _result(
            source, line, Findings([error]), text if positions else None, {(): exc.offset}
        )
    found = Findings()
    report_recovered(parsed.surrogates, parsed.overflows, found)
    _check(parsed.value, found, api=api, readings=readings)
    found.warnings += duplicate_keys(text)
    return _result(source, line, found, text if positions else None)


def _result(
    source: str,
    line: int,
    found: Findings,
    text: str | bytes | None,
    offsets: dict[Path, int] | None = None,
) -> LintResult:
    """The result; *text* (bytes are decoded only if a position is read) places findings."""
    placement = _Placement(text, line, offsets or {}) if text is not None else None

    def finding(item: Found) -> Finding:
        made = Finding(join_pointer(item.path), item.rule, item.message, place=placement)
        if placement is not None:
            placement.findings.append((item.path, made))
        return made

    errors = tuple([finding(f) for f in found.errors])
    return LintResult(source, line, errors, tuple([finding(f) for f in found.warnings]))


class _Placement:
    """Places every finding of one body in its text, once, when the first is asked where
    it is: all are located in one walk of the text, and their lines counted in one pass
    (a body can have thousands)."""

    __slots__ = ("findings", "line", "lock", "offsets", "text")

    def __init__(self, text: str | bytes, line: int, offsets: dict[Path, int]) -> None:
        self.text, self.line, self.offsets = text, line, offsets
        self.findings: list[tuple[Path, Finding]] = []
        self.lock = threading.Lock()

    def __call__(self) -> None:
        with self.lock:
            if not self.findings:
                return  # placed by another thread meanwhile
            text = _as_text(self.text)
            located = dict(self.offsets)
            unplaced = {path for path, _ in self.findings} - located.keys()
            located.update(jsontext.locate_all(text, unplaced))
            places = jsontext.line_columns(text, located.values())
            for path, finding in self.findings:
                at_line, column = places[located[path]]
                finding.set_place(self.line + at_line - 1, column)
            self.findings, self.text = [], ""  # the text is no longer held


def _check(
    body: Any,
    found: Findings,
    valid: bool | None = None,
    api: Api = "native",
    readings: tuple[Reading, ...] = READINGS,
) -> None:
    if api != "native" and is_openai(body, api):
        check_openai(body, found, readings)
        return
    if valid is None:
        valid = _root_is_valid(body)
    if not valid:
        errors = schema_errors(body)
        if found.errors:
            # A value JSON cannot carry is reported once, as such, not again by the schema.
            unrepresentable = {f.path for f in found.errors if f.rule == "json"}
            errors = [e for e in errors if e.path not in unrepresentable]
        found.errors += errors
    if isinstance(body, dict):
        found.warnings.extend(warnings_of(body))
