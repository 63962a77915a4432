"""Linting a large JSONL file in forked workers: order, counts, failures, early stops."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest

from wai_contract.errors import SourceError, WorkerError
from wai_contract.lint import batch
from wai_contract.lint.forks import Result, Task, _Worker, map_in_forks


def _big_jsonl(path: Path, bodies: int) -> Path:
    with path.open("w") as out:
        for i in range(bodies):
            out.write(json.dumps({"prompt": "p" * 3000, "top_k": 45 + i % 10}) + "\n")
    return path


@pytest.fixture
def big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(batch, "PARALLEL_MIN_BYTES", 1 << 20)
    monkeypatch.setattr(batch, "_CHUNK_BYTES", 64 << 10)  # many ranges per worker
    monkeypatch.setattr(batch, "_MIN_CHUNK_BYTES", 32 << 10)
    return _big_jsonl(tmp_path / "big.jsonl", 1000)


@pytest.mark.parametrize("jobs", [2, 3])
def test_workers_keep_file_order_and_count_everything(big: Path, jobs: int) -> None:
    out = io.StringIO()
    summary = batch.lint_files([str(big)], "json", out, jobs=jobs)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["line"] for r in records] == list(range(1, 1001))
    assert [r["valid"] for r in records] == [45 + i % 10 <= 50 for i in range(1000)]
    assert (summary.bodies, summary.invalid, summary.errors) == (1000, 400, 400)


def test_a_failing_worker_is_one_clear_error(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(
        path: str, task: Task, fmt: str, positions: bool, api: str
    ) -> tuple[str, batch.Counts]:
        if task[0] > 0:  # every range but the first
            raise MemoryError("out of memory in range")
        return "", (0, 0, 0, 0)

    monkeypatch.setattr(batch, "_lint_range", broken)  # forked workers inherit it
    with pytest.raises(WorkerError, match="a worker process failed: MemoryError: out of"):
        batch.lint_files([str(big)], "json", io.StringIO(), jobs=2)


def test_a_worker_that_dies_without_a_word_is_an_error_too(
    big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def dying(
        path: str, task: Task, fmt: str, positions: bool, api: str
    ) -> tuple[str, batch.Counts]:
        os._exit(3)  # as if killed: no error frame

    monkeypatch.setattr(batch, "_lint_range", dying)
    with pytest.raises(WorkerError, match="stopped in the middle of its work"):
        batch.lint_files([str(big)], "json", io.StringIO(), jobs=2)


def test_a_worker_gone_before_reading_its_tasks_is_the_same_error() -> None:
    # The race the tests above can lose: the parent writes a task to a worker that has
    # already ended, and the task pipe is broken. What the worker said (here: nothing)
    # is still read and reported.
    tasks_read, tasks_write = os.pipe()
    results_read, results_write = os.pipe()
    os.close(tasks_read)
    os.close(results_write)
    worker = _Worker(os.getpid(), tasks_write, results_read)
    try:
        worker.feed(enumerate([(0, 0, 1)]), 1)
        assert worker.ended and worker.in_flight == 0
        with pytest.raises(WorkerError, match="stopped in the middle of its work"):
            list(worker.receive())
    finally:
        os.close(tasks_write)
        os.close(results_read)


def test_results_come_in_task_order_whatever_order_workers_finish() -> None:
    def work(task: Task) -> Result:
        time.sleep(0.002 * (task[0] % 3))  # later tasks often finish first
        return f"{task[0]}:{task[1] * task[2]}".encode(), (task[0], 0, 0, 0)

    tasks = iter([(i, i, 2) for i in range(40)])
    results = list(map_in_forks(work, tasks, 3))
    assert [payload.decode() for payload, _ in results] == [f"{i}:{2 * i}" for i in range(40)]


def test_stopping_early_ends_every_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    forked: list[int] = []

    def fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    def work(task: Task) -> Result:
        return b"x", (0, 0, 0, 0)

    real_fork = os.fork
    monkeypatch.setattr(os, "fork", fork)
    results = map_in_forks(work, iter([(i, 0, 0) for i in range(1000)]), 2)
    next(results)
    results.close()  # e.g. stdout closed: the workers are terminated and reaped
    assert len(forked) == 2
    for pid in forked:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # already reaped: not even a zombie is left


def test_a_large_file_that_cannot_be_opened_is_a_source_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "_size", lambda path: batch.PARALLEL_MIN_BYTES)  # gone since
    with pytest.raises(SourceError, match=r"cannot read .*gone\.jsonl: No such file"):
        batch.lint_files([str(tmp_path / "gone.jsonl")], "json", io.StringIO(), jobs=2)


def test_jsonl_lines_are_cut_from_the_file_as_a_reader_would(tmp_path: Path) -> None:
    from wai_contract.lint.sources import iter_bodies

    long = json.dumps({"prompt": "x" * 300_000}).encode()
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"prompt": "a"}\r\n\n  \n' + long + b"\n\t" + b'{"prompt": "b"}')
    found = [(b.line, b.data) for b in iter_bodies([str(path)])]
    assert found == [(1, b'{"prompt": "a"}'), (4, long), (5, b'{"prompt": "b"}')]
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert list(iter_bodies([str(tmp_path / "empty.jsonl")])) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_pipe_named_jsonl_is_read_line_by_line(tmp_path: Path) -> None:
    import threading

    from wai_contract.lint.sources import iter_bodies

    pipe = tmp_path / "bodies.jsonl"
    os.mkfifo(pipe)
    writer = threading.Thread(target=pipe.write_bytes, args=(b'{"prompt": "a"}\n\n[1]\n',))
    writer.start()
    try:
        assert [(b.line, b.data) for b in iter_bodies([str(pipe)])] == [
            (1, b'{"prompt": "a"}'),
            (3, b"[1]"),
        ]
    finally:
        writer.join(timeout=10)


class _CountedWrites(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0
        self.flushes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)

    def flush(self) -> None:
        self.flushes += 1


def test_output_is_written_in_pieces_not_a_write_a_body(tmp_path: Path) -> None:
    small = _big_jsonl(tmp_path / "small.jsonl", 300)  # linted in-process: under 1 MB
    out = _CountedWrites()
    summary = batch.lint_files([str(small)], "text", out)
    assert summary.bodies == 300 and summary.invalid == 120
    assert out.getvalue().count("\n") == 121  # every finding and the summary line
    assert out.writes <= 3


def test_stdin_jsonl_bodies_are_passed_through_one_by_one() -> None:
    lines = b"".join(json.dumps({"prompt": "p", "top_k": k}).encode() + b"\n" for k in (1, 60))
    out = _CountedWrites()
    batch.lint_files(["-"], "json", out, stdin=io.BytesIO(lines), stdin_format="jsonl")
    assert [json.loads(x)["valid"] for x in out.getvalue().splitlines()] == [True, False]
    assert out.flushes >= 2  # each body's line left every buffer before the next was read


def test_a_sarif_log_stays_whole_when_a_later_file_cannot_be_read(tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    first.write_text('{"prompt": "hi", "top_k": 99}')
    out = io.StringIO()
    with pytest.raises(SourceError):
        batch.lint_files([str(first), str(tmp_path / "gone.json")], "sarif", out)
    log = json.loads(out.getvalue())
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["error/maximum"]
