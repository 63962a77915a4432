"""The runner with an injected transport: when a run stops, what it spares, baselines."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from tests.unit.conformance.engine_servers import (
    SMALL,
    URL,
    contract,
    error_response,
    reference_client,
)

from wai_contract.conformance import RunOptions, Target, plan, run
from wai_contract.conformance.engine._sender import SAME_FAILURES_TO_STOP
from wai_contract.conformance.results import Report


def _run_through(wrap: Callable[..., httpx.Response], concurrency: int) -> Report:
    """A run of 60 examples against the reference server, every request through *wrap*."""
    options = RunOptions(max_examples=60, concurrency=concurrency, timeout=30, shrink=False)
    return run(Target(URL, "t"), contract(), options, transport=reference_client(wrap))


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

    transport = reference_client(lambda r, f: f(r))
    first = run(Target(URL, "t"), contract(), SMALL, transport=transport)
    write_report(first, tmp_path)
    again = run(
        Target(URL, "t"), contract(), SMALL, transport=transport, baseline=tmp_path / "report.json"
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

    report = run(Target(URL, "t"), contract(), SMALL, transport=reference_client(record))
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
    report = run(Target(URL, "t"), contract(), SMALL, transport=reference_client(lambda r, f: f(r)))
    usage = next(c for c in report.checks if c.id == "usage-totals")
    assert usage.status == "failed" and {f.code for f in usage.failures} == {"unjudgeable"}
    assert "RecursionError" in usage.failures[0].problem
    others = [c for c in report.checks if c.id != "usage-totals" and c.cases]
    assert {c.status for c in others} <= {"passed", "skipped"}  # skipped: no tool was called
    assert [c.id for c in others if c.status == "skipped"] in ([], ["tool-calls"])


def test_a_run_past_its_deadline_stops_with_what_it_judged() -> None:
    import time as clock

    def slow(
        request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response:
        clock.sleep(0.05)
        return forward(request)

    options = RunOptions(max_examples=40, concurrency=2, deadline=0.6, shrink=False)
    report = run(Target(URL, "t"), contract(), options, transport=reference_client(slow))
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
    report = run(Target(URL, "t"), contract(), options, transport=reference_client(_without_done))
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
            return error_response(500, 1000, "internal error")
        return _without_done(request, forward)

    def broken_less(request: httpx.Request, forward: Any) -> httpx.Response:
        if b'"top_k"' in request.content:
            return error_response(500, 1000, "internal error")
        return forward(request)

    options = RunOptions(max_examples=120, concurrency=2, shrink=False)
    before = run(Target(URL, "t"), contract(), options, transport=reference_client(broken_more))
    write_report(before, tmp_path)
    after = run(
        Target(URL, "t"),
        contract(),
        options,
        transport=reference_client(broken_less),
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


@pytest.mark.parametrize("reading", ["warn", "fail"])
def test_a_boolean_accepted_as_text_is_a_warning_unless_the_contract_says_fail(
    reading: str,
) -> None:
    """The published schema refuses "raw": "true"; the vendor's own example sends it: which
    the service applies is not known, so accepting it warns, unless the contract decides."""

    def coercing(
        request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]
    ) -> httpx.Response:
        body = json.loads(request.content)
        if isinstance(body, dict) and any(
            body.get(k) in ("true", "false") for k in ("raw", "stream")
        ):
            body = {k: (v == "true" if v in ("true", "false") else v) for k, v in body.items()}
            request = httpx.Request("POST", request.url, headers=request.headers, json=body)
        return forward(request)

    the_contract = contract(
        checks={"seed-determinism": {"probes": 1}, "rejects-invalid": {"text_booleans": reading}}
    )
    report = run(Target(URL, "t"), the_contract, SMALL, transport=reference_client(coercing))
    (rejects,) = [c for c in report.checks if c.id == "rejects-invalid"]
    said = [c.code for c in rejects.failures + rejects.warnings]
    assert said and set(said) == {
        "text-boolean-accepted" if reading == "warn" else "accepted-invalid"
    }
    assert rejects.status == ("warned" if reading == "warn" else "failed")
    assert all(c.pointer in ("/raw", "/stream") for c in rejects.failures + rejects.warnings)
