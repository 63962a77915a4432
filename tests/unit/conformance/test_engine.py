"""The runner with an injected transport: transport failures, planning, deviations."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from wai_contract.conformance import RunOptions, Target, plan, run
from wai_contract.conformance.contract import parse_contract
from wai_contract.conformance.engine._sender import SAME_FAILURES_TO_STOP
from wai_contract.conformance.merge import compare
from wai_contract.conformance.results import Report
from wai_contract.server.app import ServerConfig, create_app

URL = "http://server.test/client/v4/accounts/a/ai/run/@cf/mistral/mistral-7b-instruct-v0.2-lora"
SMALL = RunOptions(max_examples=40, concurrency=2)


def contract(**overrides: Any) -> Any:
    data: dict[str, Any] = {
        "version": 1,
        "checks": {
            "streaming": {"compare_cases": 3},
            "seed-determinism": {"probes": 1},
            "tool-calls": {"probes": 1},
            "max-tokens": {"probes": [1]},
        },
    }
    data.update(overrides)
    return parse_contract(data)


def reference_client(
    wrap: Callable[[httpx.Request, Callable[[httpx.Request], httpx.Response]], httpx.Response],
    token: str | None = "t",
) -> httpx.Client:
    """The reference app behind an httpx transport, with *wrap* able to misbehave."""
    asgi = create_app(ServerConfig(token=token))
    inner = httpx.Client(transport=_SyncASGI(asgi), base_url="http://server.test")

    def handler(request: httpx.Request) -> httpx.Response:
        def forward(req: httpx.Request) -> httpx.Response:
            response = inner.send(req)
            response.read()
            return httpx.Response(
                response.status_code, headers=response.headers, content=response.content
            )

        return wrap(request, forward)

    return httpx.Client(transport=httpx.MockTransport(handler))


def _error_response(status: int, code: int, message: str) -> httpx.Response:
    """A Cloudflare v4 error envelope, as a misbehaving server would send it."""
    return httpx.Response(
        status,
        json={
            "result": None,
            "success": False,
            "errors": [{"code": code, "message": message}],
            "messages": [],
        },
    )


class _CutShort(httpx.SyncByteStream):
    """A body that stops half-way, as from a server that closes the connection early."""

    def __init__(self, request: httpx.Request) -> None:
        self.request = request

    def __iter__(self) -> Any:
        yield b'{"result": {"resp'
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body", request=self.request
        )


class _SyncASGI(httpx.BaseTransport):
    """Run an ASGI app synchronously (httpx.ASGITransport is async-only)."""

    def __init__(self, app: Any) -> None:
        self.app = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        import anyio

        async def go() -> httpx.Response:
            body = request.read()
            async_request = httpx.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            response = await self.app.handle_async_request(async_request)
            content = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return anyio.run(go)


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
                200, headers={"content-type": "application/json"}, stream=_CutShort(request)
            )
        return forward(request)

    report = run(Target(URL, "t"), contract(), SMALL, client=reference_client(wrap))
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

    report = run(Target(URL, "t"), contract(), SMALL, client=reference_client(wrap))
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
            return _error_response(404, 7003, "Could not route")
        return response

    strict = run(Target(URL, "t"), contract(), SMALL, client=reference_client(wrap))
    assert {c.id for c in strict.checks if c.status == "failed"} == {"auth"}
    tolerant = run(
        Target(URL, "t"),
        contract(
            known_deviations=[
                {"check": "auth", "code": "status", "reason": "gateway answers 404, ticket 7"}
            ]
        ),
        SMALL,
        client=reference_client(wrap),
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
        client=reference_client(lambda r, f: f(r), token=None),
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
        run(Target(URL, None), contract(), SMALL, client=reference_client(refuse))
    with pytest.raises(TargetError, match="the target refuses the token given: 401"):
        run(Target(URL, "wrong"), contract(), SMALL, client=reference_client(refuse))
    wrong_route = URL.replace("/ai/run/", "/ai/ran/")
    with pytest.raises(TargetError, match="no such route"):
        run(Target(wrong_route, "t"), contract(), SMALL, client=reference_client(refuse))
    assert len(sent) == 3, "one request each, not the plan"


def test_transient_answers_are_inconclusive_and_too_many_fail_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wai_contract.conformance.engine import _sender

    monkeypatch.setattr(_sender, "pause", lambda seconds, stop: False)
    calls = {"n": 0}

    def busy(request: httpx.Request, forward: Any) -> httpx.Response:
        # A quarter of the bodies always meet a busy target; the rest never do.
        if zlib.crc32(request.content) % 4 == 0 and b"Say hello" not in request.content:
            return _error_response(429, 3040, "Capacity temporarily exceeded")
        return forward(request)

    report = run(Target(URL, "t"), contract(), SMALL, client=reference_client(busy))
    assert report.inconclusive and report.too_busy and not report.passed
    assert all(c.status != "failed" for c in report.checks), "busy is not wrong"
    assert any("transient answers" in note for note in report.notes)

    def sometimes_busy(request: httpx.Request, forward: Any) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] % 200 == 0:
            return _error_response(503, 1, "unavailable")
        return forward(request)

    report = run(Target(URL, "t"), contract(), SMALL, client=reference_client(sometimes_busy))
    assert report.passed and not report.too_busy


def test_a_target_out_of_its_daily_allocation_stops_the_run() -> None:
    from wai_contract.errors import TargetError

    def used_up(request: httpx.Request, forward: Any) -> httpx.Response:
        if b"max_tokens" in request.content:
            return _error_response(429, 4006, "AiError: you have used up your daily allocation")
        return forward(request)

    with pytest.raises(TargetError, match="daily free allocation is used up"):
        run(Target(URL, "t"), contract(), SMALL, client=reference_client(used_up))


def test_max_requests_stops_the_run_and_says_so() -> None:
    report = run(
        Target(URL, "t"),
        contract(),
        RunOptions(max_examples=40, max_requests=10),
        client=reference_client(lambda r, f: f(r)),
    )
    assert report.requests == 10
    assert any("max-requests" in note for note in report.notes)


def test_failures_are_shrunk_to_a_minimal_body() -> None:
    def wrap(
        request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response:
        body = json.loads(request.content)
        if isinstance(body, dict) and body.get("top_k") == 50:
            return _error_response(400, 5006, "top_k too large")
        return forward(request)

    report = run(
        Target(URL, "t"), contract(), RunOptions(max_examples=200), client=reference_client(wrap)
    )
    accepts = next(c for c in report.checks if c.id == "accepts-valid")
    shrunk = [f for f in accepts.failures if f.shrunk_from]
    assert shrunk, "the first failure of each kind is shrunk"
    body = shrunk[0].exchange.body  # type: ignore[union-attr]
    assert body["top_k"] == 50 and set(body) <= {"prompt", "messages", "top_k"}


def test_report_round_trips_and_compares_with_a_baseline() -> None:
    report = run(Target(URL, "t"), contract(), SMALL, client=reference_client(lambda r, f: f(r)))
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


def _run_through(wrap: Callable[..., httpx.Response], concurrency: int) -> Report:
    """A run of 60 examples against the reference server, every request through *wrap*."""
    options = RunOptions(max_examples=60, concurrency=concurrency, timeout=30, shrink=False)
    return run(Target(URL, "t"), contract(), options, client=reference_client(wrap))


def test_identical_failures_in_a_row_stop_the_run() -> None:
    seen: list[float] = []

    def wrap(
        request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response:
        seen.append(request.extensions["timeout"]["read"])
        if 2 <= len(seen) <= 7 or len(seen) >= 12:  # the preflight answers
            raise httpx.RemoteProtocolError("peer closed the connection", request=request)
        return forward(request)

    report = _run_through(wrap, concurrency=1)
    assert set(seen) == {30}, "the timeout is never shortened"
    assert len(seen) == 11 + SAME_FAILURES_TO_STOP  # 6 failures, 4 answers, then the streak
    assert report.stopped == "same-failures" and not report.passed
    assert any(f"{SAME_FAILURES_TO_STOP} requests in a row" in note for note in report.notes)


def test_a_kind_of_request_that_hangs_is_tried_once_and_the_rest_of_it_spared() -> None:
    hung: list[bytes] = []

    def wrap(
        request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response:
        assert request.extensions["timeout"]["read"] == 30, "the timeout is never shortened"
        if b'"stream": true' in request.content or b'"stream":true' in request.content:
            hung.append(request.content)
            raise httpx.ReadTimeout("hung", request=request)
        return forward(request)

    report = _run_through(wrap, concurrency=4)
    spared = [case for ids in report.not_sent.values() for case in ids]
    assert not report.passed and report.stopped is None and spared
    # A streamed body is valid or not, in one of three size classes: one request a kind.
    assert len(hung) <= 6 and len(report.not_sent) <= len(hung)
    assert report.judged_cases + len(spared) >= report.planned
    assert any(note.startswith("not sent: ") and "streamed" in note for note in report.notes)
    transport = next(c for c in report.checks if c.id == "transport")
    assert transport.status == "failed" and transport.failures[0].code == "timeout"


def test_a_baseline_given_to_run_is_compared_by_cause(tmp_path: Any) -> None:
    from wai_contract.conformance import write_report

    client = reference_client(lambda r, f: f(r))
    first = run(Target(URL, "t"), contract(), SMALL, client=client)
    write_report(first, tmp_path)
    again = run(
        Target(URL, "t"), contract(), SMALL, client=client, baseline=tmp_path / "report.json"
    )
    assert again.comparison is not None
    assert again.comparison.baseline == str(tmp_path / "report.json")
    assert (again.comparison.new_failures, again.comparison.fixed) == ([], [])


def test_the_top_level_run_names_an_unknown_setting() -> None:
    import wai_contract
    from wai_contract.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown run setting 'max_exmples'"):
        wai_contract.run(URL, max_exmples=3)


def test_some_requests_spell_the_model_as_the_official_sdk_does() -> None:
    paths: list[str] = []

    def record(request: httpx.Request, forward: Any) -> httpx.Response:
        paths.append(request.url.raw_path.decode())
        return forward(request)

    report = run(Target(URL, "t"), contract(), SMALL, client=reference_client(record))
    assert report.passed
    encoded = [p for p in paths if "@cf%2Fmistral%2Fmistral-7b-instruct-v0.2-lora" in p]
    assert len(encoded) == 2
    cases = [c for c in plan(Target(URL, "t"), contract(), SMALL) if c.percent_encoded]
    assert [c.id for c in cases] == ["sdk-path-1", "sdk-path-2"]


def test_a_check_that_breaks_on_an_answer_fails_that_case_and_the_run_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wai_contract.conformance.checks import CHECKS

    def broken(answer: Any, settings: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(CHECKS["usage-totals"], "judge", broken)
    report = run(Target(URL, "t"), contract(), SMALL, client=reference_client(lambda r, f: f(r)))
    usage = next(c for c in report.checks if c.id == "usage-totals")
    assert usage.status == "failed" and {f.code for f in usage.failures} == {"unjudgeable"}
    assert "RecursionError" in usage.failures[0].problem
    assert all(
        c.status == "passed" for c in report.checks if c.id not in ("usage-totals",) and c.cases
    )


def test_a_run_past_its_deadline_stops_with_what_it_judged() -> None:
    import time as clock

    def slow(
        request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response:
        clock.sleep(0.05)
        return forward(request)

    options = RunOptions(max_examples=40, concurrency=2, deadline=0.6, shrink=False)
    report = run(Target(URL, "t"), contract(), options, client=reference_client(slow))
    assert report.stopped == "deadline" and not report.complete and not report.passed
    assert 0 < report.requests < len(plan(Target(URL, "t"), contract(), options))
    assert any("deadline" in note for note in report.notes)


def test_the_default_deadline_grows_with_the_plan_and_its_pace() -> None:
    from wai_contract.conformance.cases import Job
    from wai_contract.conformance.contract import RunSettings
    from wai_contract.conformance.engine import run_deadline

    one = [Job((case,)) for case in plan(Target(URL, "t"), contract(), SMALL)]
    base = run_deadline(one, RunSettings(concurrency=4))
    assert base >= 300
    assert run_deadline(one * 2, RunSettings(concurrency=4)) > base
    paced = run_deadline(one, RunSettings(concurrency=4, requests_per_minute=60))
    assert paced == pytest.approx(base + len(one))  # a second a request at 60 a minute
    assert run_deadline(one, RunSettings(deadline=12.5)) == 12.5


def _without_done(
    request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]
) -> httpx.Response:
    answer = forward(request)
    if answer.headers.get("content-type", "").startswith("text/event-stream"):
        body = answer.content.replace(b"data: [DONE]\n\n", b"")
        return httpx.Response(answer.status_code, headers=answer.headers, content=body)
    return answer


def test_one_fault_met_by_many_bodies_is_one_cause_with_every_case_counted() -> None:
    from wai_contract.conformance import render_console
    from wai_contract.conformance.reporters.markdown import render_markdown

    options = RunOptions(max_examples=120, concurrency=2)
    report = run(Target(URL, "t"), contract(), options, client=reference_client(_without_done))
    streaming = next(c for c in report.checks if c.id == "streaming")
    no_done = [f for f in streaming.failures if f.code == "no-done"]
    assert len(no_done) == 1 and streaming.failure_count > 10
    group = no_done[0]
    assert group.count == len(streaming.causes[group.cause]) == streaming.failure_count
    assert len(group.others) == group.count - 1
    assert f"(×{group.count} cases)" in render_console(report)
    assert f"{group.count} cases with this cause" in render_markdown(report)


def test_a_baseline_is_compared_by_cause_over_every_failing_case(tmp_path: Any) -> None:
    from wai_contract.conformance import write_report

    def broken_more(request: httpx.Request, forward: Any) -> httpx.Response:
        if b'"top_k"' in request.content:
            return _error_response(500, 1000, "internal error")
        return _without_done(request, forward)

    def broken_less(request: httpx.Request, forward: Any) -> httpx.Response:
        if b'"top_k"' in request.content:
            return _error_response(500, 1000, "internal error")
        return forward(request)

    options = RunOptions(max_examples=120, concurrency=2, shrink=False)
    before = run(Target(URL, "t"), contract(), options, client=reference_client(broken_more))
    write_report(before, tmp_path)
    after = run(
        Target(URL, "t"),
        contract(),
        options,
        client=reference_client(broken_less),
        baseline=tmp_path / "report.json",
    )
    comparison = after.comparison
    assert comparison is not None
    failing_before = {(c.id, i) for c in before.checks for ids in c.causes.values() for i in ids}
    failing_after = {(c.id, i) for c in after.checks for ids in c.causes.values() for i in ids}
    assert failing_after < failing_before  # a strict subset
    assert comparison.new_failures == [] and comparison.new_cases == 0
    assert comparison.fixed_cases == len(failing_before - failing_after) > 5
    assert comparison.fixed == sorted(
        {cause for c in before.checks for cause in c.causes}
        - {cause for c in after.checks for cause in c.causes}
    )
    assert any("no-done" in cause for cause in comparison.fixed)
