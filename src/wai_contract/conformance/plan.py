"""The plan of a run: every check's requests, in the order they are sent."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..generate import generate
from .cases import Case, Job, Surface
from .checks import CHECKS, PlanContext
from .contract import Contract, RunSettings


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


@dataclass
class Plan:
    """The jobs of a run, and why a check planned none (by check id)."""

    jobs: list[Job] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def cases(self) -> list[Case]:
        """Every request, in the order it is sent."""
        return [case for job in self.jobs for case in job.cases]

    def part(self, shard: Shard | None) -> Plan:
        """The jobs of *shard*: every N-th job from the K-th, so each part gets its share of
        every check; a job's requests (judged together) stay in one part. The plan is the
        same on every machine for one seed, so the parts never overlap and cover it all."""
        if shard is None:
            return self
        return Plan(self.jobs[shard.index - 1 :: shard.count], dict(self.notes))


def make_plan(
    has_token: bool,
    contract: Contract,
    settings: RunSettings,
    surfaces: Sequence[Surface] = ("native",),
) -> Plan:
    """Ask every enabled check for its requests on each surface, one surface after the
    other; within one, generated bodies go first, by number."""
    generated = list(generate(settings.max_examples, seed=settings.seed))
    all_settings = {check: contract.settings(check) for check in CHECKS}
    plan = Plan()
    for index, surface in enumerate(surfaces):
        context = PlanContext(
            has_token,
            generated,
            all_settings,
            contract.examples,
            contract.limits,
            surface,
            surfaces,
        )
        jobs: list[Job] = []
        for check_id, check in CHECKS.items():
            if contract.enabled(check_id):
                jobs += check.probes(all_settings[check_id], context)
        jobs.sort(key=lambda job: job.order)  # stable: probes keep the checks' order
        plan.jobs += [dataclasses.replace(job, order=(index, *job.order)) for job in jobs]
        plan.notes.update(context.notes)
    return plan
