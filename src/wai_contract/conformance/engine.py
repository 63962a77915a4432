"""The engine: send each job of the plan, offer every answer to every enabled check, and
gather the verdicts into a :class:`~.results.Report`.

Requests go through an injected ``httpx.Client`` (tests pass one with
``httpx.MockTransport``), several jobs at a time (see :mod:`.execution`), each answer read
completely within its timeout. Failures of generated bodies are then shrunk (see
:mod:`.shrink`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from .. import __version__
from ..errors import ConfigError
from ..schemas import schema_identity
from .answers import Answer
from .cases import Case, Job
from .checks import CHECKS
from .contract import Contract, RunSettings, load_contract
from .execution import ABANDONING, Execution, Progress, execute, in_background
from .http import RequestBudget
from .kinds import describe
from .plan import Plan, RunOptions, make_plan
from .preflight import preflight
from .problems import Problem
from .redact import redact_url
from .results import CaseResult, CheckResult, Report, add_to_group, compare, load_report
from .sender import SAME_FAILURES_TO_STOP, Sender
from .shrink import shrink_failures
from .slots import Slots
from .target import Target
from .transport import default_client

NO_BASELINE_FOR_A_PART = (
    "--baseline compares a whole run, and a part would show every other part's failures as "
    "fixed: give the baseline to `report merge` instead"
)
DEADLINE_FLOOR = 300.0
SECONDS_PER_REQUEST = 2.0
"""The default deadline: the floor (or ten timeouts), plus this much per planned request
at the run's concurrency, plus the time its pace needs."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped the run: *report* holds what it judged until then."""

    def __init__(self, report: Report) -> None:
        super().__init__("interrupted")
        self.report = report


@dataclass
class Verdict:
    """What one check said of one answer (no problems: the case passed)."""

    check: str
    answer: Answer
    problems: list[Problem]
    shrunk_from: int | None = None
    """Size in bytes of the body before shrinking replaced *answer*, when it did."""


def plan(
    target: Target, contract: Contract | None = None, options: RunOptions | None = None
) -> list[Case]:
    """The requests a run would send, in order, without sending any."""
    contract = contract or load_contract()
    options = options or RunOptions()
    settings = options.resolve(contract)
    whole = make_plan(bool(target.token), contract, settings, list(target.urls))
    return whole.part(options.shard).cases


def run(
    target: Target,
    contract: Contract | None = None,
    options: RunOptions | None = None,
    *,
    client: httpx.Client | None = None,
    progress: Progress | None = None,
    baseline: str | Path | Report | None = None,
) -> Report:
    """Run the contract's checks against *target* and return the report.

    *client* is injected for tests (``httpx.Client(transport=httpx.MockTransport(...))``).
    *progress* gets a :class:`~.execution.RunProgress` as jobs end. The run stops at its
    deadline (``RunOptions.deadline``, else scaled from the plan) and returns what it
    judged; Ctrl-C raises :class:`Interrupted`, which carries the partial report.
    *baseline*, an earlier report or its path, is compared in ``Report.comparison``.
    """
    contract = contract or load_contract()
    options = options or RunOptions()
    if options.shard is not None and baseline is not None:
        raise ConfigError(NO_BASELINE_FOR_A_PART)
    earlier = load_report(baseline) if isinstance(baseline, str | Path) else baseline
    settings = options.resolve(contract)
    strict = contract.strict if options.strict is None else options.strict
    started = datetime.now(UTC)
    clock = time.monotonic()
    the_plan = make_plan(bool(target.token), contract, settings, list(target.urls))
    the_plan = the_plan.part(options.shard)
    own_client = client is None
    slots = Slots(settings.concurrency, settings.max_concurrency)
    client = client or default_client(slots.senders, f"wai-contract/{__version__}")
    budget = RequestBudget(options.max_requests, settings.requests_per_minute)
    deadline = run_deadline(the_plan.jobs, settings)
    sender = Sender(client, target, settings.timeout, budget, clock + deadline, slots)
    try:
        state = _judge_plan(the_plan, sender, contract, settings, progress, clock + deadline)
        verdicts = [verdict for job in state.results for verdict in job]
        if options.shrink and state.stop not in ABANDONING:
            _shrink(verdicts, sender, contract, state)
    finally:
        if own_client:
            client.close()
    report = Report(
        target=redact_url(target.url),
        started=started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        seconds=round(time.monotonic() - clock, 3),
        seed=settings.seed,
        max_examples=settings.max_examples,
        requests=sender.budget.sent,
        checks=_check_results(verdicts, contract, the_plan.notes, settings.seed, strict),
        latencies_ms=sender.latencies_ms,
        contract=contract.source,
        version=__version__,
        notes=_run_notes(sender, state, deadline),
        strict=strict,
        faults=list(target.faults),
        shard=str(options.shard) if options.shard else None,
        **_outcome_of(state, budget),
    )
    if earlier is not None:
        name = str(baseline) if isinstance(baseline, str | Path) else "the baseline"
        report.comparison = compare(report, earlier, name)
    if state.stop == "interrupted":
        raise Interrupted(report)
    return report


def _outcome_of(state: Execution, budget: RequestBudget) -> dict[str, Any]:
    """The report's fields on how the run went, beside the verdicts."""
    return {
        "inconclusive": state.inconclusive,
        "too_busy": state.too_busy,
        "schema": schema_identity("input"),
        "stopped": state.stop,
        "retries": budget.retries,
        "planned": len(state.jobs),
        "judged_cases": state.judged,
        "not_sent": {state.hung_by[kind]: ids for kind, ids in state.spared.items()},
    }


def _shrink(verdicts: list[Verdict], sender: Sender, contract: Contract, state: Execution) -> None:
    try:
        shrink_failures(verdicts, sender, contract)
    except KeyboardInterrupt:
        state.stop = "interrupted"


def _judge_plan(
    the_plan: Plan,
    sender: Sender,
    contract: Contract,
    settings: RunSettings,
    progress: Progress | None,
    deadline: float,
) -> Execution:
    if not in_background(lambda: preflight(sender), sender, deadline):
        return Execution(the_plan.jobs, settings.inconclusive_limit, stop=_why(sender, deadline))
    state = execute(
        the_plan.jobs,
        sender,
        lambda answer: judge(answer, contract),
        concurrency=settings.concurrency,
        inconclusive_limit=settings.inconclusive_limit,
        deadline=deadline,
        progress=progress,
    )
    if state.error is not None:
        raise state.error
    return state


def judge(answer: Answer, contract: Contract) -> list[Verdict]:
    """Offer *answer* to every enabled check; the verdicts of those that judge it. A check
    that breaks on an answer fails that case (``unjudgeable``) and the run goes on."""
    verdicts = []
    for check_id, check in CHECKS.items():
        if contract.enabled(check_id):
            try:
                problems = check.judge(answer, contract.settings(check_id))
            except Exception as exc:
                said = f"{type(exc).__name__}: {exc}"[:200]
                problems = [Problem("unjudgeable", f"the answer could not be judged: {said}")]
            if problems is not None:
                verdicts.append(Verdict(check_id, answer, problems))
    return verdicts


def run_deadline(jobs: list[Job], settings: RunSettings) -> float:
    """Seconds the run may take: the contract's or the user's, else scaled from the plan."""
    if settings.deadline is not None:
        return settings.deadline
    requests = sum(len(job.cases) for job in jobs)
    floor = max(DEADLINE_FLOOR, 10 * settings.timeout)
    paced = requests * 60 / settings.requests_per_minute if settings.requests_per_minute else 0
    return floor + requests * SECONDS_PER_REQUEST / max(1, settings.concurrency) + paced


def _why(sender: Sender, deadline: float) -> str:
    return "deadline" if time.monotonic() >= deadline else "interrupted"


def _run_notes(sender: Sender, state: Execution, seconds: float) -> list[str]:
    notes = []
    if sender.budget.retries:
        notes.append(f"{sender.budget.retries} transient answers (429, 408, 502-504) were retried")
    slots = sender.slots
    if slots.peak > slots.start:
        notes.append(
            f"requests in flight grew from {slots.start} to {slots.peak} while answers were "
            f"slow (the fastest slow one {slots.fastest:.1f} s) and none queued"
        )
    unsent = f"; {state.unsent} of {len(state.jobs)} cases were not sent or not finished"
    stop = state.stop
    if stop == "budget":
        notes.append(f"stopped early: --max-requests {sender.budget.limit} reached{unsent}")
    elif stop == "busy":
        notes.append(
            f"stopped early: {len(state.inconclusive)} of the first {state.judged} cases got "
            "only transient answers; the target was too busy to judge"
        )
    elif stop == "same-failures":
        notes.append(
            f"stopped early: {SAME_FAILURES_TO_STOP} requests in a row failed the same way "
            f"({sender.streak[0]}){unsent}"
        )
    elif stop == "deadline":
        notes.append(f"stopped early: the run's deadline ({seconds:g} s) passed{unsent}")
    elif stop == "interrupted":
        notes.append(f"interrupted{unsent}")
    for kind, ids in state.spared.items():
        shown = ", ".join(ids[:10]) + (", …" if len(ids) > 10 else "")
        notes.append(
            f"not sent: {len(ids)} cases of a kind the target hangs on ({describe(kind)}), "
            f"since {state.hung_by[kind]} timed out: {shown}"
        )
    return notes


def _check_results(
    verdicts: list[Verdict], contract: Contract, notes: dict[str, str], seed: int, strict: bool
) -> list[CheckResult]:
    by_check: dict[str, list[Verdict]] = {check: [] for check in CHECKS}
    for verdict in verdicts:
        by_check[verdict.check].append(verdict)
    results = []
    for check_id, check in CHECKS.items():
        judged = by_check[check_id]
        result = CheckResult(check_id, check.title, check.description, "passed", len(judged))
        if not contract.enabled(check_id):
            result.status, result.note = "skipped", "disabled in the contract"
        elif not judged:
            result.status = "skipped"
            result.note = notes.get(check_id, "not exercised: no case reached this check")
        for verdict in judged:
            if verdict.problems:
                _add_failure(result, verdict, contract, seed, strict)
        if result.failure_count:
            result.status = "failed"
        elif result.warning_count:
            result.status = "warned"
        result.note = result.note or check.note([v.answer for v in judged])
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
