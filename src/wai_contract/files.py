"""Reading a file the user named, within bounds: a size cap (``/dev/zero`` is a file too),
one clear :class:`~wai_contract.errors.ConfigError` for whatever goes wrong."""

from __future__ import annotations

from pathlib import Path

from .errors import ConfigError

MAX_CONFIG_BYTES = 4 * 1024 * 1024
"""A contract or a schema: ours are a few KB."""
MAX_REPORT_BYTES = 256 * 1024 * 1024
"""A ``report.json``: each failing cause keeps one exchange, bodies up to 131072 characters."""


def read_capped(path: str | Path, cap: int, what: str) -> str:
    """The UTF-8 text of *path* (*what* it is, for errors), refused past *cap* bytes."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(cap + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(data) > cap:
        raise ConfigError(f"{what} {path} is larger than {cap:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{what} {path} is not UTF-8 text") from None
