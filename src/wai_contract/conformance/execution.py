"""Sending a plan's jobs, several at a time, until they are done or the run must stop.

A run stops early, keeping everything judged so far, when: ``--max-requests`` is reached
(``budget``), the target answered only "busy" too often (``busy``), the same transport
failure repeated :data:`~.sender.SAME_FAILURES_TO_STOP` times in a row
(``same-failures``), the run's deadline passed (``deadline``), the user interrupted it
(``interrupted``: Ctrl-C or SIGTERM), or the target stopped serving (``target``). Requests
in flight are abandoned at once on all but the first two.

Requests of a kind that hangs are spared (see :mod:`.kinds`): a run against a server that
hangs on one kind of request waits out one timeout for it, not one per request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import TargetError
from .answers import Answer
from .cases import Case, Job
from .http import BudgetExhausted, Exchange, Outcome
from .kinds import Kind, KindGate, kind_of
from .sender import Sender, Stopped

if TYPE_CHECKING:
    from .engine import Verdict

BUSY_AFTER_JOBS = 20
"""Jobs judged before a run may stop early as too busy to judge."""
ABANDONING = frozenset({"same-failures", "deadline", "interrupted", "target"})


@dataclass(frozen=True)
class RunProgress:
    """How far a run is, for progress displays."""

    done: int
    total: int
    failures: int
    timeouts: int
    requests: int


Progress = Callable[[RunProgress], None]
Judge = Callable[[Answer], "list[Verdict]"]


@dataclass
class Execution:
    """The state of a run's jobs, shared by the threads that send them."""

    jobs: list[Job]
    limit: float
    results: list[list[Verdict]] = field(default_factory=list)
    inconclusive: list[str] = field(default_factory=list)
    judged: int = 0
    failing: int = 0
    """Jobs with a failure (for progress lines)."""
    done: int = 0
    stop: str | None = None
    error: TargetError | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    spared: dict[Kind, list[str]] = field(default_factory=dict)
    """Case ids not sent, by kind of request that hangs (see :mod:`.kinds`)."""
    spared_jobs: int = 0
    hung_by: dict[Kind, str] = field(default_factory=dict)
    """Kinds of request that hang, each with the case that timed out."""

    @property
    def too_busy(self) -> bool:
        """More jobs were inconclusive than the contract allows."""
        return bool(self.inconclusive) and len(self.inconclusive) > self.limit * self.judged

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
            self.halt("busy")

    def spare(self, kind: Kind, cases: Sequence[Case], *, whole_job: bool) -> None:
        """*cases* are not sent: their kind hangs (*whole_job*: nothing of their job was)."""
        with self.lock:
            self.spared.setdefault(kind, []).extend(c.id for c in cases)
            self.spared_jobs += whole_job

    def halt(self, reason: str, sender: Sender | None = None) -> None:
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
    return [verdict for answer in answers for verdict in judge(answer)], len(answers), timed_out


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
            admitted = "skip" if state.stop is not None else gate.admit(index)
        if admitted == "wait":
            return  # counted when the request it waits on comes back
        timed_out, released = None, []
        try:
            if admitted == "spare":
                state.spare(gate.kinds[index], jobs[index].cases, whole_job=True)
            elif admitted == "send":
                timed_out = _work(state, index, gate.kinds[index], sender, judge)
        finally:  # every job is counted, or the run would wait for it until its deadline
            with state.lock:
                if admitted == "send":
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
        while jobs and not finished.wait(_until(deadline)):
            if time.monotonic() >= deadline:
                state.halt("deadline", sender)
            if progress:  # also while nothing finishes: a stuck run still shows where it is
                with state.lock:
                    progress(_progress(state, sender))
    except KeyboardInterrupt:
        state.halt("interrupted", sender)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return state


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
        state.halt("budget")
    except Stopped:  # the job stays unjudged; only these two stop a send unannounced
        state.halt("same-failures" if sender.same_failures else "deadline", sender)
    except TargetError as exc:
        state.error = exc
        state.halt("target", sender)
    if sender.same_failures:
        state.halt("same-failures", sender)
    return timed_out


def _until(deadline: float) -> float:
    return max(0.0, min(1.0, deadline - time.monotonic()))


def _progress(state: Execution, sender: Sender) -> RunProgress:
    return RunProgress(
        state.done, len(state.jobs), state.failing, sender.timeouts, sender.budget.sent
    )
