"""The table printed at the end of ``wai-contract run``."""

from __future__ import annotations

from ..results import Report
from .text import MARK


def render_console(report: Report) -> str:
    """The table printed at the end of ``wai-contract run``."""
    width = max(len(c.id) for c in report.checks)
    lines = [f"{'check':{width}}  result   cases  failures"]
    for check in report.checks:
        lines.append(
            f"{check.id:{width}}  {MARK[check.status]:7}  {check.cases:5}  "
            f"{check.failure_count:8}" + (f"  (+{len(check.known)} known)" if check.known else "")
        )
        for case in check.failures[:3]:
            lines.append(f"{'':{width}}    {case.id}: {case.problem[:110]}")
    verdict = "PASSED" if report.passed else "FAILED"
    lines.append(
        f"{verdict}: {report.requests:,} requests in {report.seconds:.1f} s against {report.target}"
    )
    cmp = report.comparison
    if cmp is not None:
        lines.append(
            f"against {cmp.baseline}: {len(cmp.new_failures)} new failures, {len(cmp.fixed)} fixed"
        )
    return "\n".join(lines)
