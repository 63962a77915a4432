"""Run a function over many tasks in forked worker processes, yielding results in order.

Plain ``fork`` and pipes rather than :mod:`multiprocessing`, whose pool costs more to import
and start (about 25 ms) than two 1 MB ranges of bodies take to lint. Each worker has a task
pipe and a result pipe. The parent hands out the next task to whichever worker has just
returned one (two in flight each, so no worker waits for the parent), and yields the
results in task order. A task is a few integers; a result is a payload of bytes and a few
integer counts. A worker that raises, or dies, becomes a :class:`~wai_contract.errors.WorkerError`.
"""

from __future__ import annotations

import contextlib
import gc
import os
import select
import signal
import struct
from collections.abc import Callable, Iterator

from ..errors import WorkerError

CAN_FORK = hasattr(os, "fork")
"""False where there is no ``fork`` (Windows): callers then work in-process."""

Task = tuple[int, int, int]
Result = tuple[bytes, tuple[int, int, int, int]]

_TASK = struct.Struct("<QQQQ")  # task number, then the task's three integers
_RESULT = struct.Struct("<QBQQQQQ")  # task number, status, payload length, four counts
_OK, _FAILED = 0, 1
_IN_FLIGHT = 2
_STOPPED = "a worker process stopped in the middle of its work"


def map_in_forks(
    work: Callable[[Task], Result], tasks: Iterator[Task], jobs: int
) -> Iterator[Result]:
    """Yield ``work(task)`` for every task, in order, computed by *jobs* forked workers."""
    gc.freeze()  # keep the parent's objects out of the workers' collections
    workers: list[_Worker] = []
    finished = False
    try:
        for _ in range(jobs):
            workers.append(_Worker.fork(work, workers))
        yield from _dispatch(workers, tasks)
        finished = True
    finally:
        failed = [worker for worker in workers if not worker.stop(kill=not finished)]
        gc.unfreeze()
    if failed:  # a worker that died without a word, e.g. killed for memory
        raise WorkerError(f"{len(failed)} worker process(es) stopped before their end")


def _dispatch(workers: list[_Worker], tasks: Iterator[Task]) -> Iterator[Result]:
    numbered = enumerate(tasks)
    done: dict[int, Result] = {}
    wanted = 0  # the next task number to yield
    by_fd = {worker.results: worker for worker in workers}
    ready = select.poll()  # not select(): it fails on descriptors numbered over 1023
    for worker in workers:
        worker.feed(numbered, _IN_FLIGHT)
        ready.register(worker.results, select.POLLIN)
    # A worker that ended early is read on until its pipe says why, which raises.
    while any(worker.in_flight or worker.ended for worker in workers):
        for fd, _ in ready.poll():
            worker = by_fd[fd]
            for number, result in worker.receive():
                done[number] = result
            worker.feed(numbered, _IN_FLIGHT)
        while wanted in done:
            yield done.pop(wanted)
            wanted += 1


class _Worker:
    """The parent's handle on one forked worker."""

    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid, self.tasks, self.results = pid, tasks, results
        self.in_flight = 0
        self.ended = False  # its task pipe broke: only its last words are left to read
        self._buffer = bytearray()

    @classmethod
    def fork(cls, work: Callable[[Task], Result], siblings: list[_Worker]) -> _Worker:
        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        _widen(result_write)
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            for fd in (task_write, result_read, *(f for s in siblings for f in s.fds)):
                os.close(fd)
            _serve(work, task_read, result_write)
        os.close(task_read)
        os.close(result_write)
        return cls(pid, task_write, result_read)

    @property
    def fds(self) -> tuple[int, int]:
        return self.tasks, self.results

    def feed(self, numbered: Iterator[tuple[int, Task]], depth: int) -> None:
        """Send tasks until *depth* are in flight or none are left (or the worker has
        stopped reading them)."""
        while self.in_flight < depth and not self.ended:
            item = next(numbered, None)
            if item is None:
                return
            number, task = item
            try:
                os.write(self.tasks, _TASK.pack(number, *task))
            except BrokenPipeError:  # it has stopped; its result pipe tells why
                self.ended = True
                return
            self.in_flight += 1

    def receive(self) -> Iterator[tuple[int, Result]]:
        """The results that have fully arrived since the last call."""
        chunk = os.read(self.results, 1 << 20)
        if not chunk:
            raise WorkerError(_STOPPED)
        self._buffer += chunk
        while len(self._buffer) >= _RESULT.size:
            number, status, length, *counts = _RESULT.unpack_from(self._buffer)
            end = _RESULT.size + length
            if len(self._buffer) < end:
                return
            payload = bytes(self._buffer[_RESULT.size : end])
            del self._buffer[:end]
            if status != _OK:
                raise WorkerError(f"a worker process failed: {payload.decode()}")
            self.in_flight -= 1
            yield number, (payload, (counts[0], counts[1], counts[2], counts[3]))

    def stop(self, *, kill: bool) -> bool:
        """Close the pipes (which ends the worker) and wait for it: whether it ended well.
        With *kill*, the work was abandoned: the worker is terminated, and that is well."""
        for fd in self.fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        if kill:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGTERM)
        status = os.waitpid(self.pid, 0)[1]
        return kill or status == 0


def _widen(fd: int) -> None:
    """Let a worker run ahead of the reader by 1 MiB of output, where Linux allows it."""
    with contextlib.suppress(ImportError, OSError):
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)


def _serve(work: Callable[[Task], Result], tasks: int, results: int) -> None:
    """A worker's life: do each task that arrives and send its result, until the task
    pipe closes; then exit without running the parent's exit handlers."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent reports an interrupt
        with os.fdopen(tasks, "rb") as incoming, os.fdopen(results, "wb") as out:
            while header := incoming.read(_TASK.size):
                number, *task = _TASK.unpack(header)
                try:
                    payload, counts = work((task[0], task[1], task[2]))
                except Exception as exc:  # reported to the parent, which raises
                    message = f"{type(exc).__name__}: {exc}".encode()
                    out.write(_RESULT.pack(number, _FAILED, len(message), 0, 0, 0, 0) + message)
                    code = 1
                    break
                out.write(_RESULT.pack(number, _OK, len(payload), *counts))
                out.write(payload)
                out.flush()
    except BrokenPipeError:
        pass  # the parent stopped reading: nothing left to do
    except BaseException:
        code = 1
    finally:
        os._exit(code)
