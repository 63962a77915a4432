"""``junit.xml``: one test case per check, as CI systems read it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..results import CheckResult, Report
from .text import case_text, more_causes

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 does not allow (controls, lone surrogates, U+FFFE and U+FFFF)."""


def _xml_text(text: str) -> str:
    return _CONTROL.sub("\ufffd", text)


def render_junit(report: Report) -> str:
    """``junit.xml``: one test case per check, each with the time of the exchanges it
    judged; valid against the strict JUnit schema (pytest's ``junit-10.xsd``: ``skipped``
    is counted on the suite, not on ``<testsuites>``)."""
    failed = sum(c.status == "failed" for c in report.checks)
    skipped = sum(c.status == "skipped" for c in report.checks)
    counts = {
        "tests": str(len(report.checks)),
        "failures": str(failed),
        "errors": "0",
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
            "skipped": str(skipped),
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("target", report.target),
        ("seed", str(report.seed)),
        ("max_examples", str(report.max_examples)),
        ("requests", str(report.requests)),
        ("contract", report.contract),
        *(("schema " + key, value) for key, value in report.schema.items()),
    ):
        ET.SubElement(properties, "property", name=name, value=_xml_text(value))
    for check in report.checks:
        _testcase(suite, check)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def _testcase(suite: ET.Element, check: CheckResult) -> None:
    """The check's test case: its time, and its failure, skip or warnings."""
    case = ET.SubElement(
        suite,
        "testcase",
        classname="wai_contract.conformance",
        name=check.id,
        time=f"{check.seconds:.3f}",
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
        texts = [case_text(c) for c in check.failures]
        if check.unlisted_causes:
            texts.append(f"and {more_causes(check.unlisted_causes)}: report.json")
        failure.text = _xml_text("\n\n".join(texts))
    elif check.status == "skipped":
        ET.SubElement(case, "skipped", message=_xml_text(check.note or "skipped"))
    elif check.known or check.warnings:
        out = ET.SubElement(case, "system-out")
        lines = [f"warning {c.id}: {c.problem}" for c in check.warnings]
        lines += [f"known deviation {c.id}: {c.problem} ({c.known})" for c in check.known]
        out.text = _xml_text("\n".join(lines))
