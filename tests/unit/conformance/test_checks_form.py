"""The judges of the checks about the answer's form: registry, accepts-valid, rejects-invalid,
streaming, auth, no-server-errors, transport and examples, on hand-made answers."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from tests.unit.conformance.made_answers import (
    ERROR,
    USAGE,
    case,
    codes,
    envelope,
    judge,
    ok,
    outcome,
    stream,
)

from wai_contract.conformance.answers import Answer
from wai_contract.conformance.cases import Case
from wai_contract.conformance.checks import CHECKS
from wai_contract.conformance.contract import Example
from wai_contract.conformance.http import Outcome

# --- the registry ---------------------------------------------------------------------------


def test_every_check_is_registered_once_in_report_order_with_its_words() -> None:
    assert list(CHECKS) == [
        "accepts-valid",
        "rejects-invalid",
        "streaming",
        "max-tokens",
        "usage-totals",
        "seed-determinism",
        "cross-surface",
        "tool-calls",
        "openai-fields",
        "auth",
        "no-server-errors",
        "transport",
        "examples",
    ]
    for check_id, check in CHECKS.items():
        assert check.id == check_id and check.title and check.description.endswith(".")
        schema = check.settings_class.schema()
        assert schema["additionalProperties"] is False and "enabled" in schema["properties"]


def test_registering_an_id_twice_is_refused() -> None:
    from wai_contract.conformance.checks import Check, register

    class Twin(Check):
        id = "transport"

    with pytest.raises(ValueError, match="already registered"):
        register(Twin)


# --- accepts-valid ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (outcome(200, ok()), None),
        (outcome(400, ERROR), "status"),
        (outcome(200, ok(), content_type="text/plain"), "content-type"),
        (outcome(200, None, json_error="unexpected end"), "not-json"),
        (outcome(200, {"result": {"response": "x"}}), "envelope"),
        (outcome(200, envelope({"response": "x"}, success=False)), "envelope"),
        (outcome(200, envelope({"usage": USAGE})), "result"),
        (outcome(200, ok(usage={**USAGE, "total_tokens": "5"})), "result"),
        (outcome(502, ERROR), "server-error"),
        (outcome(None, error="timeout: ReadTimeout after 30 s"), "timeout"),
    ],
)
def test_accepts_valid(answer: Outcome, code: str | None) -> None:
    assert codes(judge("accepts-valid", case(), answer)) == ([code] if code else [])


@pytest.mark.parametrize(
    "the_case",
    [
        case(valid=False, pointer="/top_k"),
        case({"prompt": "hi", "stream": True}),
        case(token="none"),
        case(valid=None, probe="example"),
    ],
)
def test_accepts_valid_leaves_other_cases_alone(the_case: Case) -> None:
    assert judge("accepts-valid", the_case, outcome(400, ERROR)) is None


# --- rejects-invalid --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (outcome(400, ERROR), None),
        (outcome(422, ERROR), None),
        (outcome(200, ok()), "accepted-invalid"),
        (outcome(302, None, content_type=""), "status"),
        (outcome(400, None, content_type="text/plain"), "content-type"),
        (outcome(400, None, json_error="bad"), "not-json"),
        (
            outcome(400, envelope(None, success=True, errors=[{"code": 1, "message": "x"}])),
            "envelope",
        ),
        (outcome(400, envelope(None, success=False)), "envelope"),
        (outcome(500, ERROR), "server-error"),
    ],
)
def test_rejects_invalid(answer: Outcome, code: str | None) -> None:
    the_case = case({"prompt": "hi", "top_k": 51}, valid=False, pointer="/top_k")
    problems = judge("rejects-invalid", the_case, answer)
    assert codes(problems) == ([code] if code else [])
    if code == "accepted-invalid":
        assert "it violates /top_k" in problems[0].message


def test_rejects_invalid_judges_invalid_bodies_only() -> None:
    assert judge("rejects-invalid", case(), outcome(400, ERROR)) is None


# --- streaming --------------------------------------------------------------------------------

STREAMED = case({"prompt": "hi", "stream": True})


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (stream("a", " b"), None),
        (stream("a", done=False), "no-done"),
        (
            outcome(200, content_type="text/event-stream", events=["[DONE]", '{"response":"x"}']),
            "after-done",
        ),
        (
            outcome(
                200,
                content_type="text/event-stream",
                events=['{"response":"a"}', "[DONE]"],
                leftover="data: {",
            ),
            "framing",
        ),
        (outcome(200, content_type="text/event-stream", events=["{oops", "[DONE]"]), "event-json"),
        (
            outcome(200, content_type="text/event-stream", events=['{"response": 5}', "[DONE]"]),
            "event-schema",
        ),
        (outcome(200, ok()), "json-not-stream"),
        (outcome(200, None, content_type="text/plain"), "content-type"),
        (outcome(200, content_type="text/event-stream", stream_error="not UTF-8"), "framing"),
        (outcome(400, ERROR), "status"),
    ],
)
def test_streaming(answer: Outcome, code: str | None) -> None:
    assert codes(judge("streaming", STREAMED, answer)) == ([code] if code else [])


def test_a_stream_must_say_what_the_plain_answer_says() -> None:
    plain = case({"prompt": "hi", "seed": 4}, probe="stream-vs-json")
    streamed = case({"prompt": "hi", "seed": 4, "stream": True}, probe="stream-vs-json")
    first = Answer(plain, outcome(200, ok("one two")))
    assert judge("streaming", streamed, stream("one", " two"), first) == []
    (problem,) = judge("streaming", streamed, stream("one", " three"), first)
    assert problem.code == "stream-differs" and "at seed 4" in problem.message
    refused = Answer(plain, outcome(500, ERROR))
    assert judge("streaming", streamed, stream("other"), refused) == []


def test_streaming_judges_streamed_valid_bodies_only() -> None:
    assert judge("streaming", case(), outcome(200, ok())) is None
    invalid = case({"prompt": 5, "stream": True}, valid=False, pointer="/prompt")
    assert judge("streaming", invalid, outcome(400, ERROR)) is None


# --- auth, no-server-errors, transport ----------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (
            outcome(401, envelope(None, success=False, errors=[{"code": 10000, "message": "no"}])),
            None,
        ),
        (outcome(403, ERROR), None),
        (outcome(400, {"success": False, "errors": [{"code": 9106, "message": "Missing"}]}), None),
        (outcome(200, ok()), "accepted-without-token"),
        (outcome(404, ERROR), "status"),
        (outcome(401, None, content_type="text/plain"), "content-type"),
        (outcome(503, ERROR), "server-error"),
    ],
)
def test_auth(answer: Outcome, code: str | None) -> None:
    for token in ("none", "wrong"):
        assert codes(judge("auth", case(token=token), answer)) == ([code] if code else [])


def test_auth_statuses_are_a_setting() -> None:
    from wai_contract.conformance.checks.auth import AuthSettings

    answer = Answer(case(token="wrong"), outcome(403, ERROR))
    assert codes(CHECKS["auth"].judge(answer, AuthSettings(statuses=(401,)))) == ["status"]


def test_auth_judges_only_requests_without_the_token() -> None:
    assert judge("auth", case(), outcome(401, ERROR)) is None


def test_no_server_errors_and_transport_judge_every_answer() -> None:
    for the_case in (case(), case(valid=False), case(token="none"), STREAMED):
        assert judge("no-server-errors", the_case, outcome(200, ok())) == []
        assert codes(judge("no-server-errors", the_case, outcome(503, ERROR))) == ["server-error"]
        assert judge("transport", the_case, outcome(500, ERROR)) == []
    for error, code in (
        ("timeout: ReadTimeout after 5 s", "timeout"),
        ("truncated: peer closed", "truncated"),
        ("too-large: body over 33,554,432 bytes", "too-large"),
        ("something else entirely", "connection"),
    ):
        assert codes(judge("transport", case(), outcome(None, error=error))) == [code]


# --- examples -----------------------------------------------------------------------------------


def test_examples() -> None:
    example = Example(
        "chat", {"prompt": "hi"}, 200, {"required": ["response"]}, error_contains=None
    )
    the_case = case(valid=None, probe="example", example=example)
    assert judge("examples", the_case, outcome(200, ok())) == []
    assert codes(judge("examples", the_case, outcome(400, ERROR))) == ["status"]
    assert codes(judge("examples", the_case, outcome(200, envelope({})))) == ["result"]
    refusal = Example("top_k", {"prompt": "hi", "top_k": 51}, 400, None, "top_k")
    refused = dataclasses.replace(the_case, example=refusal)
    assert codes(judge("examples", refused, outcome(400, ERROR))) == ["error-message"]
    mentions = envelope(None, success=False, errors=[{"code": 5006, "message": "top_k > 50"}])
    assert judge("examples", refused, outcome(400, mentions)) == []
    assert judge("examples", case(), outcome(200, ok())) is None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"success": False, "errors": [{"code": 5006, "message": "AiError: Bad input"}]}, None),
        ({"success": False, "errors": {"code": 5006, "message": "one object"}}, None),
        ({"error": {"message": "bad", "type": "invalid_request_error"}}, None),
        ({"errors": []}, "envelope"),
        ({"error": "bad"}, "envelope"),
    ],
)
def test_error_answers_of_the_openai_surface_take_every_known_shape(
    body: dict[str, Any], code: str | None
) -> None:
    invalid = case(
        {"model": "m", "messages": []}, valid=False, pointer="/messages", surface="openai"
    )
    assert codes(judge("rejects-invalid", invalid, outcome(400, body))) == ([code] if code else [])
    refused = case({"model": "m", "messages": []}, token="none", surface="openai")
    assert codes(judge("auth", refused, outcome(401, body))) == ([code] if code else [])


@pytest.mark.parametrize("status", [0, 99, 600, 999])
def test_a_status_that_is_no_http_status_is_named_as_such(status: int) -> None:
    problems = judge("accepts-valid", case({"prompt": "hi"}), outcome(status, envelope(ok())))
    assert codes(problems) == ["invalid-status"]
    assert judge("no-server-errors", case({"prompt": "hi"}), outcome(status, {})) == []
