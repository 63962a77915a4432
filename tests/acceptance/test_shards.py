"""A run split into parts (``run --shard K/N``) and joined again (``report merge``)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from tests.acceptance.test_cli_lint import run as cli
from tests.faulty_servers import TOKEN, faulty_app

from wai_contract import MODEL
from wai_contract.conformance import (
    Report,
    RunOptions,
    Shard,
    Target,
    merge_reports,
    render_console,
    run,
)
from wai_contract.server import serve_asgi


def _verdicts(report: Report, notes: bool = True) -> list[tuple[Any, ...]]:
    """Each check's verdict; without *notes*, also without what a note says in a status: a
    check that judged cases but none it is about is skipped ("not exercised")."""
    return [
        (c.id, c.status if notes or not c.cases else c.status.replace("skipped", "passed"),
         c.cases, c.failure_count, c.warning_count, c.note if notes else None,
         {cause: sorted(ids) for cause, ids in c.causes.items()})
        for c in report.checks
    ]  # fmt: skip


@pytest.mark.parametrize("bug", ["crash-on-astral", "ignores-seed"])
def test_four_merged_parts_give_the_verdicts_of_one_run(bug: str) -> None:
    options = RunOptions(max_examples=30)
    with serve_asgi(faulty_app(bug)) as base:
        target = Target(f"{base}/client/v4/accounts/a/ai/run/{MODEL}", TOKEN)
        whole = run(target, options=options)
        parts = [
            run(target, options=dataclasses.replace(options, shard=Shard(k, 4)))
            for k in (1, 2, 3, 4)
        ]
    assert [p.shard for p in parts] == ["1/4", "2/4", "3/4", "4/4"]
    assert "part 2/4 of the plan" in render_console(parts[1])
    assert all(0 < p.planned < whole.planned for p in parts)
    merged = merge_reports(parts[::-1])
    # A server that ignores the seed answers each run anew: whether it called a tool at all
    # (tool-calls' note, and whether it was exercised) may differ between the whole run and
    # its parts.
    notes = bug != "ignores-seed"
    assert _verdicts(merged, notes) == _verdicts(whole, notes)
    assert any(c.status in ("failed", "warned") for c in whole.checks)
    assert (merged.planned, merged.judged_cases) == (whole.planned, whole.judged_cases)
    assert merged.passed == whole.passed and merged.shard is None


def test_report_merge_writes_one_report_and_refuses_what_is_not_one_run(tmp_path: Path) -> None:
    for k in (1, 2):
        shard = ("--shard", f"{k}/2", "--max-examples", "10", "--report-dir", f"part{k}")
        done = cli("run", "--local", "--local-fault", "no-done", *shard, cwd=tmp_path)
        assert done.returncode == 1, done.stderr
    merged = cli(
        "report", "merge", "part1", "part2/report.json", "--report-dir", "all", cwd=tmp_path
    )
    assert merged.returncode == 1, merged.stderr
    assert "streaming" in merged.stdout and "FAILED" in merged.stdout
    data = json.loads((tmp_path / "all" / "report.json").read_text())
    assert data["shard"] is None and not data["passed"]
    assert {p.name for p in (tmp_path / "all").iterdir()} >= {
        "junit.xml",
        "summary.md",
        "report.html",
    }

    refused = cli("report", "merge", "part1", "--report-dir", "x", cwd=tmp_path)
    assert refused.returncode == 2 and refused.stderr == "error: part 2 of 2 is missing\n"
    part_and_baseline = ("--shard", "1/2", "--baseline", "all/report.json")
    refused = cli("run", "--local", *part_and_baseline, cwd=tmp_path)
    assert refused.returncode == 2 and "give the baseline to `report merge`" in refused.stderr
