"""Kinds of request: one of an untried kind at a time; a kind that hangs is spared."""

from __future__ import annotations

from wai_contract.conformance.cases import Case, Job
from wai_contract.conformance.engine._kinds import KindGate, describe, kind_of


def _job(body: object, surface: str = "native") -> Job:
    return Job((Case("c", "accepts-valid", body, surface=surface),))  # type: ignore[arg-type]


def test_a_kind_is_the_surface_the_stream_and_the_size_class() -> None:
    assert kind_of(_job({"prompt": "hi"})) == ("native", False, True, 0)
    assert kind_of(_job({"prompt": "x" * 5000, "stream": True})) == ("native", True, True, 1)
    assert kind_of(_job({"prompt": "x" * 131072}, "openai")) == ("openai", False, True, 2)
    assert kind_of(_job({"seed": 2**70})) == ("native", False, True, 0), "past 64 bits"
    invalid = Job((Case("c", "rejects-invalid", {"stream": True}, valid=False),))
    assert kind_of(invalid) == ("native", True, False, 0), "asks for a stream all the same"
    assert describe(("openai", True, True, 2)) == (
        "/ai/v1/chat/completions, valid bodies over 64 KB, streamed"
    )


def test_an_untried_kind_sends_one_request_and_the_others_wait_for_it() -> None:
    gate = KindGate([("native", False, True, 0)] * 3 + [("native", True, True, 0)])
    assert [gate.admit(i).value for i in range(4)] == ["send", "wait", "wait", "send"]
    assert gate.finish(0, None) == [1, 2]
    came_back = [gate.admit(1).value, gate.admit(2).value]
    assert came_back == ["send", "send"], "the kind came back: all go"


def test_a_kind_that_timed_out_spares_the_rest_and_names_the_case() -> None:
    gate = KindGate([("native", False, True, 2)] * 3)
    assert [gate.admit(i).value for i in range(3)] == ["send", "wait", "wait"]
    assert gate.finish(0, "b-000131") == [1, 2]
    assert [gate.admit(1).value, gate.admit(2).value] == ["spare", "spare"]
    assert gate.hung_by == {("native", False, True, 2): "b-000131"}


def test_the_first_request_of_every_kind_goes_first() -> None:
    small, large = ("native", False, True, 0), ("native", False, True, 2)
    gate = KindGate([small, small, large, small, large])
    assert gate.first_of_each_kind_first() == [0, 2, 1, 3, 4]


def test_a_job_streams_if_any_of_its_requests_does() -> None:
    plain, streamed = {"prompt": "hi"}, {"prompt": "hi", "stream": True}
    job = Job((Case("a", "streaming", plain), Case("a", "streaming", streamed)))
    assert kind_of(job) == ("native", True, True, 0)


def test_a_job_stops_at_its_first_timeout() -> None:
    from wai_contract.conformance.engine._schedule import run_job
    from wai_contract.conformance.http import Exchange, Outcome

    sent: list[str] = []

    class Hanging:
        def __call__(self, case: Case) -> Outcome:
            sent.append(case.id)
            exchange = Exchange("POST", "http://x.test/", case.body, True)
            exchange.error = "timeout: no complete answer within 30 s"
            return Outcome(exchange)

    job = Job((Case("a", "streaming", {"prompt": "hi"}), Case("b", "streaming", {"prompt": "hi"})))
    verdicts, count, timed_out = run_job(job, Hanging(), lambda answer: [])  # type: ignore[arg-type]
    assert (verdicts, count, timed_out, sent) == ([], 1, "a", ["a"])


def test_a_timeout_spares_its_kind_even_when_no_check_judges_it() -> None:
    import threading

    from wai_contract.conformance.engine._schedule import execute
    from wai_contract.conformance.engine._sender import RequestBudget
    from wai_contract.conformance.engine._slots import Slots
    from wai_contract.conformance.http import Exchange, Outcome

    class Hanging:
        """Every request times out; nothing else a run reads from a sender is missing."""

        slots, budget, stop = Slots(1, 1), RequestBudget(None), threading.Event()
        timeouts, same_failures = 0, None

        def __call__(self, case: Case) -> Outcome:
            exchange = Exchange("POST", "http://x.test/", case.body, True)
            exchange.error = "timeout: no complete answer within 30 s"
            return Outcome(exchange)

    jobs = [Job((Case(f"c{i}", "accepts-valid", {"prompt": "hi"}),)) for i in range(3)]
    state = execute(
        jobs, Hanging(), lambda answer: [],  # type: ignore[arg-type]
        concurrency=1, inconclusive_limit=1.0, deadline=float("inf"),
    )  # fmt: skip
    assert state.hung_by == {("native", False, True, 0): "c0"}
    assert state.spared == {("native", False, True, 0): ["c1", "c2"]}
