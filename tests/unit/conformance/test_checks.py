"""Every check's judge on hand-made answers: what passes, what fails with which code, and
which answers a check leaves to others (``None``)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from wai_contract.conformance.answers import Answer
from wai_contract.conformance.cases import Case
from wai_contract.conformance.checks import CHECKS, PlanContext
from wai_contract.conformance.contract import Example, load_contract
from wai_contract.conformance.http import Exchange, Outcome

URL = "http://server.test/client/v4/accounts/a/ai/run/@cf/mistral/mistral-7b-instruct-v0.2-lora"
USAGE = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
WEATHER = {
    "name": "get_weather",
    "parameters": {
        "type": "object",
        "required": ["city"],
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
    },
}


def envelope(result: Any = None, *, success: bool = True, errors: Any = ()) -> dict[str, Any]:
    return {"result": result, "success": success, "errors": list(errors), "messages": []}


def ok(response: str = "two words", usage: Any = USAGE, **more: Any) -> dict[str, Any]:
    return envelope({"response": response, "usage": usage, **more})


ERROR = envelope(None, success=False, errors=[{"code": 5006, "message": "bad input"}])


def outcome(
    status: int | None = 200,
    body: Any = None,
    *,
    content_type: str = "application/json",
    events: list[str] | None = None,
    error: str | None = None,
    leftover: str = "",
    stream_error: str | None = None,
    json_error: str | None = None,
) -> Outcome:
    head = json.dumps(body)[:1024] if body is not None else ""
    exchange = Exchange("POST", URL, {}, status=status, error=error, response_head=head)
    return Outcome(exchange, content_type, body, json_error, events, stream_error, leftover)


def stream(*pieces: str, done: bool = True, usage: Any = None) -> Outcome:
    events = [json.dumps({"response": p}) for p in pieces]
    if usage is not None:
        events.append(json.dumps({"response": "", "usage": usage}))
    return outcome(200, content_type="text/event-stream", events=events + ["[DONE]"] * done)


def case(body: Any = None, **fields: Any) -> Case:
    return Case("c-1", "test", {"prompt": "hi"} if body is None else body, **fields)


def judge(check: str, the_case: Case, the_outcome: Outcome, *earlier: Answer) -> Any:
    answer = Answer(the_case, the_outcome, tuple(earlier))
    return CHECKS[check].judge(answer, CHECKS[check].settings_class())


def codes(problems: Any) -> list[str]:
    return [p.code for p in problems]


# --- the registry ---------------------------------------------------------------------------


def test_every_check_is_registered_once_in_report_order_with_its_words() -> None:
    assert list(CHECKS) == [
        "accepts-valid",
        "rejects-invalid",
        "streaming",
        "max-tokens",
        "usage-totals",
        "seed-determinism",
        "tool-calls",
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


# --- max-tokens, usage-totals -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "answer", "code"),
    [
        ({"prompt": "hi", "max_tokens": 2}, outcome(200, ok("one two")), None),
        ({"prompt": "hi", "max_tokens": 1}, outcome(200, ok("one two")), "over-max-tokens"),
        (
            {"prompt": "hi", "max_tokens": 5},
            outcome(200, ok("x", {**USAGE, "completion_tokens": 9, "total_tokens": 12})),
            "over-max-tokens",
        ),
        ({"prompt": "hi"}, outcome(200, ok(" ".join(["w"] * 256))), None),
        ({"prompt": "hi"}, outcome(200, ok(" ".join(["w"] * 257))), "over-max-tokens"),
        ({"prompt": "hi", "max_tokens": 1, "stream": True}, stream("a", " b"), "over-max-tokens"),
    ],
)
def test_max_tokens(body: dict[str, Any], answer: Outcome, code: str | None) -> None:
    assert codes(judge("max-tokens", case(body), answer)) == ([code] if code else [])


def test_max_tokens_and_usage_judge_only_answers_they_can_read() -> None:
    for check in ("max-tokens", "usage-totals"):
        assert judge(check, case(), outcome(400, ERROR)) is None
        assert judge(check, case(valid=False, pointer="/x"), outcome(200, ok())) is None


def test_usage_totals() -> None:
    assert judge("usage-totals", case(), outcome(200, ok())) == []
    wrong = {**USAGE, "total_tokens": 6}
    assert codes(judge("usage-totals", case(), outcome(200, ok(usage=wrong)))) == ["usage-sum"]
    streamed = case({"prompt": "hi", "stream": True})
    assert codes(judge("usage-totals", streamed, stream("a", usage=wrong))) == ["usage-sum"]
    assert judge("usage-totals", streamed, stream("a")) is None


# --- seed-determinism -------------------------------------------------------------------------


def test_seed_determinism() -> None:
    seeded = case({"prompt": "hi", "seed": 7}, probe="seed")
    first = Answer(seeded, outcome(200, ok("same")))
    assert judge("seed-determinism", seeded, outcome(200, ok("same")), first) == []
    (problem,) = judge("seed-determinism", seeded, outcome(200, ok("other")), first)
    assert problem.code == "seed-differs" and "seed 7" in problem.message
    refused = Answer(seeded, outcome(429, ERROR))
    assert judge("seed-determinism", seeded, outcome(200, ok("x")), refused) is None
    assert judge("seed-determinism", seeded, outcome(200, ok("x"))) is None
    assert judge("seed-determinism", case(), outcome(200, ok("x")), first) is None


# --- tool-calls -------------------------------------------------------------------------------

FLAT_AND_FUNCTION = [
    WEATHER,
    {"type": "function", "function": {**WEATHER, "name": "convert"}},
]


@pytest.mark.parametrize(
    ("calls", "code"),
    [
        ([{"name": "get_weather", "arguments": {"city": "Lisbon"}}], None),
        ([{"name": "convert", "arguments": {"city": "Lisbon", "days": 2}}], None),
        ([{"name": "get_time", "arguments": {}}], "unoffered-tool"),
        ([{"name": "get_weather", "arguments": {"days": 2}}], "tool-arguments"),
        ([{"name": "get_weather", "arguments": {"city": 5}}], "tool-arguments"),
    ],
)
def test_tool_calls(calls: list[Any], code: str | None) -> None:
    the_case = case({"messages": [{"role": "user", "content": "?"}], "tools": FLAT_AND_FUNCTION})
    problems = judge("tool-calls", the_case, outcome(200, ok(tool_calls=calls)))
    assert codes(problems) == ([code] if code else [])


@pytest.mark.parametrize(
    ("calls", "code"),
    [
        ([{"name": "get_weather", "arguments": '{"city": "Lisbon"}'}], "tool-arguments"),
        (["get_weather"], "tool-call-shape"),
        ({"name": "get_weather"}, "tool-call-shape"),
    ],
)
def test_tool_calls_the_output_schema_refuses_are_explained_too(calls: Any, code: str) -> None:
    from wai_contract.conformance.checks.tool_calls import tool_call_problems

    body = {"prompt": "?", "tools": FLAT_AND_FUNCTION}
    assert codes(judge("accepts-valid", case(body), outcome(200, ok(tool_calls=calls)))) == [
        "result"
    ]
    assert codes(tool_call_problems(body, calls)) == [code]


def test_a_tool_call_without_offered_tools_is_a_failure_and_no_tools_no_judgement() -> None:
    calls = [{"name": "get_weather", "arguments": {}}]
    (problem,) = judge("tool-calls", case(), outcome(200, ok(tool_calls=calls)))
    assert problem.code == "unoffered-tool" and "no tool was offered" in problem.message
    assert judge("tool-calls", case(), outcome(200, ok())) is None


def test_tool_calls_notes_a_server_that_never_calls_a_tool() -> None:
    the_case = case({"prompt": "?", "tools": [WEATHER]})
    quiet = [Answer(the_case, outcome(200, ok()))]
    assert "never called a tool" in CHECKS["tool-calls"].note(quiet)
    calls = [{"name": "get_weather", "arguments": {"city": "x"}}]
    assert CHECKS["tool-calls"].note([Answer(the_case, outcome(200, ok(tool_calls=calls)))]) == ""


# --- auth, no-server-errors, transport ----------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (
            outcome(401, envelope(None, success=False, errors=[{"code": 10000, "message": "no"}])),
            None,
        ),
        (outcome(200, ok()), "status"),
        (outcome(403, ERROR), "status"),
        (outcome(401, None, content_type="text/plain"), "content-type"),
        (outcome(503, ERROR), "server-error"),
    ],
)
def test_auth(answer: Outcome, code: str | None) -> None:
    for token in ("none", "wrong"):
        assert codes(judge("auth", case(token=token), answer)) == ([code] if code else [])


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


# --- probes -------------------------------------------------------------------------------------


def _context(has_token: bool = True, streaming: bool = True) -> PlanContext:
    contract = load_contract()
    settings = {check: contract.settings(check) for check in CHECKS}
    settings["streaming"] = dataclasses.replace(settings["streaming"], enabled=streaming)
    return PlanContext(has_token, [], settings, contract.examples)


def test_max_tokens_sends_a_streamed_probe_only_when_streaming_is_checked() -> None:
    check = CHECKS["max-tokens"]
    settings = check.settings_class()
    with_stream = [c for job in check.probes(settings, _context()) for c in job.cases]
    without = [c for job in check.probes(settings, _context(streaming=False)) for c in job.cases]
    assert [c.id for c in with_stream] == [*(c.id for c in without), "max-tokens-stream-3"]
    assert not any(c.stream for c in without)


def test_auth_without_a_token_plans_nothing_and_says_why() -> None:
    context = _context(has_token=False)
    assert list(CHECKS["auth"].probes(CHECKS["auth"].settings_class(), context)) == []
    assert "no token given" in context.notes["auth"]


def test_seed_probes_are_pairs_of_the_same_request() -> None:
    check = CHECKS["seed-determinism"]
    jobs = list(check.probes(check.settings_class(probes=6), _context()))
    assert len(jobs) == 6 and all(job.cases[0] == job.cases[1] for job in jobs)
