"""Reports read together: a run compared with its baseline (:func:`compare`), and one
report from the reports of every part of a sharded run (``run --shard K/N``).

The parts of one run share its plan (same seed, examples, contract and schema), so their
cases never overlap: counts add up, failures of one cause form one group (the first part's
case stands for it), and each check's verdict is the one the whole run would have given
(:func:`~.results.settle`, as for a whole run).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from ..errors import ConfigError
from .results import CaseResult, CheckResult, Comparison, Report, add_to_group, settle

SAME_IN_EVERY_PART = (
    "seed",
    "max_examples",
    "contract",
    "strict",
    "schema",
    "faults",
    "readings",
)
"""Report fields that must agree: parts of one run share them (and their target)."""


def compare(report: Report, baseline: Report, baseline_name: str) -> Comparison:
    """New failures and fixed ones, by cause over every failing case (not only those a
    report keeps in full), and checks that changed verdict."""

    def causes(r: Report) -> set[str]:
        return {cause for check in r.checks for cause in _causes(check)}

    def cases(r: Report) -> set[tuple[str, str]]:
        return {(c.id, i) for c in r.checks for ids in _causes(c).values() for i in ids}

    now, before = causes(report), causes(baseline)
    status_before = {c.id: c.status for c in baseline.checks}
    return Comparison(
        baseline=baseline_name,
        new_failures=sorted(now - before),
        fixed=sorted(before - now),
        new_cases=len(cases(report) - cases(baseline)),
        fixed_cases=len(cases(baseline) - cases(report)),
        newly_failing_checks=[
            c.id
            for c in report.checks
            if c.status == "failed" and status_before.get(c.id) != "failed"
        ],
        newly_passing_checks=[
            c.id
            for c in report.checks
            if c.status == "passed" and status_before.get(c.id) == "failed"
        ],
    )


def check_comparable(baseline: Report, name: str) -> None:
    """Raise :class:`ConfigError` now, before a run, if *baseline* could not be compared
    with its report or shown beside it after the run: what it says of checks, causes and
    cases must be text (a report read back is typed by what its JSON says)."""
    try:
        for check in baseline.checks:
            texts = [check.id, check.status, *_causes(check)]
            texts += [case for ids in _causes(check).values() for case in ids]
            odd = next((text for text in texts if not isinstance(text, str)), None)
            if odd is not None:
                raise TypeError(f"{odd!r} where text belongs")
        compare(baseline, baseline, name)
    except (TypeError, AttributeError, ValueError) as exc:
        said = str(exc)[:200]
        raise ConfigError(f"baseline {name} is not a wai-contract report.json: {said}") from None


def _causes(check: CheckResult) -> dict[str, list[str]]:
    # Reports written before causes were kept: the failures they listed, by cause.
    if check.causes or not check.failures:
        return check.causes
    return {f.cause: [f.id, *f.others] for f in check.failures}


def merge_reports(parts: Sequence[Report]) -> Report:
    """The report of the whole run, from the reports of all its parts (in any order).

    Raises :class:`ConfigError` when they are not every part of one run: a part missing or
    given twice, a report that is not a part, or parts that disagree on the plan."""
    ordered = _in_order(parts)
    first = ordered[0]
    for name in SAME_IN_EVERY_PART:
        values = {repr(getattr(part, name)) for part in ordered}
        if len(values) > 1:
            raise ConfigError(f"the reports are not parts of one run: their {name} differs")
    if len({_where(part.target) for part in ordered}) > 1:
        raise ConfigError("the reports are not parts of one run: their target differs")
    merged = dataclasses.replace(
        first,
        started=min(part.started for part in ordered),
        seconds=max(part.seconds for part in ordered),
        requests=sum(part.requests for part in ordered),
        checks=[
            _merge_check(list(same)) for same in zip(*(p.checks for p in ordered), strict=True)
        ],
        latencies_ms=[ms for part in ordered for ms in part.latencies_ms],
        notes=[f"part {part.shard}: {note}" for part in ordered for note in part.notes],
        comparison=None,
        inconclusive=[case for part in ordered for case in part.inconclusive],
        too_busy=any(part.too_busy for part in ordered),
        stopped=next((part.stopped for part in ordered if part.stopped), None),
        retries=sum(part.retries for part in ordered),
        planned=sum(part.planned for part in ordered),
        judged_cases=sum(part.judged_cases for part in ordered),
        not_sent={case: ids for part in ordered for case, ids in part.not_sent.items()},
        shard=None,
    )
    _keep_to_the_target(merged)
    return merged


def _keep_to_the_target(report: Report) -> None:
    """Every case's exchange names the run's own endpoint: a part read from a file may say
    anything, and its reproduction command is run as written."""
    own = _origin(report.target)
    for check in report.checks:
        for case in check.failures + check.warnings + check.known:
            if case.exchange is not None and _origin(case.exchange.url) != own:
                case.exchange.url = report.target


def _origin(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(_where(url))
    except ValueError:  # not a URL: nobody's origin
        return "", url
    return parts.scheme, parts.netloc


def _where(target: str) -> str:
    """The target, with the port left out for loopback hosts: each part of a ``--local``
    run starts its own reference server on a free port."""
    parts = urlsplit(target)
    if parts.hostname in ("127.0.0.1", "localhost", "::1"):
        return parts._replace(netloc=parts.hostname).geturl()
    return target


def _in_order(parts: Sequence[Report]) -> list[Report]:
    if not parts:
        raise ConfigError("no reports to merge")
    numbered: dict[int, Report] = {}
    counts = set()
    for part in parts:
        index, _, of = (part.shard or "").partition("/")
        if not (index.isdigit() and of.isdigit()):
            raise ConfigError("a report to merge is not a part of a sharded run (run --shard)")
        if int(index) in numbered:
            raise ConfigError(f"part {part.shard} is given twice")
        numbered[int(index)] = part
        counts.add(int(of))
    if len(counts) > 1:
        raise ConfigError("the reports are parts of runs split differently (N differs)")
    (count,) = counts
    missing = [str(i) for i in range(1, count + 1) if i not in numbered]
    if missing:
        raise ConfigError(f"part {', '.join(missing)} of {count} is missing")
    if len({len(part.checks) for part in parts}) > 1:
        raise ConfigError("the reports are not parts of one run: their checks differ")
    return [numbered[i] for i in sorted(numbered)]


def _merge_check(same: list[CheckResult]) -> CheckResult:
    ids = {check.id for check in same}
    if len(ids) > 1:
        raise ConfigError("the reports are not parts of one run: their checks differ")
    judged = [check for check in same if check.cases]
    merged = dataclasses.replace(
        same[0],
        cases=sum(check.cases for check in same),
        failures=_groups(check.failures for check in same),
        failure_count=sum(check.failure_count for check in same),
        known=[case for check in same for case in check.known],
        warnings=_groups(check.warnings for check in same),
        warning_count=sum(check.warning_count for check in same),
        causes=_merged_causes(same),
        note=_note(same, judged),
        seconds=round(sum(check.seconds for check in same), 3),
    )
    settle(merged, any(check.status != "skipped" for check in judged))  # exercised somewhere
    return merged


def _groups(parts: Iterable[list[CaseResult]]) -> list[CaseResult]:
    """One case per cause, the first part's first; the others counted and listed."""
    kept: list[CaseResult] = []
    for cases in parts:
        for case in cases:
            add_to_group(kept, case)
    return kept


def _merged_causes(same: list[CheckResult]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for check in same:
        for cause, ids in check.causes.items():
            merged.setdefault(cause, []).extend(ids)
    return merged


def _note(same: list[CheckResult], judged: list[CheckResult]) -> str:
    """A remark on judged answers holds for the whole run only if every part that judged
    made it (a tool called in one part is a tool called); a plan's note is every part's."""
    notes = {check.note for check in (judged or same)}
    return notes.pop() if len(notes) == 1 else ""
