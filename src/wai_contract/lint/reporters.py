"""Output formats of ``wai-contract lint``: text, json, github and sarif.

A reporter receives each :class:`~wai_contract.lint.LintResult` as it is produced (so
large inputs stream) and a :class:`LintSummary` at the end.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

import orjson

from ..display import github_data, github_property, one_json_line
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
        self.write(self.render(result))

    def write(self, rendered: str) -> None:
        """Write what :meth:`render` made, here or in a worker process."""
        self.out.write(rendered)

    def close(self, summary: LintSummary) -> None:
        if self.summary_line:
            self.out.write(summary.line() + "\n")

    def abandon(self) -> None:
        """End what was written when the run stops on an error (an unreadable file)."""


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
            return one_json_line(orjson.dumps(result.to_dict())).decode() + "\n"
        # A clean body is the common case: reuse its line, with only "line" changing.
        source, head = self._clean
        if source != result.source:
            head = '{"source":' + one_json_line(orjson.dumps(result.source)).decode() + ',"line":'
            self._clean = (result.source, head)
        return f'{head}{result.line},"valid":true,"errors":[],"warnings":[]}}\n'


_LINE_BREAKS = {
    0x0A: "\\n", 0x0D: "\\r", 0x0B: "\\x0b", 0x0C: "\\x0c", 0x1C: "\\x1c", 0x1D: "\\x1d",
    0x1E: "\\x1e", 0x85: "\\x85", 0x2028: "\\u2028", 0x2029: "\\u2029",
}  # fmt: skip
"""Every character ``str.splitlines`` breaks a line at, escaped."""


def _one_line(text: str) -> str:
    """A key or value holding a line break (any that ``str.splitlines`` knows) stays on its
    finding's line, escaped."""
    return text.translate(_LINE_BREAKS) if not text.isprintable() else text


class GithubReporter(LineReporter):
    """GitHub Actions workflow commands: ``::error file=...,line=...,col=...::message``."""

    def render(self, result: LintResult) -> str:
        out = []
        for severity, findings in (("error", result.errors), ("warning", result.warnings)):
            for f in findings:
                line, column = _place(result, f)
                props = (
                    f"file={github_property(result.source)},line={line},col={column},"
                    f"title={github_property('wai-contract ' + f.rule)}"
                )
                out.append(
                    f"::{severity} {props}::"
                    f"{github_data((f.pointer or '(root)') + ': ' + f.message)}\n"
                )
        return "".join(out)


class SarifReporter(LineReporter):
    """One SARIF 2.1.0 log for code-scanning upload. Its results are written as they come
    (rendered anywhere, as the line formats are: in worker processes too), and the rules
    they name close the log."""

    SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
    summary_line = False

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self.rules: dict[str, str] = {}
        self._opened = self._any = False

    def render(self, result: LintResult) -> str:
        """Each finding's result object, at its depth in the log, after a comma."""
        out = []
        for level, findings in (("error", result.errors), ("warning", result.warnings)):
            for f in findings:
                line, column = _place(result, f)
                entry: dict[str, Any] = {
                    "ruleId": f"{level}/{f.rule}",
                    "level": level,
                    "message": {"text": f"{f.pointer or '(root)'}: {f.message}"},
                    "properties": {"pointer": f.pointer},
                }
                if not result.source.startswith("<"):
                    region = {"startLine": line, "startColumn": column}
                    location = {"artifactLocation": {"uri": _uri(result.source)}, "region": region}
                    entry["locations"] = [{"physicalLocation": location}]
                out.append("," + _indented(entry, _RESULT_DEPTH))
        return "".join(out)

    def write(self, rendered: str) -> None:
        if not self._opened:
            self._opened = True
            self.out.write(
                '{\n  "$schema": "' + self.SCHEMA + '",\n  "version": "2.1.0",\n'
                '  "runs": [\n    {\n      "results": ['
            )
        if rendered:
            for rule_id in _RULE_ID.findall(rendered):
                if rule_id not in self.rules:
                    rule = rule_id.partition("/")[2]
                    text = WARNING_CODES.get(rule) or _RULE_TEXT.get(rule)
                    self.rules[rule_id] = text or f"JSON Schema keyword '{rule}' failed."
            if not self._any:
                self._any, rendered = True, rendered[1:]  # no comma before the first
            self.out.write(rendered)

    def abandon(self) -> None:
        if self._opened:  # a log with the results so far, still valid JSON
            self.close(LintSummary())

    def close(self, summary: LintSummary) -> None:
        from .._version import __version__

        self.write("")
        rules = [{"id": i, "shortDescription": {"text": t}} for i, t in sorted(self.rules.items())]
        tool = {"driver": {"name": "wai-contract", "version": __version__, "rules": rules}}
        end = "\n      ]," if self._any else "],"
        self.out.write(f'{end}\n      "tool": {_indented(tool, 6)[7:]}\n    }}\n  ]\n}}\n')


_RESULT_DEPTH = 8
"""Spaces before a result object in the log: inside the root, runs, the run and results."""
_RULE_ID = re.compile(r'^ {10}"ruleId": "([^"\\]+)",$', re.MULTILINE)
"""A result's rule, as :meth:`SarifReporter.render` writes it (strings hold no line break)."""


def _indented(value: Any, depth: int) -> str:
    """*value* as JSON indented by two, on its own line at *depth* spaces."""
    margin = "\n" + " " * depth
    return margin + orjson.dumps(value, option=orjson.OPT_INDENT_2).decode().replace("\n", margin)


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

LINT_FORMATS: dict[str, type[LineReporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "github": GithubReporter,
    "sarif": SarifReporter,
}
"""Lint output formats by name; the CLI's ``--format`` choices come from here."""


@functools.lru_cache(maxsize=256)
def _uri(source: str) -> str:
    """A file name as a relative URI reference: separators as ``/``, the rest percent-encoded."""
    from urllib.parse import quote

    return quote(source.replace(os.sep, "/"), safe="/")
