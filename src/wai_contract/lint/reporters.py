"""Output formats of ``wai-contract lint``: text, json, github and sarif.

A reporter receives each :class:`~wai_contract.lint.LintResult` as it is produced (so
large inputs stream) and a :class:`LintSummary` at the end.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

import orjson

from .result import Finding, LintResult
from .warnings import WARNING_CODES


@dataclass(slots=True)
class LintSummary:
    """Counts over a whole lint run."""

    bodies: int = 0
    invalid: int = 0
    errors: int = 0
    warnings: int = 0
    sources: int = 0
    seconds: float = 0.0

    def add(self, result: LintResult) -> None:
        """Count one result in."""
        self.bodies += 1
        self.invalid += not result.valid
        self.errors += len(result.errors)
        self.warnings += len(result.warnings)

    def line(self) -> str:
        """One human sentence, e.g. for the end of the text format."""
        counted = (
            f"{self.bodies:,} bod{'y' if self.bodies == 1 else 'ies'} from "
            f"{self.sources:,} source{'' if self.sources == 1 else 's'}"
        )
        found = (
            f"{self.errors:,} error{_s(self.errors)}, {self.warnings:,} warning{_s(self.warnings)}"
        )
        if self.invalid:
            return f"{self.invalid:,} of {counted} invalid ({found}) in {self.seconds:.2f}s"
        return f"all {counted} valid ({found}) in {self.seconds:.2f}s"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


class LintReporter(Protocol):
    """What every lint output format implements."""

    def __init__(self, out: TextIO) -> None: ...

    def add(self, result: LintResult) -> None: ...

    def close(self, summary: LintSummary) -> None: ...


def _place(result: LintResult, finding: Finding) -> tuple[int, int]:
    return finding.line or result.line, finding.column or 1


class LineReporter:
    """A format that renders each result on its own, so results can be rendered anywhere
    (in worker processes too) and written in order."""

    summary_line = True

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def render(self, result: LintResult) -> str:
        raise NotImplementedError

    def add(self, result: LintResult) -> None:
        self.out.write(self.render(result))

    def close(self, summary: LintSummary) -> None:
        if self.summary_line:
            self.out.write(summary.line() + "\n")


class TextReporter(LineReporter):
    """``file:line:column: pointer: message [severity rule]``, then a summary line."""

    def render(self, result: LintResult) -> str:
        out = []
        for severity, findings in (("error", result.errors), ("warning", result.warnings)):
            for f in findings:
                line, column = _place(result, f)
                said = _one_line(f"{f.pointer or '(root)'}: {f.message}")
                out.append(f"{result.source}:{line}:{column}: {said} [{severity} {f.rule}]\n")
        return "".join(out)


class JsonReporter(LineReporter):
    """One JSON object per body, newline-delimited (see ``LintResult.to_dict``)."""

    summary_line = False

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self._clean: tuple[str, str] = ("", "")

    def render(self, result: LintResult) -> str:
        if result.errors or result.warnings:
            return orjson.dumps(result.to_dict()).decode() + "\n"
        # A clean body is the common case: reuse its line, with only "line" changing.
        source, head = self._clean
        if source != result.source:
            head = '{"source":' + orjson.dumps(result.source).decode() + ',"line":'
            self._clean = (result.source, head)
        return f'{head}{result.line},"valid":true,"errors":[],"warnings":[]}}\n'


def _one_line(text: str) -> str:
    """A key or value holding a line break stays on its finding's line, escaped."""
    if "\n" in text or "\r" in text:
        return text.replace("\r", "\\r").replace("\n", "\\n")
    return text


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(LineReporter):
    """GitHub Actions workflow commands: ``::error file=...,line=...,col=...::message``."""

    def render(self, result: LintResult) -> str:
        out = []
        for severity, findings in (("error", result.errors), ("warning", result.warnings)):
            for f in findings:
                line, column = _place(result, f)
                props = (
                    f"file={_escape_property(result.source)},line={line},col={column},"
                    f"title={_escape_property('wai-contract ' + f.rule)}"
                )
                out.append(
                    f"::{severity} {props}::"
                    f"{_escape_data((f.pointer or '(root)') + ': ' + f.message)}\n"
                )
        return "".join(out)


class SarifReporter:
    """One SARIF 2.1.0 log for code-scanning upload, written when the run closes."""

    SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.results: list[dict[str, Any]] = []
        self.rules: dict[str, str] = {}

    def add(self, result: LintResult) -> None:
        for level, findings in (("error", result.errors), ("warning", result.warnings)):
            for f in findings:
                rule_id = f"{level}/{f.rule}"
                text = WARNING_CODES.get(f.rule) or _RULE_TEXT.get(f.rule)
                self.rules.setdefault(rule_id, text or f"JSON Schema keyword '{f.rule}' failed.")
                line, column = _place(result, f)
                entry: dict[str, Any] = {
                    "ruleId": rule_id,
                    "level": level,
                    "message": {"text": f"{f.pointer or '(root)'}: {f.message}"},
                    "properties": {"pointer": f.pointer},
                }
                if not result.source.startswith("<"):
                    entry["locations"] = [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": _uri(result.source)},
                                "region": {"startLine": line, "startColumn": column},
                            }
                        }
                    ]
                self.results.append(entry)

    def close(self, summary: LintSummary) -> None:
        from .. import __version__

        log = {
            "$schema": self.SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "wai-contract",
                            "version": __version__,
                            "rules": [
                                {"id": rule_id, "shortDescription": {"text": text}}
                                for rule_id, text in sorted(self.rules.items())
                            ],
                        }
                    },
                    "results": self.results,
                }
            ],
        }
        self.out.write(orjson.dumps(log, option=orjson.OPT_INDENT_2).decode() + "\n")


_RULE_TEXT = {
    "json": "The body is not strict JSON, or holds a value JSON cannot carry.",
    "type": "A value has the wrong JSON type.",
    "required": "A required property is missing.",
    "oneOf": "The body or a tool must match exactly one of its variants.",
    "maximum": "A number is above its maximum.",
    "minimum": "A number is below its minimum.",
    "maxLength": "A string is longer than its maximum.",
    "minLength": "A string is shorter than its minimum.",
}

LINT_FORMATS: dict[str, type[LineReporter | SarifReporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "github": GithubReporter,
    "sarif": SarifReporter,
}
"""Lint output formats by name; the CLI's ``--format`` choices come from here."""


def _uri(source: str) -> str:
    """A file name as a relative URI reference: separators as ``/``, the rest percent-encoded."""
    from urllib.parse import quote

    return quote(source.replace(os.sep, "/"), safe="/")
