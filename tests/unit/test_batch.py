"""Linting a large JSONL file in forked workers: order, counts and failures."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from wai_contract import batch
from wai_contract.errors import WaiContractError


def _big_jsonl(path: Path, bodies: int) -> Path:
    with path.open("w") as out:
        for i in range(bodies):
            out.write(json.dumps({"prompt": "p" * 3000, "top_k": 45 + i % 10}) + "\n")
    return path


@pytest.fixture
def big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(batch, "PARALLEL_MIN_BYTES", 1 << 20)
    monkeypatch.setattr(batch, "_CHUNK_BYTES", 64 << 10)  # many ranges per worker
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
    def broken(task: tuple[str, int, int, int, str, bool]) -> tuple[str, batch.Counts]:
        if task[1] > 0:  # every range but the first
            raise MemoryError("out of memory in range")
        return "", (0, 0, 0, 0)

    monkeypatch.setattr(batch, "_lint_range", broken)  # forked workers inherit it
    with pytest.raises(WaiContractError, match="a lint worker failed: MemoryError: out of"):
        batch.lint_files([str(big)], "json", io.StringIO(), jobs=2)
