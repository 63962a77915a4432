"""Contract files: which checks run, their typed settings, example cases, known deviations.

A contract is YAML, validated against ``contract.schema.json`` (whose ``checks`` part comes
from the registered checks' settings) with errors that name the file and the JSON Pointer.
``contracts/workers-ai.yaml`` is the default (the package ships an identical copy).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..files import MAX_CONFIG_BYTES, read_capped
from ..readings import READINGS, ReadingName
from ..schemas import join_pointer
from .cases import Example, Limits
from .checks import CHECKS

_DATA = Path(__file__).resolve().parent.parent / "_data"
DEFAULT_CONTRACT = _DATA / "workers-ai.yaml"
LIVE_CONTRACT = _DATA / "workers-ai-live.yaml"
"""The contract of the live service, the default with ``--account-id``."""


@dataclass(frozen=True)
class RunSettings:
    """The contract's ``run`` section: defaults that command-line options override."""

    max_examples: int = 500
    seed: int = 0
    concurrency: int = 4
    max_concurrency: int = 96
    """Exchanges in flight the run may grow to while answers are slow and the target
    neither queues nor pushes back (see ``conformance/engine/_slots.py``). Our reading, for
    servers of unknown capacity: 96 hides two-second answers; a server that queues stops
    the growth."""
    timeout: float = 30.0
    requests_per_minute: float | None = None
    """A pace for live services (none: as fast as the concurrency allows)."""
    deadline: float | None = None
    """Seconds the whole run may take (none: scaled from the plan, see ``run_deadline``)."""
    inconclusive_limit: float = 0.1
    """Above this share of inconclusive cases, the target was too busy to judge: the run
    fails. Our reading: one case in ten answered only 'busy' leaves too little judged."""


@dataclass(frozen=True)
class Shard:
    """One part of a run split over machines: part *index* (from 1) of *count*."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``K/N``, with 1 <= K <= N."""
        index, _, count = text.partition("/")
        if not (index.strip().isdigit() and count.strip().isdigit()):
            raise ConfigError(f"--shard {text!r}: expected K/N, such as 1/4")
        shard = cls(int(index), int(count))
        if not 1 <= shard.index <= shard.count:
            raise ConfigError(f"--shard {text!r}: K must be from 1 to N")
        return shard

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class RunOptions:
    """Run settings; ``None`` takes the contract's value, then the default."""

    max_examples: int | None = None
    seed: int | None = None
    timeout: float | None = None
    concurrency: int | None = None
    max_requests: int | None = None
    shrink: bool = True
    strict: bool | None = None
    """Count warnings as failures (``None``: as the contract says)."""
    requests_per_minute: float | None = None
    deadline: float | None = None
    """Seconds the whole run may take (``None``: the contract's, else scaled from the plan)."""
    shard: Shard | None = None
    """Send only this part of the plan (reports of all parts merge into one)."""
    max_concurrency: int | None = None

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> RunOptions:
        """Options from keyword settings (``shard`` may be ``"K/N"``); an unknown name is a
        :class:`ConfigError` that lists the known ones."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(settings.keys() - known)
        if unknown:
            raise ConfigError(
                f"unknown run setting {unknown[0]!r}; known: {', '.join(sorted(known))}"
            )
        shard = settings.get("shard")
        if isinstance(shard, str):
            settings = {**settings, "shard": Shard.parse(shard)}
        return cls(**settings)

    def resolve(self, contract: Contract) -> RunSettings:
        """The settings in force: these options over the contract's ``run`` section."""
        base = contract.run
        return RunSettings(
            max_examples=_first(self.max_examples, base.max_examples),
            seed=_first(self.seed, base.seed),
            concurrency=_first(self.concurrency, base.concurrency),
            max_concurrency=_first(self.max_concurrency, base.max_concurrency),
            timeout=float(_first(self.timeout, base.timeout)),
            requests_per_minute=_first(self.requests_per_minute, base.requests_per_minute),
            deadline=_first(self.deadline, base.deadline),
            inconclusive_limit=base.inconclusive_limit,
        )


def _first(value: Any, default: Any) -> Any:
    return default if value is None else value


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
    """A parsed contract: typed settings for every registered check."""

    source: str
    checks: dict[str, Any] = field(default_factory=dict)
    """Each check's settings object, by check id (defaults where the file says nothing)."""
    run: RunSettings = field(default_factory=RunSettings)
    examples: list[Example] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    strict: bool = False
    """Warnings count as failures."""
    limits: Limits = field(default_factory=Limits)
    readings: tuple[ReadingName, ...] = READINGS
    """The readings of an OpenAI-compatible body the target follows (see :mod:`...readings`)."""

    def enabled(self, check: str) -> bool:
        """Checks run unless the contract says ``enabled: false``."""
        return bool(self.settings(check).enabled)

    def settings(self, check: str) -> Any:
        """The settings of *check* (its defaults when the contract does not name it)."""
        found = self.checks.get(check)
        return CHECKS[check].settings_class() if found is None else found

    def only(self, selected: set[str]) -> Contract:
        """A copy in which only the *selected* checks run."""
        checks = {
            check: dataclasses.replace(self.settings(check), enabled=False)
            if check not in selected
            else self.settings(check)
            for check in CHECKS
        }
        return dataclasses.replace(self, checks=checks)

    def deviation_for(self, check: str, code: str, message: str) -> Deviation | None:
        return next((d for d in self.deviations if d.covers(check, code, message)), None)


def load_contract(path: str | Path | None = None, *, live: bool = False) -> Contract:
    """Read and validate a contract file; without *path*, the bundled one: for the *live*
    service, its own (context window, pace), else the default."""
    import yaml

    bundled = LIVE_CONTRACT if live else DEFAULT_CONTRACT
    source = Path(path) if path is not None else bundled
    shown = str(path) if path is not None else "default contract"
    text = read_capped(source, MAX_CONFIG_BYTES, "contract")
    try:
        _check_yaml_shape(text, shown)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(problem, source=shown, pointer=where) from None
    _check_json_values(data, shown)
    return parse_contract(data, shown)


def _check_json_values(data: Any, shown: str) -> None:
    """Refuse what YAML builds and JSON cannot hold (``!!set``, ``!!binary``, dates):
    a contract's requests are sent as JSON."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            odd = next((k for k in value if not isinstance(k, str)), None)
            if odd is not None:
                where = join_pointer(path) or "/"
                kind = type(odd).__name__
                raise ConfigError(f"a YAML {kind} key is not JSON", source=shown, pointer=where)
            stack += [(v, (*path, k)) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(v, (*path, n)) for n, v in enumerate(value)]
        elif not (value is None or isinstance(value, str | int | float | bool)):
            kind = type(value).__name__
            where = join_pointer(path) or "/"
            raise ConfigError(f"a YAML {kind} is not JSON", source=shown, pointer=where)


MAX_YAML_DEPTH = 64
"""Nesting a contract may have: ours nests four levels."""


def _check_yaml_shape(text: str, shown: str) -> None:
    """Refuse, before building anything, YAML aliases (a few hundred bytes of them expand
    to gigabytes) and nesting deeper than :data:`MAX_YAML_DEPTH` (the builder recurses)."""
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            where = f"line {event.start_mark.line + 1}" if event.start_mark else None
            raise ConfigError("YAML aliases (*name) are not allowed", source=shown, pointer=where)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise ConfigError(f"nested deeper than {MAX_YAML_DEPTH} levels", source=shown)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def contract_schema() -> dict[str, Any]:
    """The JSON Schema of contract files, with each registered check's settings."""
    schema: dict[str, Any] = json.loads((_DATA / "contract.schema.json").read_text("utf-8"))
    schema["properties"]["checks"]["properties"] = {
        check_id: check.settings_class.schema() for check_id, check in CHECKS.items()
    }
    return schema


def parse_contract(data: Any, source: str = "<contract>") -> Contract:
    """Validate a contract already loaded from YAML or JSON."""
    import jsonschema

    _reject_unknown_checks(data, source, list(CHECKS))
    error = jsonschema.exceptions.best_match(_contract_validator().iter_errors(data))
    if error is not None:
        where = join_pointer(tuple(error.absolute_path)) or "/"
        raise ConfigError(_explain(error), source=source, pointer=where)
    given = data.get("checks") or {}
    return Contract(
        source=source,
        checks={
            check_id: check.settings_class.from_contract(dict(given.get(check_id) or {}))
            for check_id, check in CHECKS.items()
        },
        run=RunSettings(**(data.get("run") or {})),
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
        strict=bool(data.get("strict", False)),
        limits=Limits(
            (data.get("limits") or {}).get("context_window"),
            tuple((data.get("limits") or {}).get("lora_names") or ()),
        ),
        readings=tuple(data.get("readings") or READINGS),
    )


@functools.cache
def _contract_validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(contract_schema())


def _reject_unknown_checks(data: Any, source: str, known: list[str]) -> None:
    if not isinstance(data, dict):
        return
    checks = data.get("checks")
    for check in checks if isinstance(checks, dict) else ():
        if check not in known:
            close = difflib.get_close_matches(str(check), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; checks: {', '.join(known)}"
            raise ConfigError(f"unknown check{hint}", source=source, pointer=f"/checks/{check}")
    deviations = data.get("known_deviations")
    for number, deviation in enumerate(deviations if isinstance(deviations, list) else ()):
        check = deviation.get("check") if isinstance(deviation, dict) else None
        if isinstance(check, str) and check not in known:
            raise ConfigError(
                f"unknown check {check!r}",
                source=source,
                pointer=f"/known_deviations/{number}/check",
            )


def _explain(error: Any) -> str:
    if error.validator == "additionalProperties":
        return f"{error.message}; see contracts/workers-ai.yaml for the known keys"
    return str(error.message)
