"""``summary.md``: the verdict, a table of checks, and each failure with its repro.

Text a server sent (problems quote it) must not become Markdown in a PR comment: inline
text is escaped, and blocks are fenced with more backticks than they contain.
"""

from __future__ import annotations

import re

from ...display import inert
from ..results import CaseResult, Report
from .text import MARK, body_preview, more_causes, summary_lines


def render_markdown(report: Report) -> str:
    """``summary.md``: the verdict, a table of checks, and each failure with its repro."""
    verdict = "PASSED" if report.passed else "FAILED"
    lines = [
        f"# wai-contract conformance: {verdict}",
        "",
        f"- target: {_code(report.target)}",
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
        lines += ["", f"> {escape(note)}"]
    if report.comparison is not None:
        cmp = report.comparison
        lines += [
            "",
            f"## Compared with {cmp.baseline}",
            "",
            f"- new causes of failure: {len(cmp.new_failures)} ({cmp.new_cases} cases)",
            *[f"  - `{s}`" for s in cmp.new_failures[:50]],
            f"- fixed: {len(cmp.fixed)} causes ({cmp.fixed_cases} cases)",
            *[f"  - `{s}`" for s in cmp.fixed[:50]],
        ]
    for check in report.checks:
        if check.status == "failed":
            lines += ["", f"## ❌ {check.id}: {check.title}", "", check.description, ""]
            for case in check.failures:
                lines += _case_markdown(case)
            if check.unlisted_causes:
                more = more_causes(check.unlisted_causes)
                lines += ["", f"And {more}: their cases are in report.json."]
        elif check.note:
            lines += ["", f"## {check.id}", "", escape(check.note)]
        if check.warnings:
            lines += ["", f"## ⚠ {check.id}: warnings", "", check.description, ""]
            for case in check.warnings:
                lines += _case_markdown(case)
        if check.known:
            lines += ["", f"### Known deviations of {check.id}", ""]
            lines += [
                f"- `{c.id}`: {escape(c.problem)} — {escape(c.known or '')}" for c in check.known
            ]
    return inert("\n".join(lines)) + "\n"


def _case_markdown(case: CaseResult) -> list[str]:
    out = [f"### `{case.id}` — {escape(case.problem)}", ""]
    out += [f"- {escape(fact)}" for fact in case.facts()]
    if case.exchange is not None:
        exchange = case.exchange
        status = exchange.status if exchange.status is not None else "no response"
        error = f" ({escape(exchange.error)})" if exchange.error else ""
        out += [
            f"- response: {status}{error}",
            "",
            *fenced(body_preview(case), "json"),
            "",
            *fenced(exchange.response_head[:1024] or "(empty)", "text"),
            "",
            *(
                ["- the response's end:", "", *fenced(exchange.response_tail, "text"), ""]
                if exchange.response_tail
                else []
            ),
            *fenced(case.curl(), "sh"),
            "",
        ]
    return out


_PUNCTUATION = re.compile(r"([\\`*_\[\]#|<>~&])")
"""What could start emphasis, code, a link or image, a heading, a table cell, HTML or an
entity; the rest reads as itself."""


def escape(text: str) -> str:
    """*text* as literal inline Markdown: one line, every markup character escaped."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def fenced(text: str, language: str) -> list[str]:
    """A fenced block that *text* cannot close: its fence is longer than any run of
    backticks inside."""
    fence = "`" * max(3, _longest_backticks(text) + 1)
    return [fence + language, text, fence]


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _code(text: str) -> str:
    """*text* as an inline code span that no backtick inside can end."""
    ticks = "`" * (_longest_backticks(text) + 1)
    return f"{ticks} {' '.join(text.split())} {ticks}"


def _schema_line(report: Report) -> list[str]:
    schema = report.schema
    return [f"- schema: {schema['source']}, sha256 `{schema['sha256']}`"] if schema else []
