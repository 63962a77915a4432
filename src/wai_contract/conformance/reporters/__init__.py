"""Renderers for a conformance :class:`~..results.Report`.

Each is a pure function from a report to text, registered in :data:`RUN_FORMATS` under the
file name it is written to; :func:`write_report` writes them all into one folder.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ...errors import OutputError
from ..results import Report
from .console import render_annotations, render_console
from .html import render_html
from .junit import render_junit
from .markdown import render_markdown
from .text import BODY_INLINE_LIMIT, case_text, verdict_line

__all__ = [
    "RUN_FORMATS",
    "case_text",
    "default_report_dir",
    "prepare_report_dir",
    "render_annotations",
    "render_console",
    "verdict_line",
    "write_report",
]


def render_json(report: Report) -> str:
    """``report.json``: every check and kept case, machine-readable."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


RUN_FORMATS: dict[str, Callable[[Report], str]] = {
    "report.json": render_json,
    "junit.xml": render_junit,
    "summary.md": render_markdown,
    "report.html": render_html,
}
"""Report files by name, each with its renderer."""


def default_report_dir() -> Path:
    """``reports/<UTC timestamp>/``, where a run writes unless told otherwise."""
    return Path("reports") / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def prepare_report_dir(directory: str | Path | None) -> Path:
    """Create the report folder (the default one for ``None``) before a run, so that a
    folder that cannot be written fails the run before it starts, not after. The default
    folder is always a new one: a second run in the same second gets ``<timestamp>-2``."""
    path = Path(directory) if directory is not None else default_report_dir()
    try:
        if directory is not None:
            path.mkdir(parents=True, exist_ok=True)
            _check_writable(path)
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        base, number = path, 1
        while True:
            try:
                path.mkdir()  # atomic: of two runs, one gets each name
                return path
            except FileExistsError:
                number += 1
                path = base.with_name(f"{base.name}-{number}")
    except OSError as exc:
        raise OutputError(
            f"cannot create the report folder {path}: {exc.strerror or exc}"
        ) from None
    return path


def _check_writable(folder: Path) -> None:
    """Raise :class:`OutputError` now if the report could not be written into *folder*
    after the run: a folder we may not write, a report file that is a folder or a link."""
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write the report to {folder}: permission denied")
    for name in [*RUN_FORMATS, "cases"]:
        path = folder / name
        if path.is_symlink():
            raise OutputError(f"cannot write the report to {folder}: {name} is a symbolic link")
        if path.exists() and path.is_dir() != (name == "cases"):
            what = "not a folder" if name == "cases" else "a folder"
            raise OutputError(f"cannot write the report to {folder}: {name} is {what}")


def write_report(report: Report, directory: str | Path) -> list[Path]:
    """Write every format of *report* into *directory* (created), and the full bodies of
    large failing cases under ``cases/`` so their ``curl`` commands run as written."""
    directory = Path(directory)
    try:
        return _write(report, directory)
    except OSError as exc:
        raise OutputError(
            f"cannot write the report to {directory}: {exc.strerror or exc}"
        ) from None


def _write(report: Report, directory: Path) -> list[Path]:
    """Every file lands in *directory*, none through a symbolic link: names made of a
    report's ids are cleaned, and a report read back (``report merge``) names no case file
    but those written here."""
    directory.mkdir(parents=True, exist_ok=True)
    for check in report.checks:
        for case in check.failures + check.warnings + check.known:
            case.body_file = None
            if case.exchange is None:
                continue
            text = json.dumps(case.exchange.body, ensure_ascii=False)
            if len(text) > BODY_INLINE_LIMIT:
                cases = directory / "cases"
                if cases.is_symlink():
                    raise OSError(f"{cases} is a symbolic link")
                cases.mkdir(exist_ok=True)
                name = f"cases/{_file_name(f'{check.id}-{case.id}')}.json"
                _write_new(directory / name, text)
                case.body_file = name
    written = []
    for name, render in RUN_FORMATS.items():
        path = directory / name
        _write_new(path, render(report))
        written.append(path)
    return written


def _file_name(ids: str) -> str:
    """*ids* as one file name: letters, digits, ``.``, ``-``, ``_``; never ``..``."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", ids)[:150].lstrip(".")
    return cleaned or "case"


def _write_new(path: Path, text: str) -> None:
    """Write *text* to *path*, replacing a file there but never following a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(path, flags, 0o644), "w", encoding="utf-8") as handle:
        handle.write(text)
