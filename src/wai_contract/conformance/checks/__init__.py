"""The conformance checks: one module per check, registered in report order.

Adding a check is one module (a :class:`~.base.Check` subclass decorated with
:func:`~.base.register`) and one import line below.
"""

from __future__ import annotations

# isort: off
from . import (  # noqa: F401  (importing a check's module registers it, in this order)
    accepts_valid,
    rejects_invalid,
    streaming,
    max_tokens,
    usage_totals,
    seed_determinism,
    cross_surface,
    tool_calls,
    openai_fields,
    auth,
    no_server_errors,
    transport,
    examples,
)

# isort: on
from .base import CHECKS, Check, PlanContext, Settings, register, setting

__all__ = ["CHECKS", "Check", "PlanContext", "Settings", "register", "setting"]
