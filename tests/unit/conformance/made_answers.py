"""Hand-made answers for the judges' unit tests: envelopes, outcomes, streams and cases."""

from __future__ import annotations

import json
from typing import Any

from wai_contract.conformance.answers import Answer
from wai_contract.conformance.cases import Case
from wai_contract.conformance.checks import CHECKS
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
