"""Contract files: which checks run, their settings, example cases, known deviations.

A contract is YAML, validated against ``contract.schema.json`` with errors that name the
file, the JSON Pointer and the fix. ``contracts/workers-ai.yaml`` is the default (the
package ships an identical copy).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checks import CHECKS
from .errors import ConfigError
from .schemas import join_pointer

_DATA = Path(__file__).resolve().parent / "_data"
DEFAULT_CONTRACT = _DATA / "workers-ai.yaml"


@dataclass(frozen=True)
class Example:
    """An explicit case: a request and what must come back."""

    name: str
    request: Any
    status: int
    result_schema: dict[str, Any] | None = None
    error_contains: str | None = None
    stream: bool = False


@dataclass(frozen=True)
class Deviation:
    """A known deviation: failures of *check* (and *code*, *match*) do not fail the run."""

    check: str
    reason: str
    code: str | None = None
    match: str | None = None

    def covers(self, check: str, code: str, message: str) -> bool:
        return (
            self.check == check
            and (self.code is None or self.code == code)
            and (self.match is None or self.match in message)
        )


@dataclass
class Contract:
    """A parsed contract."""

    source: str
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)
    examples: list[Example] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)

    def enabled(self, check: str) -> bool:
        """Checks run unless the contract says ``enabled: false``."""
        return bool(self.checks.get(check, {}).get("enabled", True))

    def setting(self, check: str, key: str, default: Any) -> Any:
        return self.checks.get(check, {}).get(key, default)

    def deviation_for(self, check: str, code: str, message: str) -> Deviation | None:
        return next((d for d in self.deviations if d.covers(check, code, message)), None)


def load_contract(path: str | Path | None = None) -> Contract:
    """Read and validate a contract file (the default one when *path* is None)."""
    import yaml

    source = Path(path) if path is not None else DEFAULT_CONTRACT
    shown = str(path) if path is not None else "default contract"
    try:
        text = source.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read contract {shown}: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{shown}:{where}: {problem}") from None
    return parse_contract(data, shown)


def parse_contract(data: Any, source: str = "<contract>") -> Contract:
    """Validate a contract already loaded from YAML or JSON."""
    import jsonschema

    schema = json.loads((_DATA / "contract.schema.json").read_text("utf-8"))
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(data)
    )
    if error is not None:
        where = join_pointer(tuple(error.absolute_path)) or "/"
        raise ConfigError(f"{source}: {where}: {_explain(error)}")
    for check in data.get("checks") or {}:
        if check not in CHECKS:
            close = difflib.get_close_matches(check, list(CHECKS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; checks: {', '.join(CHECKS)}"
            raise ConfigError(f"{source}: /checks/{check}: unknown check{hint}")
    for number, deviation in enumerate(data.get("known_deviations") or []):
        if deviation["check"] not in CHECKS:
            raise ConfigError(
                f"{source}: /known_deviations/{number}/check: unknown check {deviation['check']!r}"
            )
    return Contract(
        source=source,
        checks={k: dict(v or {}) for k, v in (data.get("checks") or {}).items()},
        run=dict(data.get("run") or {}),
        examples=[
            Example(
                e["name"],
                e["request"],
                e["expect"]["status"],
                e["expect"].get("result"),
                e["expect"].get("error_contains"),
                e.get("stream", False),
            )
            for e in data.get("examples") or []
        ],
        deviations=[
            Deviation(d["check"], d["reason"], d.get("code"), d.get("match"))
            for d in data.get("known_deviations") or []
        ],
    )


def _explain(error: Any) -> str:
    if error.validator == "additionalProperties":
        return f"{error.message}; see contracts/workers-ai.yaml for the known keys"
    return str(error.message)
