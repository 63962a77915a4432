"""The two readings of an OpenAI-compatible body: each verdict is its source's, a verdict is
given only where the readings followed agree, and a run says which it used."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest
from tests.unit.conformance.test_engine import contract, reference_client

from wai_contract import MODEL, lint
from wai_contract.conformance import RunOptions, Target, run
from wai_contract.generate import generate
from wai_contract.readings import ReadingVerdict, agreed, judge, judged_by
from wai_contract.schemas import openai_reference, without_openai_nulls

OPENAI = "http://server.test/client/v4/accounts/a/ai/v1/chat/completions"
CHAT = [{"role": "user", "content": "hi"}]


def test_each_finding_is_its_sources_verdict_over_generated_bodies() -> None:
    reference = jsonschema.Draft202012Validator(openai_reference("chat-request"))
    bodies = [b.payload for b in generate(300, seed=5, api="openai")]
    for body in bodies:
        openai, service = judge(body)
        assert openai.valid is reference.is_valid(body), body
        by_lint = lint(body, api="openai", readings=("service",)).valid
        if by_lint and without_openai_nulls(body) is not body:
            assert service.valid is None  # valid once nulls are read as not given
        else:
            assert service.valid is by_lint, body
        for finding in (openai, service):
            assert (finding.pointer is None) is (finding.valid is not False)


@pytest.mark.parametrize(
    ("findings", "followed", "expected"),
    [
        (
            (ReadingVerdict("openai", True), ReadingVerdict("service", True)),
            ("openai", "service"),
            (True, None),
        ),
        (
            (
                ReadingVerdict("openai", False, "/messages/0"),
                ReadingVerdict("service", False, "/x"),
            ),
            ("openai", "service"),
            (False, "/x"),  # the service's pointer: the linter explains it best
        ),
        (
            (ReadingVerdict("openai", False, "/t"), ReadingVerdict("service", True)),
            ("openai", "service"),
            (None, None),
        ),
        (
            (ReadingVerdict("openai", False, "/t"), ReadingVerdict("service", True)),
            ("service",),
            (True, None),
        ),
        (
            (ReadingVerdict("openai", False, "/t"), ReadingVerdict("service", True)),
            ("openai",),
            (False, "/t"),
        ),
        (
            (ReadingVerdict("openai", True), ReadingVerdict("service", None)),
            ("openai", "service"),
            (None, None),
        ),
        (
            (ReadingVerdict("openai", False, ""), ReadingVerdict("service", False, "")),
            ("openai", "service"),
            (False, ""),
        ),
    ],
)
def test_a_verdict_is_given_only_where_the_followed_readings_agree(
    findings: Any, followed: Any, expected: Any
) -> None:
    assert agreed(findings, followed) == expected


def test_the_sentence_names_the_readings() -> None:
    assert judged_by(["service"]) == "OpenAI-compatible bodies: acceptance judged by Workers AI"
    assert "where OpenAI's reference and Workers AI agree" in judged_by(["openai", "service"])


def _sent(bodies: list[Any]) -> httpx.BaseTransport:
    def keep(request: httpx.Request, forward: Any) -> httpx.Response:
        bodies.append(request.content)
        return forward(request)

    return reference_client(keep)


def test_undetermined_bodies_are_sent_judged_for_shape_and_counted() -> None:
    sent: list[Any] = []
    options = RunOptions(max_examples=80, concurrency=2)
    report = run(Target(OPENAI, "t"), contract(), options, transport=_sent(sent))
    assert report.passed and report.readings == ["openai", "service"]
    note = next(c.note for c in report.checks if c.id == "accepts-valid")
    assert "undetermined" in note and "openai: invalid at" in note and "service: valid" in note
    # Those bodies were sent: the reference server (the service's reading) accepted them.
    assert any(b"temperature" in body for body in sent)
    live = run(Target(OPENAI, "t"), contract(readings=["service"]), options, transport=_sent([]))
    assert live.passed and live.readings == ["service"]
    assert "where" not in judged_by(live.readings)


def test_a_run_on_the_native_surface_names_no_reading() -> None:
    url = OPENAI.replace("/ai/v1/chat/completions", f"/ai/run/{MODEL}")
    report = run(Target(url, "t"), contract(), RunOptions(max_examples=5), transport=_sent([]))
    assert report.readings == []
