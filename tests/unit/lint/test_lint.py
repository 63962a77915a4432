"""lint(): messages a person can act on, warnings, positions, and never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.properties import examples

from wai_contract import LintResult, lint
from wai_contract.lint import WARNING_CODES

MESSAGES = [{"role": "user", "content": "hi"}]


def _errors(result: LintResult) -> dict[str, str]:
    return {e.pointer: e.message for e in result.errors}


def _warnings(result: LintResult) -> dict[str, tuple[str, str]]:
    return {w.pointer: (w.rule, w.message) for w in result.warnings}


def test_a_bad_field_of_the_meant_branch_is_reported_as_itself() -> None:
    result = lint({"prompt": "hi", "top_k": 51})
    assert _errors(result) == {"/top_k": "51 is greater than the maximum of 50"}


def test_both_prompt_and_messages_is_one_clear_message() -> None:
    result = lint({"prompt": "hi", "messages": MESSAGES})
    assert len(result.errors) == 1
    assert "mutually exclusive" in result.errors[0].message


def test_neither_branch_names_both_keys_and_keeps_shared_errors() -> None:
    result = lint({"top_k": 0, "max_tokens": "9"})
    assert "`prompt`" in result.errors[0].message and "`messages`" in result.errors[0].message
    assert {e.pointer for e in result.errors} == {"", "/top_k", "/max_tokens"}


def test_tool_fitting_neither_variant_names_the_closest_and_what_it_needs() -> None:
    body = {
        "messages": MESSAGES,
        "tools": [{"type": "function", "function": {"name": "get_weather"}}],
    }
    errors = _errors(lint(body))
    assert set(errors) == {"/tools/0/function/description", "/tools/0/function/parameters"}
    assert all("closest to the function variant" in m for m in errors.values())


def test_flat_tool_missing_parameters_is_closest_to_the_flat_variant() -> None:
    errors = _errors(lint({"messages": MESSAGES, "tools": [{"name": "x", "description": "d"}]}))
    assert list(errors) == ["/tools/0/parameters"]
    assert "closest to the flat variant" in errors["/tools/0/parameters"]


def test_tool_fitting_both_variants_says_so() -> None:
    flat = {"name": "x", "description": "d", "parameters": {"type": "object", "properties": {}}}
    body = {"messages": MESSAGES, "tools": [{**flat, "type": "function", "function": flat}]}
    (message,) = _errors(lint(body)).values()
    assert "fits the flat variant" in message and "the function variant" in message


@pytest.mark.usefixtures("page_schema_in_use")  # its 131072-character limit, its image
def test_long_strings_are_not_dumped_into_messages() -> None:
    message = _errors(lint({"prompt": "a" * 131073}))["/prompt"]
    assert "131,073 characters long, 1 over the maximum of 131,072" in message
    assert len(message) < 200


def test_type_confusion_hints() -> None:
    errors = _errors(lint({"prompt": "hi", "max_tokens": "100", "stream": "true", "seed": True}))
    assert "drop the quotes" in errors["/max_tokens"]
    assert "without quotes" in errors["/stream"]
    assert "booleans are not numbers" in errors["/seed"]


def test_warnings_for_legal_but_odd_input() -> None:
    body = {
        "messages": [{"role": "usr", "content": "", "nmae": "x"}],
        "temprature": 0.5,
        "lora": "adapter",
        "image": [0, 256, 1.5],
        "max_tokens": 0,
        "tools": [
            {
                "name": "t",
                "description": "d",
                "parameters": {
                    "type": "array",
                    "required": ["cty"],
                    "properties": {"city": {"type": "string", "description": "c"}},
                },
            },
            {
                "type": "function",
                "function": {
                    "name": "t",
                    "description": "d",
                    "parameters": {"type": "object", "properties": {}},
                },
            },
        ],
    }
    result = lint(body)
    assert result.valid
    warnings = _warnings(result)
    assert warnings["/temprature"][0] == "unknown-key"
    assert "did you mean `temperature`" in warnings["/temprature"][1]
    assert warnings["/lora"][0] == "ignored-key"
    assert warnings["/image/1"][0] == warnings["/image/2"][0] == "image-byte-range"
    assert "/image/0" not in warnings
    assert warnings["/messages/0/role"][0] == "unknown-role"
    assert "did you mean `user`" in warnings["/messages/0/role"][1]
    assert warnings["/messages/0/content"][0] == "empty-content"
    assert "did you mean `name`" not in warnings["/messages/0/nmae"][1]
    assert warnings["/max_tokens"][0] == "max-tokens-range"
    assert warnings["/tools/0/parameters/type"][0] == "tool-parameters-type"
    assert warnings["/tools/0/parameters/required/0"][0] == "tool-required-unknown"
    assert warnings["/tools/1/function/name"][0] == "duplicate-tool-name"
    assert {w.rule for w in result.warnings} <= set(WARNING_CODES)


def test_neither_branch_hints_at_the_one_its_keys_suggest() -> None:
    (error,) = lint({"lora": "x", "seed": 3}).errors
    assert error.message.endswith("`lora` suggests a Prompt body, which needs `prompt`")


def test_odd_types_where_warnings_look_do_not_crash() -> None:
    body = {
        "messages": [{"role": ["user"], "content": {}}, {"role": None}],
        "image": [[1], {}],
        "tools": [
            {"name": ["x"], "parameters": {"type": [], "required": [1, []], "properties": []}}
        ],
        "max_tokens": "1",
    }
    assert not lint(body).valid


def test_prompt_body_ignores_messages_only_keys() -> None:
    warnings = _warnings(lint({"prompt": "hi", "tools": [], "functions": []}))
    assert warnings["/tools"][0] == warnings["/functions"][0] == "ignored-key"


@pytest.mark.usefixtures("page_schema_in_use")  # its 131072-character limit, its image
def test_many_odd_image_items_are_summarised() -> None:
    result = lint({"prompt": "hi", "image": [300] * 500})
    assert len(result.warnings) == 11
    assert "490 more image items" in result.warnings[-1].message


def test_huge_max_tokens_warns_about_javascript() -> None:
    warnings = _warnings(lint('{"prompt": "hi", "max_tokens": 1000000000000000000000000000000}'))
    assert warnings["/max_tokens"][0] == "unsafe-integer"


def test_overflowing_number_is_an_error_once() -> None:
    result = lint('{"prompt": "hi", "temperature": 1e400}')
    assert [(e.pointer, e.rule) for e in result.errors] == [("/temperature", "json")]


@pytest.mark.usefixtures("page_schema_in_use")  # its 131072-character limit, its image
def test_lone_surrogate_warns_and_counts_as_one_character() -> None:
    text = '{"prompt": "' + "a" * 131071 + '\\ud83d"}'
    result = lint(text)
    assert result.valid
    assert _warnings(result)["/prompt"][0] == "lone-surrogate"
    assert not lint('{"prompt": "' + "a" * 131072 + '\\ud83d"}').valid


def test_python_values_json_cannot_carry() -> None:
    result = lint(
        {"prompt": "hi", "temperature": float("nan"), "top_p": -float("inf"), 3: "x", "seed": {1}}
    )
    assert {(e.pointer, e.rule) for e in result.errors} == {
        ("/temperature", "json"),
        ("/top_p", "json"),
        ("", "json"),
        ("/seed", "json"),
    }
    assert lint({"prompt": "a\ud83d"}).warnings[0].rule == "lone-surrogate"


def test_text_positions_point_at_the_offending_value() -> None:
    text = '{\n  "messages": [\n    {"role": "user"}\n  ],\n  "top_k": 51\n}'
    result = lint(text, source="b.json", line=1)
    places = {e.pointer: (e.line, e.column) for e in result.errors}
    assert places == {"/messages/0/content": (3, 5), "/top_k": (5, 12)}


def test_positions_count_from_the_body_line_in_its_file() -> None:
    result = lint('{"prompt": "", "top_k": 0}', source="x.jsonl", line=7)
    assert {(e.line, e.column) for e in result.errors} == {(7, 12), (7, 25)}
    assert all(e.line is None for e in lint('{"prompt": ""}', positions=False).errors)


def test_not_json_is_one_error_at_the_root_with_keyword_json() -> None:
    result = lint('{"prompt": "hi",\n "x": NaN}')
    assert result.to_dict() == {
        "source": "<input>",
        "line": 1,
        "valid": False,
        "errors": [
            {
                "pointer": "",
                "keyword": "json",
                "message": "not valid JSON: NaN is not allowed: JSON numbers must be finite",
            }
        ],
        "warnings": [],
    }
    assert (result.errors[0].line, result.errors[0].column) == (2, 7)


def test_bytes_and_str_agree() -> None:
    text = '{"prompt": "\U0001f600", "top_k": 99}'
    assert lint(text).to_dict() == lint(text.encode()).to_dict()


def _mangle(data: bytes, cuts: list[int]) -> bytes:
    for cut in cuts:
        if data:
            i = cut % len(data)
            data = data[:i] + data[i + 1 :]
    return data


VALID_TEXTS = [
    json.dumps(b).encode()
    for b in (
        {"prompt": "hi", "image": [1, 2], "seed": 5},
        {
            "messages": [{"role": "user", "content": "x"}],
            "tools": [
                {
                    "type": "function",
                    "function": {
                        "name": "f",
                        "description": "d",
                        "parameters": {"type": "object", "properties": {}},
                    },
                }
            ],
        },
    )
]


@settings(max_examples=examples(400), deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.builds(
            _mangle, st.sampled_from(VALID_TEXTS), st.lists(st.integers(0, 10**6), max_size=4)
        ),
        st.text(max_size=100).map(str.encode),
    )
)
def test_random_bytes_and_mangled_json_never_crash(data: bytes) -> None:
    result = lint(data, source="fuzz.jsonl")
    assert isinstance(result.valid, bool)
    json.dumps(result.to_dict())
    for finding in (*result.errors, *result.warnings):
        assert finding.line is not None and finding.line >= 1


# Values JSON can carry: infinities are not among them (lint reports them as such, see
# test_python_values_json_cannot_carry, where jsonschema would count them as numbers).
JSON_VALUES: Any = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["prompt", "messages", "role", "content", "top_k", "tools", "image", "name", "x"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=examples(300), deadline=None)
@given(JSON_VALUES)
def test_verdict_equals_jsonschema_on_arbitrary_values(value: Any) -> None:
    import jsonschema

    from wai_contract import load_schema

    expected = jsonschema.Draft202012Validator(load_schema("input")).is_valid(value)
    assert lint(value).valid is expected


KEY_TEXTS = st.sampled_from(
    ["prompt", "messages", "top_k", "x", "\\ud83d", "\\udc00x", "a\\nb", "\\u0070rompt", '\\"q']
)
VALUE_TEXTS = st.sampled_from(
    ['"hi"', "1", "51", "null", "[]", '[{"role": "user", "content": "x"}]', '"\\ud83d"']
)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.tuples(KEY_TEXTS, VALUE_TEXTS), max_size=5))
def test_keys_with_escapes_lone_surrogates_and_duplicates_in_every_format(
    pairs: list[tuple[str, str]],
) -> None:
    import io

    import jsonschema

    from wai_contract import load_schema
    from wai_contract.lint.reporters import LINT_FORMATS, LintSummary

    text = "{" + ", ".join(f'"{key}": {value}' for key, value in pairs) + "}"
    expected = jsonschema.Draft202012Validator(load_schema("input")).is_valid(json.loads(text))
    result = lint(text, source="keys.jsonl")
    assert result.valid is expected  # duplicates: the last one counts, as for json.loads
    keys = [key for key, _ in json.loads(text, object_pairs_hook=lambda pairs: pairs)]
    repeated = {key for key in keys if keys.count(key) > 1}
    warned = [w for w in result.warnings if w.rule == "duplicate-key"]
    assert len(warned) == len(repeated), (text, warned)
    for reporter_class in LINT_FORMATS.values():
        out = io.StringIO()
        reporter = reporter_class(out)
        reporter.add(result)
        reporter.close(LintSummary())
        out.getvalue().encode("utf-8")  # writable as UTF-8: no lone surrogate left


def test_findings_are_placed_only_when_a_position_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from wai_contract.lint import jsontext

    walks: list[int] = []
    real = jsontext.locate_all

    def counted(*args: Any) -> Any:
        walks.append(1)
        return real(*args)

    monkeypatch.setattr(jsontext, "locate_all", counted)
    result = lint('{"prompt": "hi",\n "top_k": 99, "temprature": 1}', line=10)
    assert not result.valid and walks == [], "asking for the verdict places nothing"
    (error,) = result.errors
    assert (error.pointer, error.line, error.column) == ("/top_k", 11, 11)
    assert [w.line for w in result.warnings] == [11] and walks == [1], "all at once, once"
