"""Merging the reports of a run's parts: counts add up, groups join, wrong sets are refused."""

from __future__ import annotations

import dataclasses

import pytest

from wai_contract.conformance import Report, Shard, merge_reports
from wai_contract.conformance.cases import Case, Job
from wai_contract.conformance.plan import Plan
from wai_contract.conformance.results import CaseResult, CheckResult
from wai_contract.errors import ConfigError


def _failure(case: str, problem: str = "the stream does not end with data: [DONE]") -> CaseResult:
    return CaseResult(case, "streaming", problem, "no-done")


def _part(shard: str, *failures: CaseResult, **fields: object) -> Report:
    check = CheckResult("streaming", "Streams", "SSE", "failed" if failures else "passed", 3)
    for failure in failures:
        check.failure_count += 1
        check.causes.setdefault(failure.cause, []).append(failure.id)
        kept = next((f for f in check.failures if f.cause == failure.cause), None)
        if kept:
            kept.count += 1
            kept.others.append(failure.id)
        else:
            check.failures.append(failure)
    base = Report("http://127.0.0.1:8787/x", "2026-12-02T10:00:00Z", 2.0, 0, 10, 5, [check])
    return dataclasses.replace(base, shard=shard, planned=3, judged_cases=3, **fields)


def test_counts_add_up_and_one_cause_is_one_group() -> None:
    one = _part("1/2", _failure("b-1"), _failure("b-3"))
    early = "2026-12-02T09:59:59Z"
    two = _part("2/2", _failure("b-2"), _failure("b-4", "status 500"), started=early)
    merged = merge_reports([two, one])
    (check,) = merged.checks
    assert (check.status, check.cases, check.failure_count) == ("failed", 6, 4)
    assert [(f.id, f.count, f.others) for f in check.failures] == [
        ("b-1", 3, ["b-3", "b-2"]),
        ("b-4", 1, []),
    ]
    assert sorted(check.causes[_failure("x").cause]) == ["b-1", "b-2", "b-3"]
    assert (merged.requests, merged.planned, merged.seconds) == (10, 6, 2.0)
    assert merged.started == early and merged.shard is None
    assert one.checks[0].failures[0].count == 2, "the parts are left as they were"


def test_a_check_judged_in_no_part_is_skipped_and_in_one_part_passes() -> None:
    idle = _part("1/2")
    idle.checks[0] = dataclasses.replace(idle.checks[0], status="skipped", cases=0)
    merged = merge_reports([idle, _part("2/2")])
    assert merged.checks[0].status == "passed" and merged.passed


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ([], "no reports to merge"),
        ([_part("1/2")], "part 2 of 2 is missing"),
        ([_part("1/2"), _part("1/2")], "part 1/2 is given twice"),
        ([_part("1/2"), _part("2/3")], "split differently"),
        ([_part("1/2"), _part(None)], "not a part of a sharded run"),  # type: ignore[arg-type]
        ([_part("1/2"), _part("2/2", seed=7)], "their seed differs"),
        ([_part("1/2"), _part("2/2", target="https://other.example/x")], "their target differs"),
    ],
)
def test_what_is_not_every_part_of_one_run_is_refused(parts: list[Report], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        merge_reports(parts)


def test_loopback_parts_on_other_ports_are_one_run() -> None:
    other = _part("2/2", target="http://127.0.0.1:9999/x")
    assert merge_reports([_part("1/2"), other]).target == "http://127.0.0.1:8787/x"


def test_parts_of_a_plan_are_disjoint_cover_it_and_keep_jobs_whole() -> None:
    jobs = [Job((Case(f"c{i}", "x", {}), Case(f"c{i}b", "x", {}))) for i in range(11)]
    plan = Plan(jobs, {"auth": "note"})
    parts = [plan.part(Shard(k, 3)) for k in (1, 2, 3)]
    assert sorted(len(p.jobs) for p in parts) == [3, 4, 4]
    ids = [c.id for p in parts for c in p.cases]
    assert sorted(ids) == sorted(c.id for c in plan.cases)
    assert all(p.notes == plan.notes for p in parts)
    assert plan.part(None) is plan


@pytest.mark.parametrize("text", ["0/3", "4/3", "1", "a/b", "1/0", "-1/2"])
def test_a_shard_is_k_of_n(text: str) -> None:
    with pytest.raises(ConfigError, match="--shard"):
        Shard.parse(text)
    assert str(Shard.parse("2/3")) == "2/3"


def test_a_part_is_not_compared_with_a_baseline_of_a_whole_run() -> None:
    from wai_contract.conformance import RunOptions, Target, run

    with pytest.raises(ConfigError, match="give the baseline to `report merge`"):
        run(Target("http://127.0.0.1:9/x", "t"), options=RunOptions(shard=Shard(1, 2)),
            baseline=_part("1/2"))  # fmt: skip
