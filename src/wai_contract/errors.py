"""Exceptions raised by wai-contract.

Every exception the toolkit raises on purpose derives from one root, so a caller
(and the CLI, which prints ``error: <message>`` and exits 2) can catch them all::

    WaiContractError
     ├── SourceError      a path or stream of request bodies cannot be read
     └── ConfigError      an option, schema name or contract is not usable

Problems found *in* a request body are never exceptions: they are findings in a
:class:`~wai_contract.lint.LintResult`.
"""

from __future__ import annotations


class WaiContractError(Exception):
    """Root of every error wai-contract raises on purpose."""


class SourceError(WaiContractError):
    """A path, directory or stream of request bodies cannot be read."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot read {path}: {reason}")
        self.path = path
        self.reason = reason


class ConfigError(WaiContractError):
    """An option, schema name or contract that the toolkit cannot use."""
