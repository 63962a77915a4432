"""Renderers for a conformance :class:`~wai_contract.report.model.Report`.

Each is a pure function from a report to text, registered in :data:`RUN_FORMATS` under the
file name it is written to; :func:`write_report` writes them all into one folder.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from .html import render_html
from .model import CaseResult, CheckResult, Report

BODY_INLINE_LIMIT = 2048
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MARK = {"passed": "✅ pass", "failed": "❌ FAIL", "skipped": "⏭ skip"}


def render_json(report: Report) -> str:
    """``report.json``: every check and kept case, machine-readable."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _xml_text(text: str) -> str:
    return _CONTROL.sub("\ufffd", text)


def render_junit(report: Report) -> str:
    """``junit.xml``: one test case per check."""
    failed = sum(c.status == "failed" for c in report.checks)
    skipped = sum(c.status == "skipped" for c in report.checks)
    counts = {
        "tests": str(len(report.checks)),
        "failures": str(failed),
        "errors": "0",
        "skipped": str(skipped),
        "time": f"{report.seconds:.3f}",
    }
    suites = ET.Element("testsuites", {"name": "wai-contract", **counts})
    suite = ET.SubElement(
        suites,
        "testsuite",
        {
            "name": "wai-contract conformance",
            "timestamp": report.started.rstrip("Z"),
            **counts,
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("target", report.target),
        ("seed", str(report.seed)),
        ("max_examples", str(report.max_examples)),
        ("requests", str(report.requests)),
        ("contract", report.contract),
    ):
        ET.SubElement(properties, "property", name=name, value=_xml_text(value))
    for check in report.checks:
        case = ET.SubElement(
            suite, "testcase", classname="wai_contract.conformance", name=check.id, time="0"
        )
        if check.status == "failed":
            first = check.failures[0] if check.failures else None
            message = f"{check.failure_count} of {check.cases} cases failed" + (
                f": {first.problem}" if first else ""
            )
            failure = ET.SubElement(
                case,
                "failure",
                message=_xml_text(message[:500]),
                type=first.code if first else "failure",
            )
            failure.text = _xml_text("\n\n".join(case_text(c) for c in check.failures))
        elif check.status == "skipped":
            ET.SubElement(case, "skipped", message=_xml_text(check.note or "skipped"))
        elif check.known:
            out = ET.SubElement(case, "system-out")
            out.text = _xml_text(
                "known deviations:\n"
                + "\n".join(f"{c.id}: {c.problem} ({c.known})" for c in check.known)
            )
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def _body_preview(case: CaseResult) -> str:
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
    if case.pointer is not None:
        lines.append(f"violates: {case.pointer or '/'}")
    if case.exchange is not None:
        lines.append(f"body: {_body_preview(case)}")
        status = case.exchange.status if case.exchange.status is not None else "-"
        head = case.exchange.response_head[:300].replace("\r", "\\r").replace("\n", "\\n")
        lines.append(f"response: {status} {head}")
        lines.append(f"reproduce: {case.curl()}")
    return "\n".join(lines)


def render_markdown(report: Report) -> str:
    """``summary.md``: the verdict, a table of checks, and each failure with its repro."""
    verdict = "PASSED" if report.passed else "FAILED"
    lines = [
        f"# wai-contract conformance: {verdict}",
        "",
        f"- target: `{report.target}`",
        f"- {report.requests:,} requests in {report.seconds:.1f} s; seed {report.seed}, "
        f"max examples {report.max_examples}; contract: {report.contract}",
        "",
        "| check | result | cases | failures | known |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for check in report.checks:
        lines.append(
            f"| `{check.id}` {check.title} | {_MARK[check.status]} | {check.cases} | "
            f"{check.failure_count} | {len(check.known)} |"
        )
    for note in report.notes:
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
            _body_preview(case),
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


def render_console(report: Report) -> str:
    """The table printed at the end of ``wai-contract run``."""
    width = max(len(c.id) for c in report.checks)
    lines = [f"{'check':{width}}  result   cases  failures"]
    for check in report.checks:
        lines.append(
            f"{check.id:{width}}  {_MARK[check.status]:7}  {check.cases:5}  "
            f"{check.failure_count:8}" + (f"  (+{len(check.known)} known)" if check.known else "")
        )
        for case in check.failures[:3]:
            lines.append(f"{'':{width}}    {case.id}: {case.problem[:110]}")
    verdict = "PASSED" if report.passed else "FAILED"
    lines.append(
        f"{verdict}: {report.requests:,} requests in {report.seconds:.1f} s against {report.target}"
    )
    return "\n".join(lines)


RUN_FORMATS: dict[str, Callable[[Report], str]] = {
    "report.json": render_json,
    "junit.xml": render_junit,
    "summary.md": render_markdown,
    "report.html": render_html,
}
"""Report files by name, each with its renderer."""


def write_report(report: Report, directory: Path) -> list[Path]:
    """Write every format of *report* into *directory* (created), and the full bodies of
    large failing cases under ``cases/`` so their ``curl`` commands run as written."""
    directory.mkdir(parents=True, exist_ok=True)
    for check in report.checks:
        for case in check.failures + check.known:
            if case.exchange is None:
                continue
            text = json.dumps(case.exchange.body, ensure_ascii=False)
            if len(text) > BODY_INLINE_LIMIT:
                (directory / "cases").mkdir(exist_ok=True)
                name = f"cases/{check.id}-{case.id}.json"
                (directory / name).write_text(text, "utf-8")
                case.body_file = name
    written = []
    for name, render in RUN_FORMATS.items():
        path = directory / name
        path.write_text(render(report), "utf-8")
        written.append(path)
    return written


__all__ = ["RUN_FORMATS", "CheckResult", "render_console", "write_report"]
