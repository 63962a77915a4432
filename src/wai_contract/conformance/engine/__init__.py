"""The engine, the run's policy: send each job of the plan, offer every answer to every
enabled check, and gather the verdicts into a :class:`~..results.Report`.

Requests go through an injected ``httpx.Client`` (tests pass one with
``httpx.MockTransport``). Private helpers, one stage each: ``_preflight`` (one request
that shows whether the target can be judged at all), ``_schedule`` (several jobs at a time,
until done or stopped), ``_kinds`` (kinds of request that hang are spared), ``_slots``
(how many in flight), ``_sender`` (one case: token, budget, retries, stop), ``_shrink``
(failing generated bodies cut down).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from ..._version import __version__
from ...errors import ConfigError
from ...schemas import schema_identity
from .. import http
from ..answers import Answer
from ..cases import Case, Job
from ..checks import CHECKS
from ..contract import Contract, RunOptions, RunSettings, load_contract
from ..http.redact import redact_url
from ..merge import check_comparable, compare
from ..plan import Plan, make_plan
from ..problems import Problem
from ..results import Report, StopReason, Verdict, check_results, load_report
from ..target import Target
from ._kinds import describe
from ._preflight import preflight
from ._schedule import ABANDONING, Execution, Progress, RunProgress, execute, in_background
from ._sender import SAME_FAILURES_TO_STOP, RequestBudget, Sender
from ._shrink import shrink_failures
from ._slots import Slots

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
    transport: httpx.BaseTransport | None = None,
    progress: Progress | None = None,
    baseline: str | Path | Report | None = None,
) -> Report:
    """Run the contract's checks against *target* and return the report.

    *transport* is injected for tests (``httpx.MockTransport(...)``).
    *progress* gets a :class:`RunProgress` as jobs end. The run stops at its
    deadline (``RunOptions.deadline``, else scaled from the plan) and returns what it
    judged; Ctrl-C raises :class:`Interrupted`, which carries the partial report.
    *baseline*, an earlier report or its path, is compared in ``Report.comparison``.
    """
    contract = contract or load_contract()
    options = options or RunOptions()
    earlier = _baseline(baseline, options)
    settings = options.resolve(contract)
    strict = contract.strict if options.strict is None else options.strict
    started = datetime.now(UTC)
    clock = time.monotonic()
    the_plan = make_plan(bool(target.token), contract, settings, list(target.urls))
    the_plan = the_plan.part(options.shard)
    deadline = run_deadline(the_plan.jobs, settings)
    sender = _new_sender(target, transport, settings, options.max_requests, clock + deadline)
    try:
        state = _judge_plan(the_plan, sender, contract, settings, progress, clock + deadline)
        verdicts = [verdict for job in state.results for verdict in job]
        if options.shrink and state.stop not in ABANDONING:
            _shrink(verdicts, sender, contract, state)
    finally:
        if transport is None:  # the run's own
            sender.transport.close()
    report = Report(
        target=redact_url(target.url),
        started=started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        seconds=round(time.monotonic() - clock, 3),
        seed=settings.seed,
        max_examples=settings.max_examples,
        requests=sender.budget.sent,
        checks=check_results(verdicts, contract, the_plan.notes, settings.seed, strict),
        latencies_ms=sender.latencies_ms,
        contract=contract.source,
        version=__version__,
        notes=_run_notes(sender, state, deadline),
        strict=strict,
        faults=list(target.faults),
        readings=list(contract.readings) if "openai" in target.urls else [],
        shard=str(options.shard) if options.shard else None,
        **_outcome_of(state, sender.budget),
    )
    if earlier is not None:
        report.comparison = compare(report, earlier, _named(baseline))
    if state.stop is StopReason.INTERRUPTED:
        raise Interrupted(report)
    return report


def _new_sender(
    target: Target,
    transport: httpx.BaseTransport | None,
    settings: RunSettings,
    max_requests: int | None,
    deadline: float,
) -> Sender:
    """The run's sender: through *transport*, else a pool of the run's own."""
    slots = Slots(settings.concurrency, settings.max_concurrency)
    transport = transport or http.transport(slots.senders)
    budget = RequestBudget(max_requests, settings.requests_per_minute)
    return Sender(transport, target, settings.timeout, budget, deadline, slots)


def _baseline(baseline: str | Path | Report | None, options: RunOptions) -> Report | None:
    """The baseline report, read before anything is sent (a bad one fails the run at once)."""
    if options.shard is not None and baseline is not None:
        raise ConfigError(NO_BASELINE_FOR_A_PART)
    if baseline is None:
        return None
    earlier = load_report(baseline) if isinstance(baseline, str | Path) else baseline
    check_comparable(earlier, _named(baseline))
    return earlier


def _named(baseline: str | Path | Report | None) -> str:
    return str(baseline) if isinstance(baseline, str | Path) else "the baseline"


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
        state.stop = StopReason.INTERRUPTED


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


def _why(sender: Sender, deadline: float) -> StopReason:
    over = time.monotonic() >= deadline
    return StopReason.DEADLINE if over else StopReason.INTERRUPTED


def _run_notes(sender: Sender, state: Execution, seconds: float) -> list[str]:
    notes = []
    if sender.budget.retries:
        notes.append(f"{sender.budget.retries} transient answers (429, 408, 502-504) were retried")
    if sender.resent:
        notes.append(_resent_note(sender.resent))
    slots = sender.slots
    if slots.peak > slots.start:
        notes.append(
            f"requests in flight grew from {slots.start} to {slots.peak} while answers were "
            f"slow (the fastest slow one {slots.fastest:.1f} s) and none queued"
        )
    unsent = f"; {state.unsent} of {len(state.jobs)} cases were not sent or not finished"
    stop = state.stop
    if stop is StopReason.BUDGET:
        notes.append(f"stopped early: --max-requests {sender.budget.limit} reached{unsent}")
    elif stop is StopReason.BUSY:
        notes.append(
            f"stopped early: {len(state.inconclusive)} of the first {state.judged} cases got "
            "only transient answers; the target was too busy to judge"
        )
    elif stop is StopReason.SAME_FAILURES:
        notes.append(
            f"stopped early: {SAME_FAILURES_TO_STOP} requests in a row failed the same way "
            f"({sender.streak[0]}){unsent}"
        )
    elif stop is StopReason.DEADLINE:
        notes.append(f"stopped early: the run's deadline ({seconds:g} s) passed{unsent}")
    elif stop is StopReason.INTERRUPTED:
        notes.append(f"interrupted{unsent}")
    for kind, ids in state.spared.items():
        shown = ", ".join(ids[:10]) + (", …" if len(ids) > 10 else "")
        notes.append(
            f"not sent: {len(ids)} cases of a kind the target hangs on ({describe(kind)}), "
            f"since {state.hung_by[kind]} timed out: {shown}"
        )
    return notes


def _resent_note(resent: list[tuple[str, str | None, int | None]]) -> str:
    """Which answers the server closed a kept-alive connection after, and what was resent."""
    case, after, status = resent[0]
    answer = f"the answer to {after or 'an earlier request'}" + (f" ({status})" if status else "")
    more = f" ({len(resent) - 1} more times)" if len(resent) > 1 else ""
    return (
        f"the server closed a kept-alive connection after {answer}: {case}, which went out on "
        f"it next, was sent again on another{more}; each case is judged by its own answer"
    )


__all__ = ["Interrupted", "RunProgress", "judge", "plan", "run", "run_deadline"]
