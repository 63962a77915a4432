"""The table printed at the end of ``wai-contract run``."""

from __future__ import annotations

from ...display import github_data, github_property, inert
from ..results import FAILURES_KEPT, Report
from .text import MARK, more_causes, summary_lines, verdict_line

SHOWN = 3
"""Causes shown under each check (the others are counted, and in every report file)."""


def render_console(report: Report, every: bool = False) -> str:
    """The table printed at the end of ``wai-contract run``, with the first :data:`SHOWN`
    causes under each check (*every* one, when asked)."""
    width = max(len(c.id) for c in report.checks)
    lines = [f"{'check':{width}}  result   cases  failures"]
    for check in report.checks:
        extra = [f"+{len(check.known)} known"] if check.known else []
        extra += [inert(check.note)[:80]] if check.status == "skipped" and check.note else []
        extra += [f"{check.warning_count} warnings"] if check.warning_count else []
        lines.append(
            f"{check.id:{width}}  {MARK[check.status]:7}  {check.cases:5}  "
            f"{check.failure_count:8}" + (f"  ({', '.join(extra)})" if extra else "")
        )
        listed = (check.failures or check.warnings)[: None if every else SHOWN]
        for case in listed:
            also = f" (×{case.count} cases)" if case.count > 1 else ""
            lines.append(f"{'':{width}}    {case.id}: {' '.join(case.problem.split())[:100]}{also}")
        causes = len(check.causes) if check.failures else len(check.warnings)
        if causes > len(listed):
            more = causes - len(listed)
            where = "summary.md" if causes <= FAILURES_KEPT else "report.json"
            lines.append(f"{'':{width}}    and {more} more cause{'s' * (more > 1)}: {where}")
    lines += summary_lines(report) + report.notes
    lines.append(f"{verdict_line(report)} in {report.seconds:.1f} s against {report.target}")
    cmp = report.comparison
    if cmp is not None:
        lines.append(
            f"against {cmp.baseline}: {len(cmp.new_failures)} new causes of failure "
            f"({cmp.new_cases} new failing cases), {len(cmp.fixed)} fixed "
            f"({cmp.fixed_cases} cases)"
        )
    return inert("\n".join(lines))


def render_annotations(report: Report) -> str:
    """GitHub Actions workflow commands: an error for each cause of failure a check keeps
    (a warning for each of behaviour described but not guaranteed), and one saying how many
    more causes there are; the report files say the rest."""
    lines = []
    for check in report.checks:
        title = github_property(f"wai-contract {check.id}")
        for severity, cases in (("error", check.failures), ("warning", check.warnings)):
            for case in cases:
                also = f" (×{case.count} cases)" if case.count > 1 else ""
                said = github_data(inert(f"{case.id}: {case.problem}{also}"))
                lines.append(f"::{severity} title={title}::{said}")
        if check.unlisted_causes:
            more = more_causes(check.unlisted_causes)
            lines.append(f"::error title={title}::and {more}: report.json")
    return "".join(line + "\n" for line in lines)
