"""The ``wai-contract`` command line: click options in, one library call out.

One module per command; nothing here does the work, and heavy modules are imported
inside each command so that ``wai-contract --help`` starts fast. Every error the toolkit
raises on purpose becomes ``error: <message>`` and exit status 2.
"""

from __future__ import annotations

from . import gen, lint, report, run, schemas, serve  # noqa: F401  (a command's module adds it)
from .base import cli, main

__all__ = ["cli", "main"]
