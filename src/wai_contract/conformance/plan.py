"""The plan of a run: every check's requests, in the order they are sent."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..generate import generate
from .cases import Case, Job, Surface
from .checks import CHECKS, PlanContext
from .contract import Contract, RunSettings, Shard


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
            contract.readings,
        )
        jobs: list[Job] = []
        for check_id, check in CHECKS.items():
            if contract.enabled(check_id):
                jobs += check.probes(all_settings[check_id], context)
        jobs.sort(key=lambda job: job.order)  # stable: probes keep the checks' order
        plan.jobs += [dataclasses.replace(job, order=(index, *job.order)) for job in jobs]
        plan.notes.update(context.notes)
    return plan
