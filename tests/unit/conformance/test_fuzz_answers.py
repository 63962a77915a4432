"""Random answers, well-formed and not (status, headers, bodies, SSE framing, compression),
through the runner's exchange and every check's judge: nothing may raise. The engine would
turn an exception into an ``unjudgeable`` failure; here no check may need that."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from typing import Any
from unittest import mock

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.properties import examples

from wai_contract.conformance.answers import Answer
from wai_contract.conformance.checks import CHECKS
from wai_contract.conformance.contract import RunOptions, load_contract
from wai_contract.conformance.engine import _sender as retry
from wai_contract.conformance.engine._sender import RequestBudget, send
from wai_contract.conformance.plan import make_plan
from wai_contract.errors import TargetError

TOKEN = "fuzz-token-0123456789abcdef"
URL = "http://fuzz.test/client/v4/accounts/a/ai/run/@cf/mistral/mistral-7b-instruct-v0.2-lora"
OPENAI_URL = URL.split("/ai/run/")[0] + "/ai/v1/chat/completions"
CONTRACT = load_contract()
PLAN = make_plan(
    True, CONTRACT, RunOptions(max_examples=40).resolve(CONTRACT), ("native", "openai")
).cases
STREAMS = [c for c in PLAN if c.valid and isinstance(c.body, dict) and c.body.get("stream") is True]
CASES = [PLAN[i] for i in range(0, len(PLAN), max(1, len(PLAN) // 60))]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
answer_like = st.fixed_dictionaries(
    {},
    optional={
        "success": st.booleans() | json_values,
        "errors": st.lists(st.fixed_dictionaries({"code": json_values, "message": json_values}))
        | json_values,
        "result": st.fixed_dictionaries(
            {},
            optional={
                "response": st.text() | json_values,
                "usage": json_values,
                "tool_calls": st.lists(json_values, max_size=3) | json_values,
            },
        )
        | json_values,
        "choices": st.lists(json_values, max_size=2) | json_values,
        "object": st.sampled_from(["chat.completion", "chat.completion.chunk"]) | json_values,
    },
)
event_data = st.one_of(
    answer_like.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=40),
    st.just("[DONE]"),
    st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
)


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["json", "sse", "bytes"]))
    if kind == "json":
        value = draw(answer_like | json_values)
        return "application/json", json.dumps(value).encode()
    if kind == "sse":
        end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        events = draw(st.lists(event_data, max_size=6))
        text = "".join(f"data: {e}{end}{end}" for e in events)
        text += draw(st.sampled_from(["", "data: [DONE]\n\n", "data: trailing", ": comment\n"]))
        return "text/event-stream", text.encode("utf-8", "surrogatepass")
    return draw(st.sampled_from(["application/json", "text/event-stream", "text/plain", ""])), draw(
        st.binary(max_size=300)
    )


@st.composite
def answers(draw: st.DrawFn) -> tuple[int, dict[str, str], list[bytes]]:
    status = draw(
        st.just(200)
        | st.sampled_from([200, 400, 401, 404, 408, 413, 429, 500, 503])
        | st.integers(100, 599)
    )
    content_type, body = draw(bodies())
    headers = {
        "content-type": draw(
            st.just(content_type)
            | st.sampled_from([content_type.upper(), "application/json; charset=utf-8"])
        )
    }
    coding = draw(
        st.just("") | st.sampled_from(["gzip", "deflate", "raw-deflate", "br", "gzip-garbage"])
    )
    if coding == "gzip":
        body = gzip.compress(body)
    elif coding == "deflate":
        body = zlib.compress(body)
    elif coding == "raw-deflate":
        engine = zlib.compressobj(wbits=-15)
        body = engine.compress(body) + engine.flush()
        coding = "deflate"
    elif coding == "gzip-garbage":
        coding = "gzip"
    if coding:
        headers["content-encoding"] = coding
    if draw(st.booleans()):
        headers["retry-after"] = draw(st.sampled_from(["nan", "inf", "-1", "1e309", "0", "soon"]))
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=4)))
    pieces = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    return status, headers, pieces


class _Pieces(httpx.SyncByteStream):
    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces

    def __iter__(self) -> Iterator[bytes]:
        yield from self.pieces


@settings(max_examples=examples(300), deadline=None, suppress_health_check=list(HealthCheck))
@given(answers(), st.sampled_from(STREAMS) | st.sampled_from(CASES))  # streams: half the time
def test_no_answer_makes_the_exchange_or_a_judge_raise(answer: Any, case: Any) -> None:
    status, headers, pieces = answer

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=headers, stream=_Pieces(pieces))

    transport = httpx.MockTransport(handler)
    url = OPENAI_URL if case.surface == "openai" else URL
    budget = RequestBudget(None)
    with mock.patch.object(retry, "wait_before", return_value=0):  # no waits between retries
        try:
            outcome = send(transport, url, case.body, token=TOKEN, timeout=5, budget=budget)
        except TargetError:
            return  # a fatal code (daily allocation used up, ...): the run's end, by design
    judged = Answer(case, outcome, ())
    for check_id, check in CHECKS.items():
        check.judge(judged, CONTRACT.settings(check_id))
