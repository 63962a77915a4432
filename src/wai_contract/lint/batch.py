"""Lint many bodies from many sources, on every core when the input is large.

A large ``.jsonl`` file is cut at line boundaries into byte ranges; worker processes read
and lint their ranges and render the results in the chosen (stateless) format, and the
parent writes the rendered text in file order. Everything else is linted in-process.
"""

from __future__ import annotations

import contextlib
import gc
import mmap
import os
import sys
import time
from collections.abc import Generator, Iterator, Sequence
from typing import BinaryIO, TextIO, TypedDict, cast

from ..errors import SourceError
from . import lint
from .forks import CAN_FORK, Result, Task, map_in_forks
from .openai import READINGS, Api, Reading
from .reporters import LINT_FORMATS, LineReporter, LintSummary
from .sources import STDIN_NAME, StdinFormat, iter_bodies


class _How(TypedDict):
    """How each body is judged: :func:`~wai_contract.lint`'s *api* and *readings*."""

    api: Api
    readings: tuple[Reading, ...]


PARALLEL_MIN_BYTES = 1 << 20
"""A .jsonl file at least this large is linted by worker processes."""

_CHUNK_BYTES = 1 << 20
"""Bytes per worker task at most ..."""
_TASKS_PER_JOB = 8
"""... and at least this many tasks per worker, so that none is left with the last big one."""
_MIN_CHUNK_BYTES = 128 << 10


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
    api: Api = "auto",
    readings: tuple[Reading, ...] = READINGS,
) -> LintSummary:
    """Lint every body of *files* (from :func:`~wai_contract.lint.sources.expand`), writing
    format *fmt* to *out*, and return the counts; *api* and *readings* as
    :func:`~wai_contract.lint`."""
    how: _How = {"api": api, "readings": readings}
    gathered = _Gathered(out)
    reporter = LINT_FORMATS[fmt](cast(TextIO, gathered))
    summary = LintSummary(sources=len(files))
    positions = fmt != "json"
    started = time.perf_counter()
    try:
        for group, parallel in _groups(files, jobs):
            if parallel:
                for text, counts in _lint_in_workers(group[0], fmt, positions, jobs, how):
                    reporter.write(text)
                    summary.bodies += counts[0]
                    summary.invalid += counts[1]
                    summary.errors += counts[2]
                    summary.warnings += counts[3]
                continue
            for body in iter_bodies(group, stdin=stdin, stdin_format=stdin_format):
                result = lint(
                    body.data, source=body.source, line=body.line, positions=positions, **how
                )
                summary.add(result)
                reporter.add(result)
                if body.source == STDIN_NAME:
                    gathered.flush(through=True)  # answered before the next body arrives
        summary.seconds = time.perf_counter() - started
        if summary.bodies:
            reporter.close(summary)
    except BaseException:  # an unreadable file, Ctrl-C: what was written is ended well
        reporter.abandon()
        raise
    finally:
        gathered.flush()
    return summary


class _Gathered:
    """What the reporter writes, passed on in pieces of about 64 KB: with PYTHONUNBUFFERED
    set (as in many containers), each body's line was a system call of its own."""

    PIECE = 1 << 16

    def __init__(self, out: TextIO) -> None:
        self.out, self.parts, self.size = out, list[str](), 0

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= self.PIECE:
            self.flush()
        return len(text)

    def flush(self, through: bool = False) -> None:
        """Pass on what was gathered; *through*: out of *out*'s own buffer too."""
        if self.parts:
            text = "".join(self.parts)
            self.parts.clear()  # not written twice if the write fails
            self.size = 0
            self.out.write(text)
        if through:
            self.out.flush()


def _groups(files: Sequence[str], jobs: int) -> Iterator[tuple[list[str], bool]]:
    """Runs of files to lint in-process, and single large JSONL files for the workers."""
    run: list[str] = []
    for path in files:
        if (
            jobs > 1
            and CAN_FORK  # elsewhere (Windows) everything is linted in-process
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
    path: str, fmt: str, positions: bool, jobs: int, how: _How
) -> Iterator[tuple[str, Counts]]:
    """Lint the ranges of *path* in *jobs* forked workers, in file order."""

    def work(task: Task) -> Result:
        text, counts = _lint_range(path, task, fmt, positions, how)
        return text.encode("utf-8"), counts

    chunk = _chunk_bytes(_size(path), jobs)
    with contextlib.closing(_ranges(path, chunk)) as ranges:  # its file, even if a worker fails
        for payload, counts in map_in_forks(work, ranges, jobs):
            yield payload.decode("utf-8"), counts


def _chunk_bytes(size: int, jobs: int) -> int:
    return max(_MIN_CHUNK_BYTES, min(_CHUNK_BYTES, size // (jobs * _TASKS_PER_JOB)))


def _ranges(path: str, chunk: int) -> Generator[Task, None, None]:
    """(start, end, first line) of each newline-aligned range of about *chunk* bytes."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, while ranges are yielded
    except OSError as exc:
        raise SourceError(path, exc.strerror or str(exc)) from None
    with handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
        size, start, line = len(view), 0, 1
        find = view.find
        while start < size:
            cut = find(b"\n", min(start + chunk, size - 1))
            end = size if cut < 0 else cut + 1
            yield start, end, line
            # Count the range's newlines in place: slicing an mmap copies.
            at = find(b"\n", start, end)
            while at >= 0:
                line += 1
                at = find(b"\n", at + 1, end)
            start = end


_WORKER_REPORTERS: dict[str, LineReporter] = {}
_WORKER_MAPPINGS: dict[str, tuple[mmap.mmap, memoryview]] = {}


def _worker_mapping(path: str) -> tuple[mmap.mmap, memoryview]:
    """A worker's one read-only mapping of *path*, and a view of it, for all its ranges.

    Never closed: a worker ends with ``os._exit``, which unmaps it. So the line views
    sliced from it need no release each, as a mapping that is closed would require.
    """
    mapped = _WORKER_MAPPINGS.get(path)
    if mapped is None:
        with open(path, "rb") as handle:
            view = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        mapped = _WORKER_MAPPINGS[path] = (view, memoryview(view))
    return mapped


def _lint_range(path: str, task: Task, fmt: str, positions: bool, how: _How) -> tuple[str, Counts]:
    """Lint the lines of one range of *path*; return them rendered in *fmt*, and counts."""
    start, end, number = task
    reporter = _WORKER_REPORTERS.get(fmt)
    if reporter is None:
        reporter = _WORKER_REPORTERS[fmt] = LINT_FORMATS[fmt](sys.stdout)
    rendered: list[str] = []
    append, render = rendered.append, reporter.render
    bodies = invalid = errors = warnings = 0
    # Lines are parsed from views into a mapping of the file: reading and splitting the
    # range would copy every byte twice. Parsed bodies are acyclic and short-lived, so
    # cyclic GC passes over them are wasted work.
    view, whole = _worker_mapping(path)
    find = view.find
    gc.disable()
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
                result = lint(
                    whole[first:last], source=path, line=number, positions=positions, **how
                )
                bodies += 1
                if result.errors:
                    invalid += 1
                    errors += len(result.errors)
                if result.warnings:
                    warnings += len(result.warnings)
                append(render(result))
            number += 1
            start = stop + 1
    finally:
        gc.enable()
    return "".join(rendered), (bodies, invalid, errors, warnings)


_BLANK = frozenset(b" \t\n\r\x0b\x0c")
"""The bytes that ``bytes.strip()`` removes: JSONL lines are stripped of them."""
