"""The OpenAI-only request fields, at an OpenAI-style URL of a server that serves only that
path: a faithful one passes, and each server that ignores a field is caught, as a warning
under both readings (so --strict fails it) and as a failure under OpenAI's alone."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from tests.unit.conformance.test_engine import URL, contract, reference_client

from wai_contract import MODEL
from wai_contract.conformance import RunOptions, Target, plan, run

HERE = "http://server.test/v1/chat/completions"
"""Where the server under test serves the surface: its own path, not Workers AI's."""
SERVED = URL.replace(f"/ai/run/{MODEL}", "/ai/v1/chat/completions")
OPTIONS = RunOptions(max_examples=0, concurrency=2)
ONLY = {"openai-fields", "streaming"}
"""The check, and streaming (its streamed probes are planned only where streaming runs)."""
Change = Callable[[dict[str, Any]], dict[str, Any]]


def _without(*fields: str) -> Change:
    return lambda body: {k: v for k, v in body.items() if k not in fields}


def _tool_even_if_none(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "tool_choice": "required"} if body.get("tool_choice") == "none" else body


def _served(change: Change = lambda body: body, answer: Callable[[str], str] = str) -> Any:
    """The reference app at :data:`HERE`, each body passed through *change* on its way in
    and each answer's text through *answer* on its way out."""

    def wrap(request: httpx.Request, forward: Any) -> httpx.Response:
        try:
            body = json.loads(request.content)
        except ValueError:
            body = None
        content = json.dumps(change(body)).encode() if isinstance(body, dict) else request.content
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        response = forward(httpx.Request("POST", SERVED, headers=headers, content=content))
        if answer is str:
            return response
        kept = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(response.status_code, headers=kept, content=answer(response.text))

    return reference_client(wrap)


def _usage_adds_wrong(text: str) -> str:
    return re.sub(r'"total_tokens":(\d+)', lambda m: f'"total_tokens":{int(m[1]) + 1}', text)


def _usage_on_every_chunk(text: str) -> str:
    usage = '"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}'
    return text.replace('"choices":[{', f'{usage},"choices":[{{')


FAULTS: dict[str, tuple[Any, str]] = {
    "ignores-max-completion-tokens": (
        _served(_without("max_completion_tokens")),
        "max-completion-tokens",
    ),
    "no-usage-chunk": (_served(_without("stream_options")), "usage-chunk"),
    "usage-chunk-adds-wrong": (_served(answer=_usage_adds_wrong), "usage-chunk"),
    "usage-on-every-chunk": (_served(answer=_usage_on_every_chunk), "usage-chunk"),
    "tool-call-when-none": (_served(_tool_even_if_none), "tool-choice"),
    "ignores-tool-choice": (_served(_without("tool_choice")), "tool-choice"),
    "ignores-stop": (_served(_without("stop")), "stop-sequence"),
    "ignores-response-format": (_served(_without("response_format")), "json-object"),
}


def _codes(report: Any, key: str) -> set[str]:
    check = next(c for c in report.checks if c.id == "openai-fields")
    return {case.code for case in getattr(check, key)}


def test_a_faithful_server_at_its_own_path_passes() -> None:
    report = run(Target(HERE, "t"), contract(), OPTIONS, transport=_served())
    assert report.passed, [(c.id, c.failures[:1]) for c in report.checks if c.failures]
    check = next(c for c in report.checks if c.id == "openai-fields")
    assert check.status == "passed" and check.cases >= 15


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_ignored_field_is_caught_at_the_level_its_readings_support(fault: str) -> None:
    transport, code = FAULTS[fault]
    lenient = run(Target(HERE, "t"), contract().only(ONLY), OPTIONS, transport=transport)
    assert lenient.passed and code in _codes(lenient, "warnings"), _codes(lenient, "warnings")
    strict = run(Target(HERE, "t"), contract().only(ONLY), RunOptions(max_examples=0, strict=True),
                 transport=transport)  # fmt: skip
    assert not strict.passed
    alone = run(Target(HERE, "t"), contract(readings=["openai"]).only(ONLY), OPTIONS,
                transport=transport)  # fmt: skip
    assert not alone.passed and code in _codes(alone, "failures"), _codes(alone, "failures")


def test_n_is_asked_only_where_the_contract_says_the_target_supports_it() -> None:
    planned = [case.id for case in plan(Target(HERE, "t"), contract(), OPTIONS)]
    assert "oa-n-choices" not in planned and "oa-stop-1" in planned
    only = {"checks": {"openai-fields": {"n": 2}}}
    asked = run(Target(HERE, "t"), contract(**only).only({"openai-fields"}), OPTIONS,
                transport=_served())  # fmt: skip
    assert "n-choices" in _codes(asked, "warnings")  # serve gives one choice
