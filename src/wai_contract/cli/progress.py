"""How ``run`` shows its progress on stderr: a bar on a terminal, a plain line now and then
elsewhere (CI logs), so that a long or stuck run always shows where it is."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import click

PLAIN_EVERY_SECONDS = 10.0


def describe(progress: Any) -> str:
    """``120/600 cases, 3 failing, 1 timeout, 131 requests``."""
    timeouts = f", {progress.timeouts} timeouts" if progress.timeouts else ""
    return (
        f"{progress.done}/{progress.total} cases, {progress.failures} failing{timeouts}, "
        f"{progress.requests:,} requests"
    )


@contextlib.contextmanager
def progress_display(every: float = PLAIN_EVERY_SECONDS) -> Iterator[Callable[[Any], None]]:
    """A progress callback for :func:`wai_contract.conformance.run`. Nothing shows before
    the first case is done, so that a run ending before its plan prints its error alone."""
    if sys.stderr.isatty():
        with _bar() as show:
            yield show
        return
    last = [-every]

    def plain(progress: Any) -> None:
        now = time.monotonic()
        if now - last[0] >= every or progress.done == progress.total:
            last[0] = now
            click.echo(f"running: {describe(progress)}", err=True)

    yield plain


@contextlib.contextmanager
def _bar() -> Iterator[Callable[[Any], None]]:
    with contextlib.ExitStack() as stack:
        bars: list[Any] = []

        def show(progress: Any) -> None:
            if not bars:
                bar = click.progressbar(
                    length=progress.total, label="running", file=sys.stderr, show_pos=True
                )
                bars.append(stack.enter_context(bar))
            bars[0].update(progress.done - bars[0].pos)

        yield show
