"""Conformance testing: a contract's checks run against an endpoint, giving a :class:`Report`.

The pipeline, one entry a stage: :mod:`.target` (where to send) and :mod:`.contract`
(what to check, and the run's options) feed :mod:`.plan` (every check's requests, as
:mod:`.cases`); the :mod:`.engine` (the run's policy) sends them through :mod:`.http` (one
exchange, bounded and redacted), reads each answer once (:mod:`.answers`, with the
:mod:`.problems` every answer may have) and offers it to every check in :mod:`.checks`;
:mod:`.results` assembles the verdicts into a report, which :mod:`.reporters` render;
:mod:`.merge` compares a report with its baseline and joins the parts of a sharded run.

Layers, lowest first (``tests/unit/test_layers.py`` holds them): ``http``; ``cases``,
``problems``; ``answers``; ``checks``; ``contract``; ``results``, ``plan``, ``target``;
``merge``, ``reporters``; ``engine``.
"""

from __future__ import annotations

from .cases import Case
from .contract import DEFAULT_CONTRACT, LIVE_CONTRACT, Contract, RunOptions, Shard, load_contract
from .engine import Interrupted, RunProgress, plan, run
from .merge import compare, merge_reports
from .reporters import (
    prepare_report_dir,
    render_annotations,
    render_console,
    verdict_line,
    write_report,
)
from .results import Report, load_report
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
    "render_annotations",
    "render_console",
    "run",
    "verdict_line",
    "write_report",
]
