"""Strict JSON parsing and locating pointers in source text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wai_contract.lint.jsontext import (
    JsonTextError,
    line_column,
    line_columns,
    locate,
    locate_all,
    parse,
)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("NaN", "NaN is not allowed"),
        ('{"temperature": Infinity}', "Infinity is not allowed"),
        ('{"temperature": -Infinity}', "-Infinity is not allowed"),
        ('{"prompt": "a",}', "trailing comma"),
        ("{'prompt': 'a'}", "expected a string key"),
        ('{"prompt": "a"', "end of data"),
        ("", "empty"),
        ("  \n", "empty"),
        ("[" * 5000, "nested more than 1024 levels"),
        ('{"a": 1} {"b": 2}', "content after document"),
    ],
)
def test_rejects_what_strict_json_rejects(text: str, reason: str) -> None:
    with pytest.raises(JsonTextError, match=reason):
        parse(text)


def test_invalid_utf8_is_an_error_with_its_byte() -> None:
    with pytest.raises(JsonTextError, match="not valid UTF-8: byte 0xff"):
        parse(b'{"prompt": "\xff"}')


def test_lone_surrogate_parses_and_is_reported() -> None:
    parsed = parse('{"prompt": "a\\ud83d", "x": ["\\udc00"]}')
    assert parsed.value == {"prompt": "a\ufffd", "x": ["\ufffd"]}
    assert parsed.surrogates == [("prompt",), ("x", 0)]


def test_double_overflow_parses_and_is_reported() -> None:
    parsed = parse('{"seed": 1e400, "ok": 1.5}')
    assert parsed.overflows == [("seed",)]


def test_big_integers_do_not_crash() -> None:
    assert parse('{"seed": 1000000000000000000000000000000}').value["seed"] == 1e30


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((), "{"),
        (("b",), "[1"),
        (("b", 1), '{"c"'),
        (("b", 1, "c"), '"x'),
        (("b", 1, "zzz"), '{"c"'),  # a missing key: its parent, where it belongs
        (("d", "e/f"), "true"),
    ],
)
def test_locate_finds_the_value(path: tuple[str | int, ...], expected: str) -> None:
    text = '{"a": "}{[", "b": [1, {"c": "x\\"]"}], "d": {"e/f": true}}'
    assert text[locate(text, path) :].startswith(expected)


@pytest.mark.parametrize(
    "skipped",
    [
        '"' + "\U0001f600" * 131072 + '"',  # a long string
        '"a\\\\"',  # ends in an escaped backslash: the next quote closes it
        '"a\\"b\\\\\\"c"',  # escaped quotes after odd runs of backslashes
        '["\\\\", {"k": "\\"}"}, "]"]',  # brackets and quotes inside strings
    ],
)
def test_locate_skips_strings_exactly(skipped: str) -> None:
    text = '{"a": ' + skipped + ', "b": {"c": 7}}'
    assert json.loads(text)["b"]["c"] == 7  # the case itself is valid JSON
    assert text[locate(text, ("b", "c"))] == "7"


def test_locate_in_an_unterminated_string_does_not_crash() -> None:
    text = '{"a": "never closed, "b": 1'
    assert locate(text, ("b",)) == 0


def test_locate_resolves_duplicate_keys_to_the_last() -> None:
    text = '{"a": 1, "a": 2}'
    assert text[locate(text, ("a",))] == "2"


def test_line_column_counts_code_points() -> None:
    text = '{\n  "prompt": "\U0001f600",\n  "x": 1}'
    assert line_column(text, text.index('"x"')) == (3, 3)
    assert line_column(text, text.index("1}")) == (3, 8)


_KEYS = st.sampled_from(["a", "b", "0", "e/f", "\u00e9", 'q"t'])
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=20,
)
_TOKENS = st.sampled_from(["a", "b", "0", "e/f", "zz", 0, 1, 2, 5, "1"])


def _paths_in(value: Any) -> list[tuple[str | int, ...]]:
    """Every path to a value inside *value*."""
    found: list[tuple[str | int, ...]] = [()]
    if isinstance(value, dict | list):
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for token, child in children:
            found += [(token, *rest) for rest in _paths_in(child)]
    return found


@given(
    value=_VALUES,
    strays=st.lists(st.lists(_TOKENS, max_size=4).map(tuple), max_size=6),
    indent=st.sampled_from([None, 1, 2]),
    ascii_only=st.booleans(),
)
def test_locate_all_agrees_with_locate_path_by_path(
    value: Any, strays: list[tuple[str | int, ...]], indent: int | None, ascii_only: bool
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    paths = _paths_in(value) + strays  # present and missing, sharing prefixes
    offsets = locate_all(text, paths)
    assert offsets == {path: locate(text, path) for path in paths}
    places = line_columns(text, offsets.values())
    assert places == {offset: line_column(text, offset) for offset in offsets.values()}


def test_locate_all_on_duplicates_text_that_stops_and_digit_tokens() -> None:
    text = '{"a": [10, 11, {"0": 5}], "a": [20, 21], "b": "never closed'
    paths = [("a", 1), ("a", "1"), ("a", 2, "0"), ("b",), ("c",), ("b", "x")]
    assert locate_all(text, paths) == {path: locate(text, path) for path in paths}
    assert text[locate_all(text, [("a", 1)])[("a", 1)] :].startswith("21")


@given(key=st.text(max_size=8), other=st.text(max_size=8), ascii_only=st.booleans())
def test_locate_reads_every_key_as_json_does(key: str, other: str, ascii_only: bool) -> None:
    text = json.dumps({other: 0, key: 1} if other != key else {key: 1}, ensure_ascii=ascii_only)
    assert text[locate(text, (key,))] == "1"
