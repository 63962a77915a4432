"""The table printed at the end of ``wai-contract run``."""

from __future__ import annotations

from ...display import inert
from ..results import Report
from .text import MARK, summary_lines


def render_console(report: Report) -> str:
    """The table printed at the end of ``wai-contract run``."""
    width = max(len(c.id) for c in report.checks)
    lines = [f"{'check':{width}}  result   cases  failures"]
    for check in report.checks:
        extra = [f"+{len(check.known)} known"] if check.known else []
        extra += [f"{check.warning_count} warnings"] if check.warning_count else []
        lines.append(
            f"{check.id:{width}}  {MARK[check.status]:7}  {check.cases:5}  "
            f"{check.failure_count:8}" + (f"  ({', '.join(extra)})" if extra else "")
        )
        for case in (check.failures or check.warnings)[:3]:
            also = f" (×{case.count} cases)" if case.count > 1 else ""
            lines.append(f"{'':{width}}    {case.id}: {' '.join(case.problem.split())[:100]}{also}")
    lines += summary_lines(report) + report.notes
    verdict = "PASSED" if report.passed else "FAILED"
    cases = (
        f"{report.judged_cases:,} of {report.planned:,} cases ({report.requests:,} requests)"
        if report.planned
        else f"{report.requests:,} requests"
    )
    lines.append(f"{verdict}: {cases} in {report.seconds:.1f} s against {report.target}")
    cmp = report.comparison
    if cmp is not None:
        lines.append(
            f"against {cmp.baseline}: {len(cmp.new_failures)} new causes of failure "
            f"({cmp.new_cases} new failing cases), {len(cmp.fixed)} fixed "
            f"({cmp.fixed_cases} cases)"
        )
    return inert("\n".join(lines))
