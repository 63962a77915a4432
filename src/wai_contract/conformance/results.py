"""The results of a conformance run, as plain data, and their comparison with a baseline.

A :class:`Report` holds one :class:`CheckResult` per check; each lists its failing
:class:`CaseResult` s, and each of those carries the :class:`~.http.Exchange` that showed
the failure (request, response, and a ``curl`` command to reproduce it, token redacted).
The renderers in :mod:`.reporters` turn a report into JSON, JUnit, Markdown and HTML.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import ConfigError
from .http import Exchange

Status = Literal["passed", "warned", "failed", "skipped"]


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
    """Why the run stopped before its plan's end: ``budget``, ``busy``, ``same-failures``,
    ``deadline``, ``interrupted`` (see :mod:`.execution`); ``None`` when it did not."""
    retries: int = 0
    """Transient answers (429, 408, 502-504) tried again."""
    planned: int = 0
    """Cases the plan held (a case: one request, or a few judged together)."""
    judged_cases: int = 0
    """Cases sent and judged (inconclusive ones included)."""
    faults: list[str] = field(default_factory=list)
    """Faults injected into the reference server (``--local-fault``)."""
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
    def complete(self) -> bool:
        """The run judged its plan: not cut by its deadline or an interruption (a
        ``--max-requests`` cap is the user's choice, and counts as complete)."""
        return self.stopped not in ("deadline", "interrupted")

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


def compare(report: Report, baseline: Report, baseline_name: str) -> Comparison:
    """New failures and fixed ones, by cause over every failing case (not only those a
    report keeps in full), and checks that changed verdict."""

    def causes(r: Report) -> set[str]:
        return {cause for check in r.checks for cause in _causes(check)}

    def cases(r: Report) -> set[tuple[str, str]]:
        return {(c.id, i) for c in r.checks for ids in _causes(c).values() for i in ids}

    now, before = causes(report), causes(baseline)
    status_before = {c.id: c.status for c in baseline.checks}
    return Comparison(
        baseline=baseline_name,
        new_failures=sorted(now - before),
        fixed=sorted(before - now),
        new_cases=len(cases(report) - cases(baseline)),
        fixed_cases=len(cases(baseline) - cases(report)),
        newly_failing_checks=[
            c.id
            for c in report.checks
            if c.status == "failed" and status_before.get(c.id) != "failed"
        ],
        newly_passing_checks=[
            c.id
            for c in report.checks
            if c.status == "passed" and status_before.get(c.id) == "failed"
        ],
    )


def _causes(check: CheckResult) -> dict[str, list[str]]:
    # Reports written before causes were kept: the failures they listed, by cause.
    if check.causes or not check.failures:
        return check.causes
    return {f.cause: [f.id, *f.others] for f in check.failures}


def load_report(path: str | Path, what: str = "baseline") -> Report:
    """Read a ``report.json`` written by an earlier run (*what* it is, for errors); a
    folder stands for the ``report.json`` in it."""
    if Path(path).is_dir():
        path = Path(path) / "report.json"
    try:
        with open(path, encoding="utf-8") as handle:
            return Report.from_dict(json.load(handle))
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ConfigError(f"{what} {path} is not a wai-contract report.json: {exc}") from None
