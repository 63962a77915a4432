"""wai-contract: schema validation and contract testing for the Workers AI text-generation
API of ``@cf/mistral/mistral-7b-instruct-v0.2-lora``.

The public API is small and re-exported here; everything else is an implementation detail.
"""

from __future__ import annotations

from .errors import ConfigError, SourceError, WaiContractError
from .lint import Finding, LintResult, lint
from .schemas import MODEL, SCHEMA_NAMES, load_schema

__all__ = [
    "MODEL",
    "SCHEMA_NAMES",
    "ConfigError",
    "Finding",
    "LintResult",
    "SourceError",
    "WaiContractError",
    "lint",
    "load_schema",
]

__version__ = "0.1.0"
