"""Conformance testing: a contract's checks run against an endpoint, giving a :class:`Report`.

The pipeline, one module a stage: :mod:`.target` (where to send) and :mod:`.contract`
(what to check) feed :mod:`.plan` (every check's requests, as :mod:`.cases`); the
:mod:`.engine` sends them through :mod:`.http`, reads each answer once (:mod:`.answers`)
and offers it to every check in :mod:`.checks`; :mod:`.shrink` cuts failing bodies down;
:mod:`.results` holds the verdicts, which :mod:`.reporters` render; :mod:`.merge` joins
the reports of a run split into parts (``RunOptions.shard``).
"""

from __future__ import annotations

from .cases import Case
from .contract import DEFAULT_CONTRACT, LIVE_CONTRACT, Contract, load_contract
from .engine import Interrupted, plan, run
from .execution import RunProgress
from .merge import merge_reports
from .plan import RunOptions, Shard
from .reporters import prepare_report_dir, render_console, write_report
from .results import Report, compare, load_report
from .target import Target, open_target

__all__ = [
    "DEFAULT_CONTRACT",
    "LIVE_CONTRACT",
    "Case",
    "Contract",
    "Interrupted",
    "Report",
    "RunOptions",
    "RunProgress",
    "Shard",
    "Target",
    "compare",
    "load_contract",
    "load_report",
    "merge_reports",
    "open_target",
    "plan",
    "prepare_report_dir",
    "render_console",
    "run",
    "write_report",
]
