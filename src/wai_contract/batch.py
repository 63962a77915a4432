"""Lint many bodies from many sources, on every core when the input is large.

A large ``.jsonl`` file is cut at line boundaries into byte ranges; worker processes read
and lint their ranges and render the results in the chosen (stateless) format, and the
parent writes the rendered text in file order. Everything else is linted in-process.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import mmap
import os
import signal
import struct
import sys
import time
from collections.abc import Iterator, Sequence
from typing import BinaryIO, NoReturn, TextIO

from .errors import WaiContractError
from .lint import lint
from .report.lint import LINT_FORMATS, LineReporter, LintSummary
from .sources import StdinFormat, iter_bodies

PARALLEL_MIN_BYTES = 4 << 20
"""A .jsonl file at least this large is linted by worker processes."""

_CHUNK_BYTES = 2 << 20

_CAN_FORK = hasattr(os, "fork")  # elsewhere (Windows) everything is linted in-process

Counts = tuple[int, int, int, int]  # bodies, invalid, errors, warnings


def default_jobs() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def lint_files(
    files: Sequence[str],
    fmt: str,
    out: TextIO,
    *,
    jobs: int = 1,
    stdin: BinaryIO | None = None,
    stdin_format: StdinFormat = "auto",
) -> LintSummary:
    """Lint every body of *files* (from :func:`~wai_contract.sources.expand`), writing
    format *fmt* to *out*, and return the counts."""
    reporter = LINT_FORMATS[fmt](out)
    summary = LintSummary(sources=len(files))
    positions = fmt != "json"
    started = time.perf_counter()
    for group, parallel in _groups(files, jobs, isinstance(reporter, LineReporter)):
        if parallel:
            for text, counts in _lint_in_workers(group[0], fmt, positions, jobs):
                out.write(text)
                summary.bodies += counts[0]
                summary.invalid += counts[1]
                summary.errors += counts[2]
                summary.warnings += counts[3]
            continue
        for body in iter_bodies(group, stdin=stdin, stdin_format=stdin_format):
            result = lint(body.data, source=body.source, line=body.line, positions=positions)
            summary.add(result)
            reporter.add(result)
    summary.seconds = time.perf_counter() - started
    if summary.bodies:
        reporter.close(summary)
    return summary


def _groups(files: Sequence[str], jobs: int, streams: bool) -> Iterator[tuple[list[str], bool]]:
    """Runs of files to lint in-process, and single large JSONL files for the workers."""
    run: list[str] = []
    for path in files:
        if (
            jobs > 1
            and _CAN_FORK
            and streams
            and path.endswith(".jsonl")
            and _size(path) >= PARALLEL_MIN_BYTES
        ):
            if run:
                yield run, False
                run = []
            yield [path], True
        else:
            run.append(path)
    if run:
        yield run, False


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0  # unreadable: the in-process reader reports it


def _lint_in_workers(
    path: str, fmt: str, positions: bool, jobs: int
) -> Iterator[tuple[str, Counts]]:
    """Fork *jobs* workers; worker ``w`` lints ranges ``w, w + jobs, ...`` and sends each
    rendered range down its own pipe, and the parent reads range ``k`` from worker
    ``k % jobs``, so the output keeps file order.

    Plain ``fork`` and pipes rather than :mod:`multiprocessing`: its pool costs more to
    import and start (about 25 ms) than a whole 2 MB range takes to lint.
    """
    gc.freeze()  # keep the parent's objects out of the workers' collections
    workers: list[tuple[int, BinaryIO]] = []
    finished = False
    try:
        for worker in range(jobs):
            read_end, write_end = os.pipe()
            _widen(write_end)
            pid = os.fork()
            if pid == 0:  # the worker: never returns
                os.close(read_end)
                for _, earlier in workers:
                    earlier.close()
                _work(path, fmt, positions, worker, jobs, write_end)
            os.close(write_end)
            workers.append((pid, os.fdopen(read_end, "rb")))
        for k in itertools.count():
            frame = _read_frame(workers[k % jobs][1])
            if frame is None:
                break
            yield frame
        finished = True
    finally:
        failed = []
        for pid, results in workers:
            results.close()
            if not finished:  # stopped early: by an error, or a closed stdout
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGTERM)
            if os.waitpid(pid, 0)[1]:
                failed.append(pid)
        gc.unfreeze()
    if failed:  # a worker that died without a word, e.g. killed for memory
        raise WaiContractError(f"{len(failed)} lint worker(s) stopped before their end")


def _widen(fd: int) -> None:
    """Let a worker run ahead of the reader by 1 MiB of output, where Linux allows it."""
    with contextlib.suppress(ImportError, OSError):
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)


_HEADER = struct.Struct("<BQQQQQ")  # status, payload length, then the four counts
_OK, _FAILED = 0, 1


def _read_frame(results: BinaryIO) -> tuple[str, Counts] | None:
    """The next rendered range from a worker; None when the worker has no more."""
    header = results.read(_HEADER.size)
    if not header:
        return None
    if len(header) < _HEADER.size:
        raise WaiContractError("a lint worker stopped in the middle of its output")
    status, length, *counts = _HEADER.unpack(header)
    payload = results.read(length).decode("utf-8")
    if status != _OK:
        raise WaiContractError(f"a lint worker failed: {payload}")
    bodies, invalid, errors, warnings = counts
    return payload, (bodies, invalid, errors, warnings)


def _work(path: str, fmt: str, positions: bool, worker: int, jobs: int, fd: int) -> NoReturn:
    """A worker's life: lint every ``jobs``-th range from ``worker`` on, send each, exit."""
    code = 0
    out = os.fdopen(fd, "wb")
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent reports an interrupt
        for task in itertools.islice(_ranges(path, fmt, positions), worker, None, jobs):
            text, counts = _lint_range(task)
            payload = text.encode("utf-8")
            out.write(_HEADER.pack(_OK, len(payload), *counts))
            out.write(payload)
            out.flush()
    except BrokenPipeError:
        pass  # the parent stopped reading: nothing left to do
    except BaseException as exc:  # reported to the parent, which raises
        code = 1
        message = f"{type(exc).__name__}: {exc}".encode()
        with contextlib.suppress(OSError):
            out.write(_HEADER.pack(_FAILED, len(message), 0, 0, 0, 0) + message)
            out.flush()
    finally:
        os._exit(code)  # skip the parent's exit handlers and buffered output


def _ranges(path: str, fmt: str, positions: bool) -> Iterator[tuple[str, int, int, int, str, bool]]:
    """(path, start, end, first line, format, positions) for each newline-aligned range."""
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
        size, start, line = len(view), 0, 1
        find = view.find
        while start < size:
            cut = find(b"\n", min(start + _CHUNK_BYTES, size - 1))
            end = size if cut < 0 else cut + 1
            yield path, start, end, line, fmt, positions
            # Count the range's newlines in place: slicing an mmap copies.
            at = find(b"\n", start, end)
            while at >= 0:
                line += 1
                at = find(b"\n", at + 1, end)
            start = end


_WORKER_REPORTERS: dict[str, LineReporter] = {}


def _lint_range(task: tuple[str, int, int, int, str, bool]) -> tuple[str, Counts]:
    path, start, end, first_line, fmt, positions = task
    reporter = _WORKER_REPORTERS.get(fmt)
    if reporter is None:
        made = LINT_FORMATS[fmt](sys.stdout)
        assert isinstance(made, LineReporter)
        reporter = _WORKER_REPORTERS[fmt] = made
    rendered: list[str] = []
    bodies = invalid = errors = warnings = 0
    number = first_line
    # Lines are parsed from views into a mapping of the file: reading and splitting the
    # range would copy every byte twice. Parsed bodies are acyclic and short-lived, so
    # cyclic GC passes over them are wasted work.
    gc.disable()
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
        find, whole = view.find, memoryview(view)
        try:
            while start < end:
                stop = find(b"\n", start, end)
                if stop < 0:
                    stop = end
                first, last = start, stop  # strip as bytes.strip() does
                while first < last and view[first] in _BLANK:
                    first += 1
                while last > first and view[last - 1] in _BLANK:
                    last -= 1
                if first < last:
                    with whole[first:last] as line:
                        result = lint(line, source=path, line=number, positions=positions)
                    bodies += 1
                    invalid += not result.valid
                    errors += len(result.errors)
                    warnings += len(result.warnings)
                    rendered.append(reporter.render(result))
                number += 1
                start = stop + 1
        finally:
            whole.release()
            gc.enable()
    return "".join(rendered), (bodies, invalid, errors, warnings)


_BLANK = frozenset(b" \t\n\r\x0b\x0c")
"""The bytes that ``bytes.strip()`` removes: JSONL lines are stripped of them."""
