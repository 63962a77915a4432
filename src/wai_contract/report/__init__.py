"""Renderers: results in, text out. Each format is one class, registered in one dict."""

from __future__ import annotations

from .lint import LINT_FORMATS, LintSummary

__all__ = ["LINT_FORMATS", "LintSummary"]
