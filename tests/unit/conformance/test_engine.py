"""The runner with an injected transport: transport failures, planning, deviations."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from tests.unit.conformance.engine_servers import (
    SMALL,
    URL,
    CutShort,
    contract,
    error_response,
    reference_client,
)

from wai_contract import MODEL
from wai_contract.conformance import RunOptions, Target, plan, render_console, run
from wai_contract.conformance.merge import compare
from wai_contract.conformance.reporters import RUN_FORMATS
from wai_contract.conformance.results import Report
from wai_contract.schemas import load_schema


def test_transport_failures_are_failures_of_their_case_and_the_run_goes_on() -> None:
    calls = {"n": 0}

    def wrap(
        request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] % 13 == 0:
            raise httpx.ReadTimeout("timed out", request=request)
        if calls["n"] % 17 == 0:
            raise httpx.ConnectError("connection reset by peer", request=request)
        if calls["n"] % 19 == 0:
            return httpx.Response(
                200, headers={"content-type": "application/json"}, stream=CutShort(request)
            )
        return forward(request)

    report = run(Target(URL, "t"), contract(), SMALL, transport=reference_client(wrap))
    transport = next(c for c in report.checks if c.id == "transport")
    assert transport.status == "failed"
    codes = {f.code for f in transport.failures}
    assert {"timeout", "connection", "truncated"} <= codes
    assert report.requests >= calls["n"] - 1  # every planned request was still sent


def test_a_200_that_is_not_json_fails_accepts_valid() -> None:
    def wrap(
        request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response:
        response = forward(request)
        if (
            response.status_code == 200
            and b'"stream": true' not in request.content
            and b'"stream":true' not in request.content
        ):
            return httpx.Response(
                200, headers={"content-type": "application/json"}, content=response.content[:20]
            )
        return response

    report = run(Target(URL, "t"), contract(), SMALL, transport=reference_client(wrap))
    accepts = next(c for c in report.checks if c.id == "accepts-valid")
    assert accepts.status == "failed"
    assert accepts.failures[0].code == "not-json"


def test_known_deviations_do_not_fail_the_run_but_are_reported() -> None:
    def wrap(
        request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response:
        response = forward(request)
        if "authorization" not in request.headers or "wrong" in request.headers.get(
            "authorization", ""
        ):
            return error_response(404, 7003, "Could not route")
        return response

    strict = run(Target(URL, "t"), contract(), SMALL, transport=reference_client(wrap))
    assert {c.id for c in strict.checks if c.status == "failed"} == {"auth"}
    tolerant = run(
        Target(URL, "t"),
        contract(
            known_deviations=[
                {"check": "auth", "code": "status", "reason": "gateway answers 404, ticket 7"}
            ]
        ),
        SMALL,
        transport=reference_client(wrap),
    )
    assert tolerant.passed
    auth = next(c for c in tolerant.checks if c.id == "auth")
    assert [k.known for k in auth.known] == ["gateway answers 404, ticket 7"] * 2


def test_disabled_checks_are_skipped_and_send_nothing() -> None:
    checks = {name: {"enabled": False} for name in ("streaming", "auth", "tool-calls")}
    requests = plan(Target(URL, "t"), contract(checks=checks), SMALL)
    assert not any(r.check in ("streaming", "auth", "tool-calls") for r in requests)
    assert not any(r.stream for r in requests)


def test_plan_lists_every_request_in_order_without_sending() -> None:
    example = {"name": "hi", "request": {"prompt": "hi"}, "expect": {"status": 200}}
    requests = plan(Target(URL, "t"), contract(examples=[example]), SMALL)
    assert [r.id for r in requests[:2]] == ["b-000001", "b-000002"]
    assert {r.check for r in requests} >= {
        "accepts-valid",
        "rejects-invalid",
        "auth",
        "examples",
        "max-tokens",
        "seed-determinism",
    }
    assert sum(1 for r in requests if not r.authorised) == 2


def test_no_token_skips_auth_with_a_reason() -> None:
    report = run(
        Target(URL, None),
        contract(),
        RunOptions(max_examples=5),
        transport=reference_client(lambda r, f: f(r), token=None),
    )
    auth = next(c for c in report.checks if c.id == "auth")
    assert auth.status == "skipped" and "no token" in auth.note


def test_a_target_that_cannot_be_judged_stops_the_run_before_the_plan() -> None:
    from wai_contract.errors import TargetError

    sent: list[httpx.Request] = []

    def refuse(request: httpx.Request, forward: Any) -> httpx.Response:
        sent.append(request)
        return forward(request)

    with pytest.raises(TargetError, match="the target refuses no token"):
        run(Target(URL, None), contract(), SMALL, transport=reference_client(refuse))
    with pytest.raises(TargetError, match="the target refuses the token given: 401"):
        run(Target(URL, "wrong"), contract(), SMALL, transport=reference_client(refuse))
    wrong_route = URL.replace("/ai/run/", "/ai/ran/")
    with pytest.raises(TargetError, match="no such route"):
        run(Target(wrong_route, "t"), contract(), SMALL, transport=reference_client(refuse))
    assert len(sent) == 3, "one request each, not the plan"


OPENAI_PATH = URL.replace(f"/ai/run/{MODEL}", "/ai/v1/chat/completions")


@pytest.mark.parametrize(
    ("url", "serves", "says", "requests"),
    [  # refused, then the other surface's body accepted; or answered in the other's shape
        ("http://server.test/v1/generate", OPENAI_PATH, "chat-completions surface: sent", 2),
        ("http://server.test/native/chat/completions", URL, "/ai/run surface: sent", 1),
    ],
)
def test_a_target_that_speaks_the_other_surface_stops_the_run_saying_so(
    url: str, serves: str, says: str, requests: int
) -> None:
    """One line naming the surface the target speaks and the option that fixes the run,
    after one or two requests."""
    from wai_contract.errors import TargetError

    sent: list[httpx.Request] = []

    def elsewhere(request: httpx.Request, forward: Any) -> httpx.Response:
        sent.append(request)
        return forward(
            httpx.Request("POST", serves, headers=request.headers, content=request.content)
        )

    with pytest.raises(TargetError, match=says) as stopped:
        run(Target(url, "t"), contract(), SMALL, transport=reference_client(elsewhere))
    assert "\n" not in str(stopped.value) and "--endpoint" in str(stopped.value)
    assert len(sent) == requests


def test_a_body_refused_for_what_it_is_does_not_stop_the_run() -> None:
    """A 400 to the plain body that the other surface's body gets too is left to the checks."""

    def refuse_all(request: httpx.Request, forward: Any) -> httpx.Response:
        return error_response(400, 5006, "Bad input")

    report = run(Target(URL, "t"), contract(), SMALL, transport=reference_client(refuse_all))
    assert not report.passed and report.requests > 20


@pytest.mark.parametrize("code", [7003, 7000])
def test_a_400_that_says_no_route_stops_the_run_as_a_404_does(code: int) -> None:
    from wai_contract.errors import TargetError

    def no_route(request: httpx.Request, forward: Any) -> httpx.Response:
        return error_response(400, code, "Could not route to /client/v4/accounts/a/ai/v1")

    with pytest.raises(TargetError, match="no such route"):
        run(Target(URL, "t"), contract(), SMALL, transport=reference_client(no_route))


def test_transient_answers_are_inconclusive_and_too_many_fail_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wai_contract.conformance.engine import _sender

    monkeypatch.setattr(_sender, "pause", lambda seconds, stop: False)
    calls = {"n": 0}

    def busy(request: httpx.Request, forward: Any) -> httpx.Response:
        # A quarter of the bodies always meet a busy target; the rest never do.
        if zlib.crc32(request.content) % 4 == 0 and b"Say hello" not in request.content:
            return error_response(429, 3040, "Capacity temporarily exceeded")
        return forward(request)

    report = run(Target(URL, "t"), contract(), SMALL, transport=reference_client(busy))
    assert report.inconclusive and report.too_busy and not report.passed
    assert all(c.status != "failed" for c in report.checks), "busy is not wrong"
    assert any("transient answers" in note for note in report.notes)

    def sometimes_busy(request: httpx.Request, forward: Any) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] % 200 == 0:
            return error_response(503, 1, "unavailable")
        return forward(request)

    report = run(Target(URL, "t"), contract(), SMALL, transport=reference_client(sometimes_busy))
    assert report.passed and not report.too_busy


def test_a_target_out_of_its_daily_allocation_stops_the_run() -> None:
    from wai_contract.errors import TargetError

    def used_up(request: httpx.Request, forward: Any) -> httpx.Response:
        if b"max_tokens" in request.content:
            return error_response(429, 4006, "AiError: you have used up your daily allocation")
        return forward(request)

    with pytest.raises(TargetError, match="daily free allocation is used up"):
        run(Target(URL, "t"), contract(), SMALL, transport=reference_client(used_up))


def test_max_requests_stops_the_run_and_says_so() -> None:
    report = run(
        Target(URL, "t"),
        contract(),
        RunOptions(max_examples=40, max_requests=10),
        transport=reference_client(lambda r, f: f(r)),
    )
    assert report.requests == 10
    assert any("max-requests" in note for note in report.notes)


def test_failures_are_shrunk_to_a_minimal_body() -> None:
    def wrap(
        request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response:
        body = json.loads(request.content)
        if isinstance(body, dict) and body.get("top_k") == 50:
            return error_response(400, 5006, "top_k too large")
        return forward(request)

    report = run(
        Target(URL, "t"), contract(), RunOptions(max_examples=200), transport=reference_client(wrap)
    )
    accepts = next(c for c in report.checks if c.id == "accepts-valid")
    shrunk = [f for f in accepts.failures if f.shrunk_from]
    assert shrunk, "the first failure of each kind is shrunk"
    body = shrunk[0].exchange.body  # type: ignore[union-attr]
    assert body["top_k"] == 50 and set(body) <= {"prompt", "messages", "top_k"}
    keys = {k for branch in load_schema("input")["oneOf"] for k in branch["properties"]}
    stale = [t for c in shrunk for t in c.tags if t in keys and t not in c.exchange.body]  # type: ignore[union-attr]
    assert stale == [], "a shrunk case carries the tags of its own body"


def test_a_server_that_never_calls_a_tool_leaves_tool_calls_not_exercised_not_passed() -> None:
    def toolless(
        request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response:
        body = json.loads(request.content)
        if isinstance(body, dict) and body.pop("tools", None) is not None:  # offered, unseen
            request = httpx.Request("POST", request.url, headers=request.headers, json=body)
        return forward(request)

    report = run(Target(URL, "t"), contract(), SMALL, transport=reference_client(toolless))
    (tools,) = [c for c in report.checks if c.id == "tool-calls"]
    assert (tools.status, tools.cases > 0) == ("skipped", True)
    assert tools.note == "not exercised: the server called no tool it was offered"
    line = next(x for x in render_console(report).splitlines() if x.startswith("tool-calls"))
    assert "⏭ skip" in line and "not exercised" in line
    assert report.passed


def test_a_stream_failure_keeps_the_answers_end_in_every_format() -> None:
    def no_done(
        request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response:
        answer = forward(request)
        if "event-stream" not in answer.headers.get("content-type", ""):
            return answer
        content = (
            answer.content.replace(b"data: [DONE]\n\n", b"")
            + b'data: {"response": "'
            + b"x" * 2000
            + b'"}\n\n'
        )
        return httpx.Response(answer.status_code, headers=answer.headers, content=content)

    report = run(Target(URL, "t"), contract(), SMALL, transport=reference_client(no_done))
    (streaming,) = [c for c in report.checks if c.id == "streaming"]
    exchange = streaming.failures[0].exchange
    assert exchange is not None and exchange.response_tail.endswith('x"}\n\n')
    assert len(exchange.response_tail) == 1024 and exchange.response_head.startswith("data: ")
    formats = {name: render(report) for name, render in RUN_FORMATS.items()}
    for name in ("summary.md", "report.html", "junit.xml", "report.json"):
        assert "xxxxxxxx" in formats[name], name


def test_report_round_trips_and_compares_with_a_baseline() -> None:
    report = run(Target(URL, "t"), contract(), SMALL, transport=reference_client(lambda r, f: f(r)))
    again = Report.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again.to_dict() == report.to_dict()
    broken = Report.from_dict(json.loads(json.dumps(report.to_dict())))
    from wai_contract.conformance.results import CaseResult

    check = broken.checks[0]
    check.status = "failed"
    check.failures.append(
        CaseResult("b-000001", check.id, "got 500", "server-error", tags=["top_k", "at-maximum"])
    )
    difference = compare(broken, report, "old.json")
    assert difference.new_failures == ["accepts-valid|server-error|got #"]
    assert difference.newly_failing_checks == ["accepts-valid"]
    assert compare(report, broken, "new.json").fixed == difference.new_failures
