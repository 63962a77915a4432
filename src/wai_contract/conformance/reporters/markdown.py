"""``summary.md``: the verdict, a table of checks, and each failure with its repro."""

from __future__ import annotations

from ..results import CaseResult, Report
from .text import MARK, body_preview, summary_lines


def render_markdown(report: Report) -> str:
    """``summary.md``: the verdict, a table of checks, and each failure with its repro."""
    verdict = "PASSED" if report.passed else "FAILED"
    lines = [
        f"# wai-contract conformance: {verdict}",
        "",
        f"- target: `{report.target}`",
        f"- {report.requests:,} requests in {report.seconds:.1f} s; seed {report.seed}, "
        f"max examples {report.max_examples}; contract: {report.contract}",
        *_schema_line(report),
        "",
        "| check | result | cases | failures | warnings | known |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for check in report.checks:
        lines.append(
            f"| `{check.id}` {check.title} | {MARK[check.status]} | {check.cases} | "
            f"{check.failure_count} | {check.warning_count} | {len(check.known)} |"
        )
    for note in [*summary_lines(report), *report.notes]:
        lines += ["", f"> {note}"]
    if report.comparison is not None:
        cmp = report.comparison
        lines += [
            "",
            f"## Compared with {cmp.baseline}",
            "",
            f"- new failures: {len(cmp.new_failures)}",
            *[f"  - `{s}`" for s in cmp.new_failures[:50]],
            f"- fixed: {len(cmp.fixed)}",
            *[f"  - `{s}`" for s in cmp.fixed[:50]],
        ]
    for check in report.checks:
        if check.status == "failed":
            lines += ["", f"## ❌ {check.id}: {check.title}", "", check.description, ""]
            for case in check.failures:
                lines += _case_markdown(case)
        elif check.note:
            lines += ["", f"## {check.id}", "", check.note]
        if check.warnings:
            lines += ["", f"## ⚠ {check.id}: warnings", "", check.description, ""]
            for case in check.warnings:
                lines += _case_markdown(case)
        if check.known:
            lines += ["", f"### Known deviations of {check.id}", ""]
            lines += [f"- `{c.id}`: {c.problem} — {c.known}" for c in check.known]
    return "\n".join(lines) + "\n"


def _case_markdown(case: CaseResult) -> list[str]:
    out = [f"### `{case.id}` — {case.problem}", ""]
    out += [f"- {fact}" for fact in case.facts()]
    if case.exchange is not None:
        status = case.exchange.status if case.exchange.status is not None else "no response"
        out += [
            f"- response: {status}" + (f" ({case.exchange.error})" if case.exchange.error else ""),
            "",
            "```json",
            body_preview(case),
            "```",
            "",
            "```text",
            case.exchange.response_head[:1024] or "(empty)",
            "```",
            "",
            "```sh",
            case.curl(),
            "```",
            "",
        ]
    return out


def _schema_line(report: Report) -> list[str]:
    schema = report.schema
    return [f"- schema: {schema['source']}, sha256 `{schema['sha256']}`"] if schema else []
