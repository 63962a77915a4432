"""Plain-text pieces shared by the renderers: a failing case, a body preview, the marks."""

from __future__ import annotations

import json

from ...display import inert
from ...readings import judged_by
from ...schemas import INPUT_SCHEMA_NAMES
from ..results import CaseResult, Report

BODY_INLINE_LIMIT = 2048
MARK = {"passed": "✅ pass", "warned": "⚠ warn", "failed": "❌ FAIL", "skipped": "⏭ skip"}


def body_preview(case: CaseResult) -> str:
    if case.exchange is None:
        return ""
    text = json.dumps(case.exchange.body, ensure_ascii=False)
    if len(text) > BODY_INLINE_LIMIT:
        return (
            text[:BODY_INLINE_LIMIT] + f"… ({len(text):,} characters; full body in "
            f"{case.body_file or 'report.json'})"
        )
    return text


def case_text(case: CaseResult) -> str:
    """One failing case as plain text: problem, body, response head and ``curl``."""
    lines = [f"[{case.id}] {case.problem}"]
    if case.count > 1:
        lines.append(f"cases with this cause: {case.count} ({', '.join(case.others[:10])}, …)")
    if case.pointer is not None:
        lines.append(f"violates: {case.pointer or '/'}")
    if case.exchange is not None:
        lines.append(f"body: {body_preview(case)}")
        status = case.exchange.status if case.exchange.status is not None else "-"
        head = case.exchange.response_head[:300].replace("\r", "\\r").replace("\n", "\\n")
        lines.append(f"response: {status} {head}")
        tail = case.exchange.response_tail[-300:].replace("\r", "\\r").replace("\n", "\\n")
        if tail:
            lines.append(f"response's end: …{tail}")
        lines.append(f"reproduce: {case.curl()}")
    return inert("\n".join(lines))


def summary_lines(report: Report) -> list[str]:
    """What a reader must know beyond the checks: inconclusive cases and strict mode."""
    lines = []
    if report.shard:
        lines.append(
            f"part {report.shard} of the plan: join every part's report with "
            "`wai-contract report merge`"
        )
    if report.faults:
        lines.append(f"injected faults: {', '.join(report.faults)} (the reference server's)")
    if report.readings:
        lines.append(judged_by(report.readings))
    schema = report.schema
    if schema and schema.get("source") != INPUT_SCHEMA_NAMES["published"]:  # not the default
        lines.append(f"schema: {schema['source']} (sha256 {schema['sha256'][:12]})")
    if report.inconclusive:
        shown = ", ".join(report.inconclusive[:5]) + (
            ", ..." if len(report.inconclusive) > 5 else ""
        )
        lines.append(
            f"inconclusive: {len(report.inconclusive)} cases got only transient answers "
            f"(429, 408, 502-504) after every retry: {shown}"
        )
    if report.too_busy:
        lines.append("FAILED: the target was too busy to judge (too many inconclusive cases)")
    elif not report.judged:
        lines.append("FAILED: no check judged any case, so nothing was shown to conform")
    if not report.complete:
        lines.append(
            f"FAILED: the run did not finish its plan ({report.stopped}); a part cannot pass"
        )
    if report.strict and any(c.warning_count for c in report.checks):
        lines.append("strict: warnings count as failures")
    return lines


def verdict_line(report: Report) -> str:
    """``PASSED: 1,119 of 1,119 cases (...)``, or ``FAILED: 12 of 565 cases failed (...)``."""
    requests = f"{report.requests:,} requests"
    if not report.planned:
        return f"{'PASSED' if report.passed else 'FAILED'}: {requests}"
    if report.passed:
        return f"PASSED: {report.judged_cases:,} of {report.planned:,} cases ({requests})"
    judged = "" if report.judged_cases == report.planned else f", {report.judged_cases:,} judged"
    failing = f"{report.failing_cases:,} of {report.planned:,} cases failed"
    return f"FAILED: {failing}{judged} ({requests})"


def more_causes(count: int) -> str:
    """``3 more causes of failure``: what a report that lists only some causes says of the
    others."""
    return f"{count} more cause{'s' * (count > 1)} of failure"
