"""The engine: send each job of the plan, offer every answer to every enabled check, and
gather the verdicts into a :class:`~.results.Report`.

Requests go through an injected ``httpx.Client`` (tests pass one with
``httpx.MockTransport``), several jobs at a time, each answer read completely within its
timeout. Failures of generated bodies are then shrunk (see :mod:`.shrink`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from .. import __version__
from ..errors import TargetError
from ..schemas import schema_identity
from .answers import Answer
from .cases import Case, Job
from .checks import CHECKS
from .checks.auth import WRONG_TOKEN
from .contract import Contract, RunSettings, load_contract
from .http import BudgetExhausted, Outcome, RequestBudget, default_client, send
from .plan import Plan, RunOptions, make_plan
from .preflight import preflight
from .problems import Problem
from .results import CaseResult, CheckResult, Report, compare, load_report
from .shrink import shrink_failures
from .target import Target, percent_encoded

FAILURES_KEPT = 25
HANGS_BEFORE_SHORTER_TIMEOUT = 5
SHORTER_TIMEOUT = 5.0
BUSY_AFTER_JOBS = 20
"""Jobs judged before a run may stop early as too busy to judge."""

Progress = Callable[[int, int], None]


@dataclass
class Verdict:
    """What one check said of one answer (no problems: the case passed)."""

    check: str
    answer: Answer
    problems: list[Problem]
    shrunk_from: int | None = None
    """Size in bytes of the body before shrinking replaced *answer*, when it did."""


@dataclass
class Sender:
    """Sends cases with the right token, and counts how often the server hung."""

    client: httpx.Client
    target: Target
    timeout: float
    budget: RequestBudget
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies_ms: list[float] = field(default_factory=list)
    timeouts: int = 0

    @property
    def current_timeout(self) -> float:
        """The timeout, cut short once the server has hung several times, so that a server
        that hangs on many inputs still gets a report in reasonable time."""
        if self.timeouts >= HANGS_BEFORE_SHORTER_TIMEOUT:
            return min(self.timeout, SHORTER_TIMEOUT)
        return self.timeout

    def __call__(self, case: Case) -> Outcome:
        token = {"given": self.target.token, "none": None, "wrong": WRONG_TOKEN}[case.token]
        url = self.target.urls[case.surface]
        url = percent_encoded(url) if case.percent_encoded else url
        outcome = send(
            self.client,
            url,
            case.body,
            token=token,
            timeout=self.current_timeout,
            budget=self.budget,
        )
        with self.lock:
            self.latencies_ms.append(round(outcome.exchange.elapsed_ms, 2))
            if (outcome.exchange.error or "").startswith("timeout"):
                self.timeouts += 1
        return outcome


def plan(
    target: Target, contract: Contract | None = None, options: RunOptions | None = None
) -> list[Case]:
    """The requests a run would send, in order, without sending any."""
    contract = contract or load_contract()
    settings = (options or RunOptions()).resolve(contract)
    return make_plan(bool(target.token), contract, settings, list(target.urls)).cases


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

    *client* is injected for tests (``httpx.Client(transport=httpx.MockTransport(...))``);
    by default one is made with the run's concurrency. *progress* is called with
    (jobs done, jobs planned) as the run goes. *baseline*, an earlier report or the path
    of its ``report.json``, is compared with this run (``Report.comparison``).
    """
    contract = contract or load_contract()
    options = options or RunOptions()
    earlier = load_report(baseline) if isinstance(baseline, str | Path) else baseline
    baseline_name = str(baseline) if isinstance(baseline, str | Path) else "the baseline"
    settings = options.resolve(contract)
    strict = contract.strict if options.strict is None else options.strict
    started = datetime.now(UTC)
    clock = time.monotonic()
    the_plan = make_plan(bool(target.token), contract, settings, list(target.urls))
    own_client = client is None
    if client is None:
        client = default_client(settings.concurrency, f"wai-contract/{__version__}")
    budget = RequestBudget(options.max_requests, settings.requests_per_minute)
    sender = Sender(client, target, settings.timeout, budget)
    notes: list[str] = []
    try:
        preflight(sender)
        state = _execute(the_plan, sender, contract, settings, progress, notes)
        verdicts = [verdict for job in state.results for verdict in job]
        if options.shrink:
            shrink_failures(verdicts, sender, contract)
    finally:
        if own_client:
            client.close()
    report = Report(
        target=target.url,
        started=started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        seconds=round(time.monotonic() - clock, 3),
        seed=settings.seed,
        max_examples=settings.max_examples,
        requests=sender.budget.sent,
        checks=_check_results(verdicts, contract, the_plan.notes, settings.seed, strict),
        latencies_ms=sender.latencies_ms,
        contract=contract.source,
        version=__version__,
        notes=notes,
        strict=strict,
        inconclusive=state.inconclusive,
        too_busy=state.too_busy,
        schema=schema_identity("input"),
    )
    if earlier is not None:
        report.comparison = compare(report, earlier, baseline_name)
    return report


def judge(answer: Answer, contract: Contract) -> list[Verdict]:
    """Offer *answer* to every enabled check; the verdicts of those that judge it."""
    verdicts = []
    for check_id, check in CHECKS.items():
        if contract.enabled(check_id):
            problems = check.judge(answer, contract.settings(check_id))
            if problems is not None:
                verdicts.append(Verdict(check_id, answer, problems))
    return verdicts


def _run_job(job: Job, sender: Sender, contract: Contract) -> list[Verdict] | None:
    """Send the job's cases and judge the answers; ``None`` when an answer stayed
    transient (the job is inconclusive: a busy target is not a wrong one)."""
    answers: list[Answer] = []
    for case in job.cases:
        answers.append(Answer(case, sender(case), tuple(answers)))
        if answers[-1].outcome.transient:
            return None
    return [verdict for answer in answers for verdict in judge(answer, contract)]


@dataclass
class _Execution:
    """The state of a run's jobs, shared by the threads that send them."""

    jobs: list[Job]
    limit: float
    results: list[list[Verdict]] = field(default_factory=list)
    inconclusive: list[str] = field(default_factory=list)
    judged: int = 0
    done: int = 0
    stop: str | None = None
    error: BaseException | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def too_busy(self) -> bool:
        """More jobs were inconclusive than the contract allows."""
        return bool(self.inconclusive) and len(self.inconclusive) > self.limit * self.judged

    def record(self, index: int, verdicts: list[Verdict] | None) -> None:
        with self.lock:
            self.judged += 1
            if verdicts is None:
                self.inconclusive.append(self.jobs[index].cases[0].id)
            else:
                self.results[index] = verdicts
            if self.judged >= BUSY_AFTER_JOBS and self.too_busy and self.stop is None:
                self.stop = "busy"


def _execute(
    the_plan: Plan,
    sender: Sender,
    contract: Contract,
    settings: RunSettings,
    progress: Progress | None,
    notes: list[str],
) -> _Execution:
    state = _Execution(the_plan.jobs, settings.inconclusive_limit)
    state.results = [[] for _ in state.jobs]

    def work(index: int) -> None:
        if state.stop is None:
            try:
                state.record(index, _run_job(state.jobs[index], sender, contract))
            except BudgetExhausted:
                state.stop = state.stop or "budget"
            except TargetError as exc:
                state.stop, state.error = "target", exc
        with state.lock:
            state.done += 1
            if progress:
                progress(state.done, len(state.jobs))

    with ThreadPoolExecutor(
        max_workers=max(1, settings.concurrency), thread_name_prefix="wai"
    ) as pool:
        list(pool.map(work, range(len(state.jobs))))
    if state.error is not None:
        raise state.error
    notes += _run_notes(sender, state)
    return state


def _run_notes(sender: Sender, state: _Execution) -> list[str]:
    notes = []
    if sender.timeouts >= HANGS_BEFORE_SHORTER_TIMEOUT and sender.timeout > SHORTER_TIMEOUT:
        notes.append(
            f"after {HANGS_BEFORE_SHORTER_TIMEOUT} timeouts the remaining requests "
            f"waited at most {SHORTER_TIMEOUT:g} s each ({sender.timeouts} timeouts in all)"
        )
    if sender.budget.retries:
        notes.append(f"{sender.budget.retries} transient answers (429, 408, 502-504) were retried")
    if state.stop == "budget":
        notes.append(
            f"stopped early: --max-requests {sender.budget.limit} reached; "
            "later cases were not sent"
        )
    if state.stop == "busy":
        notes.append(
            f"stopped early: {len(state.inconclusive)} of the first {state.judged} cases got "
            "only transient answers; the target was too busy to judge"
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
        if len(result.warnings) < FAILURES_KEPT:
            result.warnings.append(failure)
        return
    result.failure_count += 1
    if len(result.failures) < FAILURES_KEPT:
        result.failures.append(failure)
