"""The schedule: a plan's jobs sent several at a time, until they are done or the run must
stop.

A run stops early, keeping everything judged so far, for a :class:`~..results.StopReason`:
``--max-requests`` is reached, the target answered only "busy" too often, the same
transport failure repeated :data:`~._sender.SAME_FAILURES_TO_STOP` times in a row, the
run's deadline passed, the user interrupted it (Ctrl-C or SIGTERM), or the target stopped
serving. Requests in flight are abandoned at once on all but the first two.

Requests of a kind that hangs are spared (see :mod:`._kinds`): a run against a server that
hangs on one kind of request waits out one timeout for it, not one per request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ...errors import TargetError
from ..answers import Answer
from ..cases import Case, Job
from ..http import Exchange, Outcome
from ..results import StopReason, Verdict
from ._kinds import Admission, Kind, KindGate, kind_of
from ._sender import BudgetExhausted, Sender, Stopped

BUSY_AFTER_JOBS = 20
"""Jobs judged before a run may stop early as too busy to judge."""
ABANDONING = frozenset(
    {StopReason.SAME_FAILURES, StopReason.DEADLINE, StopReason.INTERRUPTED, StopReason.TARGET}
)


@dataclass(frozen=True)
class RunProgress:
    """How far a run is, for progress displays."""

    done: int
    total: int
    failures: int
    timeouts: int
    requests: int


Progress = Callable[[RunProgress], None]
Judge = Callable[[Answer], list[Verdict]]


@dataclass
class Execution:
    """The state of a run's jobs, shared by the threads that send them."""

    jobs: list[Job]
    inconclusive_limit: float
    """The share of judged jobs that may stay inconclusive (the contract's)."""
    results: list[list[Verdict]] = field(default_factory=list)
    inconclusive: list[str] = field(default_factory=list)
    judged: int = 0
    failing: int = 0
    """Jobs with a failure (for progress lines)."""
    done: int = 0
    stop: StopReason | None = None
    error: TargetError | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    spared: dict[Kind, list[str]] = field(default_factory=dict)
    """Case ids not sent, by kind of request that hangs (see :mod:`._kinds`)."""
    spared_jobs: int = 0
    hung_by: dict[Kind, str] = field(default_factory=dict)
    """Kinds of request that hang, each with the case that timed out."""

    @property
    def too_busy(self) -> bool:
        """More jobs were inconclusive than the contract allows."""
        share = self.inconclusive_limit * self.judged
        return bool(self.inconclusive) and len(self.inconclusive) > share

    @property
    def unsent(self) -> int:
        """Jobs neither judged, inconclusive nor spared (the run stopped before them)."""
        return len(self.jobs) - self.judged - self.spared_jobs

    def record(self, index: int, verdicts: list[Verdict] | None) -> None:
        with self.lock:
            self.judged += 1
            if verdicts is None:
                self.inconclusive.append(self.jobs[index].cases[0].id)
            else:
                self.results[index] = verdicts
                self.failing += any(p for v in verdicts for p in v.problems if not p.warning)
        if self.judged >= BUSY_AFTER_JOBS and self.too_busy:
            self.halt(StopReason.BUSY)

    def spare(self, kind: Kind, cases: Sequence[Case], *, whole_job: bool) -> None:
        """*cases* are not sent: their kind hangs (*whole_job*: nothing of their job was)."""
        with self.lock:
            self.spared.setdefault(kind, []).extend(c.id for c in cases)
            self.spared_jobs += whole_job

    def halt(self, reason: StopReason, sender: Sender | None = None) -> None:
        with self.lock:
            self.stop = self.stop or reason
        if sender is not None and reason in ABANDONING:
            sender.stop.set()


def run_job(job: Job, sender: Sender, judge: Judge) -> tuple[list[Verdict] | None, int, str | None]:
    """Send the job's cases and judge the answers: the verdicts, how many cases were sent,
    and the id of the case that timed out, if one did. The verdicts are ``None`` when an
    answer stayed transient (the job is inconclusive: a busy target is not a wrong one).
    After a timeout the job's other cases are not sent (each would wait out the timeout
    too). Anything that goes wrong with one case is that case's failure, never the run's
    end."""
    answers: list[Answer] = []
    timed_out = None
    for case in job.cases:
        try:
            outcome = sender(case)
        except (BudgetExhausted, Stopped, TargetError):
            raise
        except Exception as exc:  # a peer that broke something the reader did not foresee
            exchange = Exchange("POST", "", case.body, case.authorised)
            exchange.error = f"runner: {type(exc).__name__}: {sender.redactor.text(str(exc))}"
            outcome = Outcome(exchange)
        answers.append(Answer(case, outcome, tuple(answers)))
        if outcome.transient:
            return None, len(answers), None
        if (outcome.exchange.error or "").startswith("timeout"):
            timed_out = case.id
            break
    verdicts = [verdict for answer in answers for verdict in judge(answer)]
    for answer in answers:  # a run keeps what its report needs, not every answer whole
        answer.release()
    return verdicts, len(answers), timed_out


def execute(
    jobs: list[Job],
    sender: Sender,
    judge: Judge,
    *,
    concurrency: int,
    inconclusive_limit: float,
    deadline: float,
    progress: Progress | None = None,
) -> Execution:
    """Run *jobs* until done or stopped (see the module's docstring); *deadline* is a
    ``time.monotonic()`` value. Ctrl-C stops the run and returns what it judged."""
    state = Execution(jobs, inconclusive_limit)
    state.results = [[] for _ in jobs]
    gate = KindGate([kind_of(job) for job in jobs])
    state.hung_by = gate.hung_by
    finished = threading.Event()

    def work(index: int) -> None:
        with state.lock:
            admitted = Admission.SKIP if state.stop is not None else gate.admit(index)
        if admitted is Admission.WAIT:
            return  # counted when the request it waits on comes back
        timed_out, released = None, []
        try:
            if admitted is Admission.SPARE:
                state.spare(gate.kinds[index], jobs[index].cases, whole_job=True)
            elif admitted is Admission.SEND:
                timed_out = _work(state, index, gate.kinds[index], sender, judge)
        finally:  # every job is counted, or the run would wait for it until its deadline
            with state.lock:
                if admitted is Admission.SEND:
                    released = gate.finish(index, timed_out)
                count_done()
            for waited in released:
                try:
                    pool.submit(work, waited)
                except RuntimeError:  # the pool is shutting down: the run is over
                    with state.lock:
                        count_done()

    def count_done() -> None:  # with state.lock held
        state.done += 1
        if state.done == len(jobs):
            finished.set()
        if progress:
            progress(_progress(state, sender))

    workers = max(1, concurrency, sender.slots.senders)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wai")
    try:
        for index in gate.first_of_each_kind_first():
            pool.submit(work, index)
        _wait(finished, state, sender, deadline, progress)
    except KeyboardInterrupt:
        state.halt(StopReason.INTERRUPTED, sender)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return state


def _wait(
    finished: threading.Event,
    state: Execution,
    sender: Sender,
    deadline: float,
    progress: Progress | None,
) -> None:
    """Until every job is done, or the deadline: progress shown meanwhile, also while
    nothing finishes (a stuck run still shows where it is)."""
    while state.jobs and not finished.wait(_until(deadline)):
        if time.monotonic() >= deadline:
            state.halt(StopReason.DEADLINE, sender)
        if progress:
            with state.lock:
                progress(_progress(state, sender))


def in_background(work: Callable[[], None], sender: Sender, deadline: float) -> bool:
    """Run *work* in a thread while this one waits, so that Ctrl-C (delivered to the main
    thread) and the deadline stop it at once; False when they did. Its exceptions, other
    than the stop itself, are raised here."""
    failed: list[BaseException] = []

    def body() -> None:
        try:
            work()
        except Stopped:
            pass
        except BaseException as exc:  # handed to the waiting thread
            failed.append(exc)

    thread = threading.Thread(target=body, name="wai-preflight", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(_until(deadline))
            if time.monotonic() >= deadline:
                sender.stop.set()
    except KeyboardInterrupt:
        sender.stop.set()
        thread.join()
    if failed:
        raise failed[0]
    return not sender.stop.is_set()


def _work(state: Execution, index: int, kind: Kind, sender: Sender, judge: Judge) -> str | None:
    """Send and judge job *index* (of *kind*); the id of a case of it that timed out, if one
    did (its cases after that one are not sent, and counted as spared)."""
    timed_out = None
    try:
        job = state.jobs[index]
        verdicts, sent, timed_out = run_job(job, sender, judge)
        state.record(index, verdicts)
        if timed_out is not None and sent < len(job.cases):
            state.spare(kind, job.cases[sent:], whole_job=False)
    except BudgetExhausted:
        state.halt(StopReason.BUDGET)
    except Stopped:  # the job stays unjudged; only these two stop a send unannounced
        why = StopReason.SAME_FAILURES if sender.same_failures else StopReason.DEADLINE
        state.halt(why, sender)
    except TargetError as exc:
        state.error = exc
        state.halt(StopReason.TARGET, sender)
    if sender.same_failures:
        state.halt(StopReason.SAME_FAILURES, sender)
    return timed_out


def _until(deadline: float) -> float:
    return max(0.0, min(1.0, deadline - time.monotonic()))


def _progress(state: Execution, sender: Sender) -> RunProgress:
    return RunProgress(
        state.done, len(state.jobs), state.failing, sender.timeouts, sender.budget.sent
    )
