"""Repeated keys: the quick colon count never clears a text that repeats a key."""

from __future__ import annotations

import json
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.properties import examples

from wai_contract.lint import lint
from wai_contract.lint.duplicates import _fewest_keys, _some_keys, duplicate_keys, may_repeat

KEYS = st.sampled_from(["a", "b", "top_k", "x:y", "\\u003a", "role"])
LEAVES = st.one_of(
    st.integers(-5, 5),
    st.sampled_from(['"p"', '":"', '"\\u003a"', '"\\u003A\\u003a"', '"a: b"', "1.5e0", "null"]),
)


def _object(draw: Any, depth: int) -> str:
    pairs, keys = [], []
    for _ in range(draw(st.integers(0, 4))):
        keys.append(draw(KEYS))
        value = _object(draw, depth + 1) if depth < 2 and draw(st.booleans()) else draw(LEAVES)
        pairs.append(f'"{keys[-1]}"{draw(st.sampled_from([":", ": ", " : "]))}{value}')
    if keys and draw(st.booleans()):  # repeat one key, maybe with another value
        pairs.append(f'"{draw(st.sampled_from(keys))}":{draw(LEAVES)}')
    return "{" + draw(st.sampled_from([",", ", ", ",\n"])).join(pairs) + "}"


@st.composite
def texts(draw: Any) -> str:
    return _object(draw, 0)


@settings(max_examples=examples(250), deadline=None)
@given(texts(), st.booleans())
def test_the_quick_count_clears_only_texts_without_repeats(text: str, as_bytes: bool) -> None:
    data: str | bytes = text.encode() if as_bytes else text
    repeats = duplicate_keys(text)
    if repeats:
        assert may_repeat(data, orjson.loads(data)), text
    pairs_seen: list[int] = []
    json.loads(text, object_pairs_hook=lambda p: pairs_seen.append(len(p) - len(dict(p))))
    assert len(repeats) <= sum(pairs_seen) and bool(repeats) == any(pairs_seen)


CONTENTS = st.sampled_from(['"hi"', '"a: b"', '"::"', '"\\u003a"', '"x"'])


@st.composite
def valid_bodies(draw: Any) -> str:
    """Messages bodies, each message maybe with its role or content given twice; or Prompt
    bodies with any objects as their (ignored) messages."""
    if draw(st.booleans()):
        ignored = [_object(draw, 1) for _ in range(draw(st.integers(1, 3)))]
        return '{"prompt": "x", "messages": [' + ", ".join(ignored) + "]}"
    messages = []
    for _ in range(draw(st.integers(1, 3))):
        pairs = ['"role": "user"', f'"content": {draw(CONTENTS)}']
        if draw(st.booleans()):
            pairs.append(draw(st.sampled_from(['"role": "user"', f'"content": {draw(CONTENTS)}'])))
        messages.append("{" + ", ".join(pairs) + "}")
    extra = draw(st.sampled_from(["", ', "top_k": 3', ', "top_k": 3, "top_k": 4']))
    return '{"messages": [' + ", ".join(messages) + "]" + extra + "}"


@settings(max_examples=examples(150), deadline=None)
@given(valid_bodies())
def test_the_count_for_valid_bodies_clears_only_bodies_without_repeats(text: str) -> None:
    assert lint(text).valid
    repeats = duplicate_keys(text)
    assert may_repeat(text.encode(), orjson.loads(text), valid=True) or not repeats, text
    warned = [w.pointer for w in lint(text).warnings if w.rule == "duplicate-key"]
    assert len(warned) == len(repeats)


def test_a_repeat_in_the_messages_a_prompt_body_ignores_is_still_warned() -> None:
    result = lint('{"prompt": "x", "messages": [{"a": 1, "a": 2}]}')
    assert result.valid
    assert ("/messages/0/a", "duplicate-key") in [(w.pointer, w.rule) for w in result.warnings]


def test_a_repeated_key_is_warned_at_the_value_that_counts() -> None:
    result = lint('{"prompt": "hi", "top_k": 99,\n "top_k": 5}')
    assert result.valid
    (warning,) = result.warnings
    assert (warning.pointer, warning.rule, warning.line, warning.column) == (
        "/top_k",
        "duplicate-key",
        2,
        11,
    )
    assert (
        "`top_k` is given 2 times" in warning.message and "the last one counts" in warning.message
    )


def test_repeats_are_found_in_nested_objects_in_every_path() -> None:
    nested = '{"messages": [{"role": "user", "content": "x", "role": "system"}]}'
    assert [w.pointer for w in lint(nested).warnings] == ["/messages/0/role"]
    invalid = '{"prompt": "hi", "top_k": 99, "top_k": 500}'
    result = lint(invalid)
    assert not result.valid and [w.rule for w in result.warnings] == ["duplicate-key"]
    surrogate = '{"prompt": "\\ud83d", "seed": 1, "seed": 2}'
    assert "duplicate-key" in [w.rule for w in lint(surrogate).warnings]
    escaped = '{"prompt": "\\u003a", "seed": 1, "se\\u0065d": 2}'
    assert [w.pointer for w in lint(escaped).warnings] == ["/seed"]


def test_texts_that_repeat_nothing_are_cleared_without_a_second_parse() -> None:
    for text in ['{"prompt": "a: b: c"}', '{"messages": [{"role": "user", "content": "x"}]}']:
        assert not may_repeat(text, json.loads(text)) and not lint(text).warnings


def test_the_key_count_takes_in_messages_functions_and_tools() -> None:
    parameter = {"type": "string", "description": "a"}
    parameters = {"type": "object", "properties": {"a": parameter}}
    function = {"name": "t", "description": "d", "parameters": parameters}
    body = {
        "messages": [{"role": "user", "content": "x"}],
        "functions": [{"name": "f", "code": "c"}],
        "tools": [{"type": "function", "function": function}],
        "seed": 1,
    }
    text = json.dumps(body)  # every colon follows a key: a count short of it costs a dumps
    assert lint(text).valid and _some_keys(body) == _fewest_keys(body) == text.count(":") == 18


def test_long_texts_are_searched_colon_by_colon_with_the_same_answer() -> None:
    few, many = "a: " * 100, "a: " * 2000  # under and over the search's colon limit
    for filler in (few, many):
        for repeat in (False, True):
            tail = ', "seed": 2' if repeat else ""
            text = '{"prompt": "' + filler + "x" * 5000 + '", "seed": 1' + tail + "}"
            for data in (text, text.encode()):
                assert may_repeat(data, json.loads(text)) is repeat, (len(filler), repeat)
