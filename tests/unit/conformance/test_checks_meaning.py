"""The judges of the checks about what an answer means: max-tokens, usage-totals,
seed-determinism and tool-calls, on hand-made answers; and the checks' probes."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from tests.unit.conformance.made_answers import (
    ERROR,
    USAGE,
    WEATHER,
    case,
    codes,
    judge,
    ok,
    outcome,
    stream,
)

from wai_contract.conformance.answers import Answer
from wai_contract.conformance.checks import CHECKS, PlanContext
from wai_contract.conformance.contract import load_contract
from wai_contract.conformance.http import Outcome

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
        (
            [{"type": "function", "function": {"name": "convert", "arguments": '{"city": "x"}'}}],
            None,
        ),
        (
            [{"type": "function", "function": {"name": "convert", "arguments": "{"}}],
            "tool-arguments",
        ),
        (
            [{"type": "function", "function": {"name": "convert", "arguments": "[1]"}}],
            "tool-arguments",
        ),
        ([{"name": "get_weather", "arguments": {"days": 2}}], "tool-arguments-schema"),
        ([{"name": "get_weather", "arguments": {"city": 5}}], "tool-arguments-schema"),
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


def test_arguments_that_do_not_fit_the_tool_are_a_warning_not_a_failure() -> None:
    body = {"prompt": "?", "tools": FLAT_AND_FUNCTION}
    calls = [{"name": "get_weather", "arguments": {"city": "Lisbon", "days": "2"}}]
    (problem,) = judge("tool-calls", case(body), outcome(200, ok(tool_calls=calls)))
    assert problem.warning and problem.code == "tool-arguments-schema"
    (broken,) = judge(
        "tool-calls",
        case(body),
        outcome(200, ok(tool_calls=[{"function": {"name": "convert", "arguments": "no"}}])),
    )
    assert not broken.warning and "not JSON text" in broken.message


def test_a_tool_named_twice_takes_a_call_that_either_accepts() -> None:
    numbers = {"name": "get_weather", "parameters": {"type": "object", "required": ["lat"]}}
    body = {"prompt": "?", "tools": [WEATHER, numbers]}
    for arguments in ({"city": "Lisbon"}, {"lat": 3}):
        calls = [{"name": "get_weather", "arguments": arguments}]
        assert judge("tool-calls", case(body), outcome(200, ok(tool_calls=calls))) == []
    calls = [{"name": "get_weather", "arguments": {"days": 1}}]
    assert codes(judge("tool-calls", case(body), outcome(200, ok(tool_calls=calls)))) == [
        "tool-arguments-schema"
    ]


def test_a_tool_call_without_offered_tools_is_a_failure_and_no_tools_no_judgement() -> None:
    calls = [{"name": "get_weather", "arguments": {}}]
    (problem,) = judge("tool-calls", case(), outcome(200, ok(tool_calls=calls)))
    assert problem.code == "unoffered-tool" and "no tool was offered" in problem.message
    assert judge("tool-calls", case(), outcome(200, ok())) is None


def test_tool_calls_notes_a_server_that_never_calls_a_tool() -> None:
    the_case = case({"prompt": "?", "tools": [WEATHER]})
    quiet = [Answer(the_case, outcome(200, ok()))]
    assert (
        CHECKS["tool-calls"].note(quiet)
        == "not exercised: the server called no tool it was offered"
    )
    assert not CHECKS["tool-calls"].exercised(quiet)
    calls = [{"name": "get_weather", "arguments": {"city": "x"}}]
    called = [Answer(the_case, outcome(200, ok(tool_calls=calls)))]
    assert CHECKS["tool-calls"].note(called) == "" and CHECKS["tool-calls"].exercised(called)


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
