"""Real answers of the live service (tests/fixtures/real/, each with its source in
../shared/real-api.md) replayed through the transport and every judge: none is a false
alarm, and every planted fault is still caught by the check that owns it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import ROOT

from wai_contract.conformance.answers import Answer
from wai_contract.conformance.cases import WRONG_TOKEN, Case
from wai_contract.conformance.contract import LIVE_CONTRACT, load_contract
from wai_contract.conformance.engine import _sender, judge
from wai_contract.conformance.engine._sender import RequestBudget, send

FIXTURES = sorted((ROOT / "tests" / "fixtures" / "real").glob("*.json"))
TOKEN = "0123456789abcdef0123456789abcdef01234567"


def replay(fixture: dict[str, Any]) -> tuple[list[Any], list[Any], bool]:
    """(failures, warnings, inconclusive) of the fixture's answer, as (check, code)."""
    recorded = fixture["answer"]

    def answer(request: httpx.Request) -> httpx.Response:
        if "body" in recorded:
            content = json.dumps(recorded["body"]).encode()
        else:
            content = recorded["text"].encode()
        headers = {"content-type": recorded["content_type"], **recorded.get("headers", {})}
        return httpx.Response(recorded["status"], headers=headers, content=content)

    contract = load_contract(LIVE_CONTRACT if fixture.get("contract") == "live" else None)
    spec = fixture["case"]
    valid = spec.get("valid", True)
    case = Case(
        "replay",
        "replay",
        spec["body"],
        valid,
        spec.get("token", "given"),
        pointer=spec.get("pointer"),
        refusable=contract.limits.may_refuse(spec["body"]) if valid else None,
        surface=spec.get("surface", "native"),
    )
    token = {"given": TOKEN, "none": None, "wrong": WRONG_TOKEN}[case.token]
    transport = httpx.MockTransport(answer)
    outcome = send(
        transport,
        "http://ai.test/run",
        case.body,
        token=token,
        timeout=5,
        budget=RequestBudget(None),
    )
    if outcome.transient:
        return [], [], True
    verdicts = judge(Answer(case, outcome), contract)
    failures = [(v.check, p.code) for v in verdicts for p in v.problems if not p.warning]
    warnings = [(v.check, p.code) for v in verdicts for p in v.problems if p.warning]
    return failures, warnings, False


def test_the_corpus_holds_the_real_answers_and_the_faults() -> None:
    names = {path.stem for path in FIXTURES}
    assert len([n for n in names if not n.startswith("fault-")]) >= 13
    assert len([n for n in names if n.startswith("fault-")]) >= 10


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_a_real_answer_is_judged_as_the_service_deserves(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sender, "pause", lambda seconds, stop: False)
    fixture = json.loads(path.read_text("utf-8"))
    assert re.match(r"(official|observed|reported|fault)\b", fixture["source"]), "a source"
    failures, warnings, inconclusive = replay(fixture)
    expect = fixture["expect"]
    assert inconclusive == expect.get("inconclusive", False)
    assert sorted(failures) == sorted(map(tuple, expect.get("failures", [])))
    assert sorted(warnings) == sorted(map(tuple, expect.get("warnings", [])))
