"""Shrinking: a failing generated body is cut down, by re-sending smaller bodies of the same
class (valid, or invalid at the same place), to the smallest that still fails the same way."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import orjson

from ...lint import lint
from ...readings import agreed, judge
from ...validators import compile_validator
from ..answers import Answer
from ..cases import Case
from ..checks import CHECKS
from ..contract import Contract
from ..results import Verdict
from ._sender import BudgetExhausted, Sender, Stopped

SHRINKS_PER_CHECK = 5
SHRINK_REQUESTS = 40


def shrink_failures(verdicts: list[Verdict], send: Sender, contract: Contract) -> None:
    """Shrink the first failure of each kind (check and problem code), a few per check."""
    done: dict[str, set[str]] = {}
    for verdict in verdicts:
        case = verdict.answer.case
        if not verdict.problems or not CHECKS[verdict.check].shrinks or not case.generated:
            continue
        if not isinstance(case.body, dict) or case.valid is None:
            continue  # an undetermined body has no class to keep
        codes = done.setdefault(verdict.check, set())
        code = verdict.problems[0].code
        if code in codes or len(codes) >= SHRINKS_PER_CHECK or code == "timeout":
            continue  # a body that hangs would cost a whole timeout per try
        codes.add(code)
        try:
            _shrink(verdict, send, contract)
        except (BudgetExhausted, Stopped):
            return


def _shrink(verdict: Verdict, send: Sender, contract: Contract) -> None:
    check, case = CHECKS[verdict.check], verdict.answer.case
    settings = contract.settings(verdict.check)
    code = verdict.problems[0].code
    original = len(orjson.dumps(case.body))
    body: dict[str, Any] = case.body
    requests = 0
    improved = True
    while improved and requests < SHRINK_REQUESTS:
        improved = False
        for candidate in _smaller(body, case.pointer):
            if not _same_class(candidate, case, contract):
                continue
            requests += 1
            refusable = contract.limits.may_refuse(candidate) if case.valid else None
            tags = tuple(tag for tag in case.tags if tag in candidate or tag not in case.body)
            smaller = dataclasses.replace(case, body=candidate, refusable=refusable, tags=tags)
            answer = Answer(smaller, send(smaller))
            problems = check.judge(answer, settings) or []
            if problems and problems[0].code == code:
                body, verdict.answer, verdict.problems = candidate, answer, problems
                improved = True
                break
            if requests >= SHRINK_REQUESTS:
                break
    if body is not case.body:
        verdict.shrunk_from = original


def _same_class(body: dict[str, Any], case: Case, contract: Contract) -> bool:
    """Whether *body* has the verdict of *case* (and, if invalid, its violation)."""
    if case.surface == "openai":
        valid, pointer = agreed(judge(body), contract.readings)
        return valid is case.valid and (valid or pointer == case.pointer)
    if case.valid:
        return compile_validator("input").is_valid(body)
    result = lint(body, positions=False, api="native")
    return not result.valid and case.pointer in [e.pointer for e in result.errors]


def _smaller(body: dict[str, Any], pointer: str | None) -> Iterator[dict[str, Any]]:
    """Candidate bodies, each one simplification smaller; the mutated place is kept."""
    keep = pointer.split("/")[1] if pointer and pointer.count("/") >= 1 else None
    for key in body:
        if key != keep:
            yield {k: v for k, v in body.items() if k != key}
    for key, value in body.items():
        if isinstance(value, list) and len(value) > 1:
            index = _index_on(pointer, key)
            yield {**body, key: [value[index if index is not None else 0]]}
        elif isinstance(value, str) and len(value) > 1 and key != keep:
            yield {**body, key: value[: len(value) // 2]}
    messages = body.get("messages")
    if isinstance(messages, list):
        for i, message in enumerate(messages):
            if (
                isinstance(message, dict)
                and isinstance(message.get("content"), str)
                and len(message["content"]) > 1
                and not _on_path(pointer, "messages", i)
            ):
                shorter = [*messages]
                shorter[i] = {**message, "content": message["content"][:1]}
                yield {**body, "messages": shorter}


def _index_on(pointer: str | None, key: str) -> int | None:
    parts = (pointer or "").split("/")
    if len(parts) > 2 and parts[1] == key and parts[2].isdigit():
        return int(parts[2])
    return None


def _on_path(pointer: str | None, key: str, index: int) -> bool:
    return bool(pointer) and (pointer or "").startswith(f"/{key}/{index}")
