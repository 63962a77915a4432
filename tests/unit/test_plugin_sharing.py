"""The pytest plugin's report sharing between xdist workers: produced once, never stuck."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from _wai_contract_pytestplugin import _report_once
from wai_contract.conformance.results import Report


def _report() -> Report:
    return Report("http://127.0.0.1:1/x", "2026-12-02T00:00:00Z", 1.0, 0, 10, 0, [])


def test_concurrent_workers_produce_the_report_once(tmp_path: Path) -> None:
    produced: list[int] = []

    def produce() -> Report:
        produced.append(1)
        return _report()

    results: list[Report] = []
    threads = [
        threading.Thread(target=lambda: results.append(_report_once(tmp_path, produce)))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(produced) == 1 and len(results) == 6
    assert {r.target for r in results} == {"http://127.0.0.1:1/x"}


def test_a_lock_left_by_a_dead_worker_is_taken_over(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (tmp_path / "lock").write_text(dead.stdout.strip())
    assert _report_once(tmp_path, _report).target == "http://127.0.0.1:1/x"


def test_a_failed_run_releases_the_lock_for_the_next_worker(tmp_path: Path) -> None:
    def fail() -> Report:
        raise RuntimeError("endpoint refused")

    with pytest.raises(RuntimeError):
        _report_once(tmp_path, fail)
    assert not (tmp_path / "lock").exists()
    assert _report_once(tmp_path, _report).target == "http://127.0.0.1:1/x"
