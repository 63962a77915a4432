"""Exceptions raised by wai-contract.

Every exception the toolkit raises on purpose derives from one root, so a caller
(and the CLI, which prints ``error: <message>`` and exits 2) can catch them all::

    WaiContractError
     ├── SourceError      a path or stream of request bodies cannot be read, or holds none
     ├── ConfigError      an option, schema name or contract is not usable (.source, .pointer)
     ├── OutputError      a report or an output file cannot be written
     ├── TargetError      the target cannot be judged at all: unreachable, refusing the
     │                    token, no such route, or no longer serving (quota, deprecation)
     └── WorkerError      a worker process of a parallel lint failed or stopped

Problems found *in* a request body are never exceptions: they are findings in a
:class:`~wai_contract.lint.LintResult`; problems of a server are failures in a
:class:`~wai_contract.conformance.Report`.
"""

from __future__ import annotations


class WaiContractError(Exception):
    """Root of every error wai-contract raises on purpose."""


class SourceError(WaiContractError):
    """A path, directory or stream of request bodies cannot be read."""

    def __init__(self, path: str, reason: str, *, message: str | None = None) -> None:
        super().__init__(message or f"cannot read {path}: {reason}")
        self.path = path
        self.reason = reason


class ConfigError(WaiContractError):
    """An option, schema name or contract that the toolkit cannot use.

    ``source`` names the file (or option) and ``pointer`` the place in it, when known;
    the message then starts with them: ``mine.yaml: /checks/auth: ...``.
    """

    def __init__(self, message: str, *, source: str | None = None, pointer: str | None = None):
        where = ": ".join(part for part in (source, pointer) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.source = source
        self.pointer = pointer
        self.reason = message


class OutputError(WaiContractError):
    """A report folder or an output file cannot be created or written."""


class TargetError(WaiContractError):
    """The target cannot be judged at all: the run stops at once (exit status 2)."""


class WorkerError(WaiContractError):
    """A worker process of a parallel lint failed, or stopped before its end."""
