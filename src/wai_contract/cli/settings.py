"""Where a command's options come from besides the command line: ``WAI_CONTRACT_*``
environment variables, then ``[tool.wai-contract.COMMAND]`` in the nearest
``pyproject.toml`` (found from the working directory up), then the contract, then the
defaults. click applies that order (command line, environment, ``default_map``, default);
this module finds and checks the table it is given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import ConfigError

ENV_PREFIX = "WAI_CONTRACT"
"""``WAI_CONTRACT_RUN_MAX_EXAMPLES=50``: the command's name, then the option's, in capitals."""


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest ``pyproject.toml`` from *start* (the working directory) up, or ``None``."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


def default_map(group: click.Group, path: Path | None) -> dict[str, Any]:
    """click's ``default_map`` from ``[tool.wai-contract]`` of *path*: each command's table,
    its keys checked against the command's options (``max-examples`` or ``max_examples``)."""
    if path is None:
        return {}
    import tomllib

    from ..files import MAX_CONFIG_BYTES, read_capped

    try:
        document = tomllib.loads(read_capped(path, MAX_CONFIG_BYTES, "pyproject.toml"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not TOML: {exc}") from None
    table = document.get("tool", {}).get("wai-contract")
    if table is None:
        return {}
    where = f"{path} [tool.wai-contract]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} is not a table")
    return {name: _command_defaults(group, name, values, where) for name, values in table.items()}


def _command_defaults(group: click.Group, name: str, values: Any, where: str) -> dict[str, Any]:
    command = group.commands.get(name)
    if command is None:
        known = ", ".join(sorted(group.commands))
        raise ConfigError(f"{where}: no command {name!r} (one of {known})")
    if not isinstance(values, dict):
        raise ConfigError(f"{where}.{name} is not a table")
    if isinstance(command, click.Group):
        return {
            sub: _command_defaults(command, sub, v, f"{where}.{name}") for sub, v in values.items()
        }
    options = {
        flag.lstrip("-").replace("-", "_"): param
        for param in command.params
        if isinstance(param, click.Option) and param.name
        for flag in param.opts
        if flag.startswith("--")
    }
    out = {}
    for key, value in values.items():
        option = options.get(key.replace("-", "_"))
        if option is None or option.name in _NOT_FROM_A_FILE or option.name is None:
            raise ConfigError(f"{where}.{name}: no option {key!r} that a file may set")
        out[option.name] = value
    return out


_NOT_FROM_A_FILE = {"token", "help"}
"""Options no file sets: a token belongs in the environment or a token file."""
