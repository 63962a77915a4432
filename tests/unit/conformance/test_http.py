"""Sending one request through an injected transport: parsing, retries, limits, secrets."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from wai_contract.conformance import http
from wai_contract.conformance.engine import _sender
from wai_contract.conformance.engine._sender import BudgetExhausted, RequestBudget, send
from wai_contract.conformance.http import _reading as reading

URL = "http://server.test/client/v4/accounts/a/ai/run/m"
TOKEN = "tok-SECRET-1234567890"


def transport(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.BaseTransport:
    return httpx.MockTransport(handler)


def post(handler: Callable[[httpx.Request], httpx.Response], **kw: Any) -> http.Outcome:
    options: dict[str, Any] = {"token": TOKEN, "timeout": 5.0, "budget": RequestBudget(None)}
    options.update(kw)
    return send(transport(handler), URL, {"prompt": "hi"}, **options)


def test_a_json_answer_is_parsed_and_the_token_sent_but_never_recorded() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"echo": TOKEN}, headers={"x-echo": f"Bearer {TOKEN}"})

    outcome = post(handler)
    assert seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(seen[0].content) == {"prompt": "hi"}
    assert outcome.status == 200 and outcome.json == {"echo": "[REDACTED]"}
    assert outcome.content_type == "application/json"
    exchange = outcome.exchange
    assert TOKEN not in exchange.response_head and "[REDACTED]" in exchange.response_head
    assert TOKEN not in json.dumps(exchange.headers)
    assert TOKEN not in exchange.curl() and "$CLOUDFLARE_API_TOKEN" in exchange.curl()


def test_no_token_sends_no_authorization_and_curl_asks_for_none() -> None:
    outcome = post(
        lambda r: httpx.Response(401, json={"auth": r.headers.get("authorization")}), token=None
    )
    assert outcome.json == {"auth": None}
    assert "Authorization" not in outcome.exchange.curl()


def test_an_event_stream_is_read_as_events() -> None:
    body = b'data: {"response":"a"}\n\ndata: [DONE]\n\n'
    outcome = post(
        lambda r: httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
    )
    assert outcome.events == ['{"response":"a"}', "[DONE]"] and outcome.json is None


def test_a_body_that_is_not_json_is_noted_not_raised() -> None:
    outcome = post(lambda r: httpx.Response(200, content=b"{nope"))
    assert outcome.json is None and outcome.json_error


def test_429_is_retried_after_its_retry_after_then_given_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(_sender, "pause", lambda seconds, stop: waits.append(seconds))
    budget = RequestBudget(None)
    outcome = post(
        lambda r: httpx.Response(429, json={}, headers={"retry-after": "2"}), budget=budget
    )
    assert outcome.status == 429 and budget.sent == 4 and waits == [2.0, 2.0, 2.0]
    waits.clear()
    assert post(lambda r: httpx.Response(503, json={})).status == 503
    assert len(waits) == 3 and 0.5 <= waits[0] <= 1.0 <= waits[1] <= 2.0 <= waits[2] <= 4.0
    for nonsense in ("soon", "nan", "inf", "-1", "999999"):
        answers = iter(
            [httpx.Response(429, headers={"retry-after": nonsense}), httpx.Response(200, json={})]
        )
        waits.clear()
        assert post(lambda r, a=answers: next(a)).status == 200
        assert len(waits) == 1 and 0.5 <= waits[0] <= 1.0, nonsense


def test_an_answer_that_says_the_target_stopped_serving_raises() -> None:
    from wai_contract.errors import TargetError

    body = {"success": False, "result": {}, "errors": [{"code": 5028, "message": "deprecated"}]}
    with pytest.raises(TargetError, match="the model is deprecated"):
        post(lambda r: httpx.Response(400, json=body))


def test_a_pace_spaces_the_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(_sender.time, "sleep", waits.append)
    budget = RequestBudget(None, per_minute=120)
    for _ in range(3):
        budget.take()
    # Sleeping is faked, so no time passes: the requests are due at 0, 0.5 and 1.0 s.
    assert len(waits) == 2 and 0.45 < waits[0] <= 0.5 and 0.95 < waits[1] <= 1.0


def test_the_budget_stops_sending() -> None:
    budget = RequestBudget(1)
    post(lambda r: httpx.Response(200, json={}), budget=budget)
    with pytest.raises(BudgetExhausted):
        post(lambda r: httpx.Response(200, json={}), budget=budget)


class _Chunks(httpx.SyncByteStream):
    def __init__(self, chunks: list[bytes], error: Exception | None = None) -> None:
        self.chunks, self.error = chunks, error

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        if self.error is not None:
            raise self.error


def test_a_body_over_the_cap_is_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_BODY_BYTES", 10)
    outcome = post(lambda r: httpx.Response(200, stream=_Chunks([b"[1,2,3,", b"4,5,6,7]"])))
    assert (outcome.exchange.error or "").startswith("too-large") and outcome.json is None


def test_too_many_events_is_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_EVENTS", 3)
    events = [b"data: x\n\n"] * 5
    headers = {"content-type": "text/event-stream"}
    outcome = post(lambda r: httpx.Response(200, headers=headers, stream=_Chunks(events)))
    assert (outcome.exchange.error or "").startswith("too-large")


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda r: (_ for _ in ()).throw(httpx.ReadTimeout("slow", request=r)), "timeout"),
        (lambda r: (_ for _ in ()).throw(httpx.ConnectError("refused", request=r)), "connection"),
        (
            lambda r: httpx.Response(
                200,
                stream=_Chunks([b'{"res'], httpx.RemoteProtocolError("peer closed", request=r)),
            ),
            "truncated",
        ),
    ],
)
def test_transport_failures_are_recorded_as_errors(make: Any, kind: str) -> None:
    outcome = post(make)
    assert (outcome.exchange.error or "").startswith(f"{kind}:")
    assert outcome.json is None and outcome.exchange.elapsed_ms >= 0


def test_a_stream_that_is_not_utf8_is_a_stream_error() -> None:
    headers = {"content-type": "text/event-stream"}
    outcome = post(lambda r: httpx.Response(200, headers=headers, content=b"data: \xff\n\n"))
    assert outcome.stream_error and outcome.events is None
