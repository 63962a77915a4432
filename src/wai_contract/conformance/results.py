"""The results of a conformance run, as plain data: verdicts assembled into a report.

Each check's :class:`Verdict` on each answer is assembled (:func:`check_results`) into one
:class:`CheckResult` per check, whose status follows one rule (:func:`settle`, also used by
``report merge``). A :class:`Report` holds them; each lists its failing :class:`CaseResult`
s, and each of those carries the :class:`~.http.Exchange` that showed the failure (request,
response, and a ``curl`` command to reproduce it, token redacted). The renderers in
:mod:`.reporters` turn a report into JSON, JUnit, Markdown and HTML.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import ConfigError
from ..files import MAX_REPORT_BYTES, read_capped
from .answers import Answer
from .checks import CHECKS
from .contract import Contract
from .http import Exchange
from .problems import Problem

Status = Literal["passed", "warned", "failed", "skipped"]


class StopReason(enum.StrEnum):
    """Why a run stopped before its plan's end (``Report.stopped``)."""

    BUDGET = "budget"
    """``--max-requests`` was reached."""
    BUSY = "busy"
    """The target answered only "busy" too often to be judged."""
    SAME_FAILURES = "same-failures"
    """The same transport failure repeated, with no answer between."""
    DEADLINE = "deadline"
    INTERRUPTED = "interrupted"
    """Ctrl-C or SIGTERM."""
    TARGET = "target"
    """The target stopped serving (a fatal answer)."""


@dataclass
class Verdict:
    """What one check said of one answer (no problems: the case passed)."""

    check: str
    answer: Answer
    problems: list[Problem]
    shrunk_from: int | None = None
    """Size in bytes of the body before shrinking replaced *answer*, when it did."""


@dataclass
class CaseResult:
    """One failing (or warned, or known-deviating) case of a check."""

    id: str
    check: str
    problem: str
    """What was wrong, in one sentence."""
    code: str
    """A short, stable category of the problem (``status``, ``envelope``, ``timeout``, ...)."""
    tags: list[str] = field(default_factory=list)
    pointer: str | None = None
    seed: int | None = None
    exchange: Exchange | None = None
    shrunk_from: int | None = None
    """Size in bytes of the body before it was shrunk, when it was."""
    body_file: str | None = None
    known: str | None = None
    """The reason of the known deviation this failure matches, if any."""
    count: int = 1
    """Cases with this case's cause (it stands for them all)."""
    others: list[str] = field(default_factory=list)
    """The ids of the other cases with this cause (the first 200)."""

    @property
    def signature(self) -> str:
        """The case's kind: the check, the problem kind, the case's tags."""
        return f"{self.check}|{self.code}|{'/'.join(t for t in self.tags if t != 'random')}"

    @property
    def cause(self) -> str:
        """What went wrong, whatever the case: the check, the problem code and the shape of
        the problem's sentence (numbers and quoted text left out). Failures group by it, and
        baselines compare by it."""
        return cause_of(self.check, self.code, self.problem)

    def curl(self) -> str:
        """The reproduction command of this case's exchange ('' without one)."""
        return self.exchange.curl(self.body_file) if self.exchange else ""

    def facts(self) -> list[str]:
        """Plain-text facts about the case, for renderers: tags, pointer, shrinking."""
        facts = []
        if self.count > 1:
            shown = ", ".join(self.others[:10]) + (", …" if self.count > 11 else "")
            facts.append(f"{self.count} cases with this cause; the others: {shown}")
        if self.tags:
            facts.append(f"tags: {', '.join(self.tags)}")
        if self.pointer is not None:
            facts.append(f"violates {self.pointer or '/'}")
        if self.shrunk_from:
            facts.append(f"shrunk from a {self.shrunk_from:,}-byte body")
        if self.known:
            facts.append(f"known deviation: {self.known}")
        return facts


_NUMBERS = re.compile(r"\d+(?:\.\d+)?")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|\{.*\}|\[.*\]")
CAUSE_WORDS = 90


def cause_of(check: str, code: str, problem: str) -> str:
    """``check|code|shape``: the shape is the problem's first words with numbers, quoted
    text and JSON left out, so one fault met by many bodies is one cause."""
    shape = _NUMBERS.sub("#", _QUOTED.sub("…", problem))
    return f"{check}|{code}|{' '.join(shape.split())[:CAUSE_WORDS]}"


FAILURES_KEPT = 25
"""Causes kept in full (with a case each) per check; every failing case is counted."""
OTHERS_KEPT = 200
"""Ids of the other cases of a cause listed beside its first."""


def add_to_group(kept: list[CaseResult], case: CaseResult) -> None:
    """Keep a copy of *case* as the first of its cause in *kept*, or count it (with the
    cases it already stands for) in that cause's group."""
    for first in kept:
        if first.cause == case.cause:
            first.count += case.count
            room = OTHERS_KEPT - len(first.others)
            first.others += [case.id, *case.others][: max(0, room)]
            return
    if len(kept) < FAILURES_KEPT:
        kept.append(dataclasses.replace(case, others=list(case.others)))


@dataclass
class CheckResult:
    """The outcome of one check over all its cases."""

    id: str
    title: str
    description: str
    status: Status
    cases: int = 0
    failures: list[CaseResult] = field(default_factory=list)
    failure_count: int = 0
    """All failures, also those not kept in ``failures`` (a run keeps the first few)."""
    known: list[CaseResult] = field(default_factory=list)
    note: str = ""
    warnings: list[CaseResult] = field(default_factory=list)
    """Cases of behaviour described but not guaranteed (failures in strict mode)."""
    warning_count: int = 0
    causes: dict[str, list[str]] = field(default_factory=dict)
    """Every failing case's id, by cause (all of them, for baselines)."""
    seconds: float = 0.0
    """The time of the exchanges this check judged, summed (an answer that several checks
    judge counts in each)."""

    @property
    def unlisted_causes(self) -> int:
        """Causes of failure past the ones kept in ``failures`` (each in ``causes``, with
        its cases, in report.json)."""
        return max(0, len(self.causes) - len(self.failures)) if self.failures else 0


@dataclass
class Comparison:
    """This run against a baseline report, by cause over every failing case."""

    baseline: str
    new_failures: list[str] = field(default_factory=list)
    """Causes failing now that did not before."""
    fixed: list[str] = field(default_factory=list)
    """Causes that failed before and do not now."""
    new_cases: int = 0
    """Cases failing now that did not before (by id: exact for runs of the same seed)."""
    fixed_cases: int = 0
    newly_failing_checks: list[str] = field(default_factory=list)
    newly_passing_checks: list[str] = field(default_factory=list)


@dataclass
class Report:
    """Everything a conformance run found."""

    target: str
    started: str
    seconds: float
    seed: int
    max_examples: int
    requests: int
    checks: list[CheckResult]
    latencies_ms: list[float] = field(default_factory=list)
    contract: str = "default"
    version: str = ""
    notes: list[str] = field(default_factory=list)
    comparison: Comparison | None = None
    strict: bool = False
    """Warnings were counted as failures."""
    inconclusive: list[str] = field(default_factory=list)
    """Cases whose answers stayed transient (429, 408, 502-504) after every retry."""
    too_busy: bool = False
    """More cases were inconclusive than the contract allows: the run could not judge."""
    schema: dict[str, str] = field(default_factory=dict)
    """The request schema the run used: its ``source`` and ``sha256``."""
    stopped: str | None = None
    """Why the run stopped before its plan's end (a :class:`StopReason`); ``None`` when it
    did not."""
    retries: int = 0
    """Transient answers (429, 408, 502-504) tried again."""
    planned: int = 0
    """Cases the plan held (a case: one request, or a few judged together)."""
    judged_cases: int = 0
    """Cases sent and judged (inconclusive ones included)."""
    faults: list[str] = field(default_factory=list)
    """Faults injected into the reference server (``--local-fault``)."""
    readings: list[str] = field(default_factory=list)
    """The readings an OpenAI-compatible body's acceptance was judged by, where they all
    agree (see :mod:`wai_contract.readings`); empty when the run did not cover that surface."""
    not_sent: dict[str, list[str]] = field(default_factory=dict)
    """Cases not sent because their kind of request hangs, by the case that timed out."""
    shard: str | None = None
    """``K/N`` when the run sent one part of its plan (``run --shard``); ``None`` for a
    whole run, or reports merged from every part."""

    @property
    def judged(self) -> bool:
        """At least one check judged at least one case."""
        return any(check.cases for check in self.checks)

    @property
    def failing_cases(self) -> int:
        """Cases that failed some check (each once, whatever the checks it failed)."""
        return len({case for check in self.checks for ids in check.causes.values() for case in ids})

    @property
    def complete(self) -> bool:
        """The run judged its plan: not cut by its deadline or an interruption (a
        ``--max-requests`` cap is the user's choice, and counts as complete)."""
        return self.stopped not in (StopReason.DEADLINE, StopReason.INTERRUPTED)

    @property
    def passed(self) -> bool:
        """True when no check failed (known deviations and warnings do not fail a check),
        some check judged something, the run was complete, and the target was not too
        busy to judge."""
        return (
            not self.too_busy
            and self.judged
            and self.complete
            and all(check.status != "failed" for check in self.checks)
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written to ``report.json``."""
        data = asdict(self)
        data["passed"] = self.passed
        for check, raw in zip(self.checks, data["checks"], strict=True):
            for case, raw_case in zip(
                check.failures + check.warnings + check.known,
                raw["failures"] + raw["warnings"] + raw["known"],
                strict=True,
            ):
                raw_case["signature"] = case.signature
                raw_case["cause"] = case.cause
                raw_case["curl"] = case.curl()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Read back a ``report.json`` (for ``--baseline``)."""

        def case(raw: dict[str, Any]) -> CaseResult:
            exchange = raw.get("exchange")
            dropped = ("signature", "cause", "curl", "exchange")
            fields = {k: v for k, v in raw.items() if k not in dropped}
            return CaseResult(**fields, exchange=Exchange(**exchange) if exchange else None)

        checks = [
            CheckResult(
                **{
                    **c,
                    "failures": [case(f) for f in c["failures"]],
                    "known": [case(k) for k in c["known"]],
                    "warnings": [case(w) for w in c.get("warnings", [])],
                }
            )
            for c in data["checks"]
        ]
        comparison = data.get("comparison")
        fields = {k: v for k, v in data.items() if k not in ("checks", "passed", "comparison")}
        return cls(
            **fields, checks=checks, comparison=Comparison(**comparison) if comparison else None
        )


def load_report(path: str | Path, what: str = "baseline") -> Report:
    """Read a ``report.json`` written by an earlier run (*what* it is, for errors); a
    folder stands for the ``report.json`` in it."""
    if Path(path).is_dir():
        path = Path(path) / "report.json"
    text = read_capped(path, MAX_REPORT_BYTES, what)
    try:  # JSON nested past Python's stack is a RecursionError, caught as any bad report
        return Report.from_dict(json.loads(text, parse_constant=_not_json))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        said = str(exc)[:200]
        raise ConfigError(f"{what} {path} is not a wai-contract report.json: {said}") from None


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def settle(result: CheckResult, judged: bool) -> None:
    """The check's status from its counts: failed, warned, passed, or skipped when it
    *judged* nothing."""
    if result.failure_count:
        result.status = "failed"
    elif result.warning_count:
        result.status = "warned"
    else:
        result.status = "passed" if judged else "skipped"


def check_results(
    verdicts: Sequence[Verdict], contract: Contract, notes: dict[str, str], seed: int, strict: bool
) -> list[CheckResult]:
    """One result per registered check (in report order), from every verdict of the run;
    *notes* say why a check planned nothing."""
    by_check: dict[str, list[Verdict]] = {check: [] for check in CHECKS}
    for verdict in verdicts:
        by_check[verdict.check].append(verdict)
    results = []
    for check_id, check in CHECKS.items():
        judged = by_check[check_id]
        result = CheckResult(check_id, check.title, check.description, "passed", len(judged))
        if not contract.enabled(check_id):
            result.note = "disabled in the contract"
        elif not judged:
            result.note = notes.get(check_id, "not exercised: no case reached this check")
        for verdict in judged:
            if verdict.problems:
                _add_failure(result, verdict, contract, seed, strict)
        answers = [v.answer for v in judged]
        result.seconds = round(sum(a.outcome.exchange.elapsed_ms for a in answers) / 1000, 3)
        settle(result, check.exercised(answers) and contract.enabled(check_id))
        result.note = result.note or check.note(answers)
        results.append(result)
    return results


def _add_failure(
    result: CheckResult, verdict: Verdict, contract: Contract, seed: int, strict: bool
) -> None:
    # The first failure stands for the case; a case with warnings only is a warning.
    failures = [p for p in verdict.problems if strict or not p.warning]
    problem, case = (failures or verdict.problems)[0], verdict.answer.case
    failure = CaseResult(
        id=case.id,
        check=result.id,
        problem=problem.message,
        code=problem.code,
        tags=list(case.tags),
        pointer=case.pointer,
        seed=seed if case.generated else None,  # generated bodies come back with --seed
        exchange=verdict.answer.outcome.exchange,
        shrunk_from=verdict.shrunk_from,
    )
    deviation = contract.deviation_for(result.id, problem.code, problem.message)
    if deviation is not None:
        failure.known = deviation.reason
        result.known.append(failure)
        return
    if not failures:
        result.warning_count += 1
        add_to_group(result.warnings, failure)
        return
    result.failure_count += 1
    result.causes.setdefault(failure.cause, []).append(failure.id)
    add_to_group(result.failures, failure)
