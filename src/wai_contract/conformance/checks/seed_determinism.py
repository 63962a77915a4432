"""The same body with the same seed gets the same answer."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from ..answers import Answer
from ..cases import Job
from ..problems import Problem
from .base import Check, PlanContext, Settings, register, setting

SEEDS = (1, 42, 9999999999, 123456789)
BODIES: tuple[dict[str, Any], ...] = (
    {"prompt": "Tell me all about PEP-8", "seed": SEEDS[0]},
    {"messages": [{"role": "user", "content": "Why is pizza so good"}], "seed": SEEDS[1]},
    {"prompt": "Summarise Hamlet", "seed": SEEDS[2], "temperature": 1.5},
    {
        "messages": [
            {"role": "system", "content": "Be brief"},
            {"role": "user", "content": "Name three rivers"},
        ],
        "seed": SEEDS[3],
        "top_k": 5,
    },
)


@dataclasses.dataclass(frozen=True)
class SeedSettings(Settings):
    probes: int = setting(
        4, {"type": "integer", "minimum": 0}, "bodies sent twice with the same seed"
    )


@register
class SeedDeterminism(Check):
    id = "seed-determinism"
    title = "Same seed, same answer"
    description = (
        "The same body with the same seed twice gets the same answer; a warning, since the "
        "vendor describes seed as 'for reproducibility' but promises no identical output."
    )
    settings_class = SeedSettings

    def probes(self, settings: SeedSettings, context: PlanContext) -> Iterator[Job]:
        for number in range(settings.probes):
            case = context.case(
                f"seed-{number + 1}",
                self.id,
                BODIES[number % len(BODIES)],
                tags=("seed",),
                probe="seed",
            )
            yield Job((case, case))

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        if answer.case.probe != "seed" or not answer.earlier:
            return None
        first = answer.earlier[0].reply
        second = answer.reply
        if first is None or second is None:
            return None  # accepts-valid reports the refusal
        if (first.text, first.tool_calls) == (second.text, second.tool_calls):
            return []
        return [
            Problem(
                "seed-differs",
                f"the same body with seed {answer.case.body['seed']} got "
                f"{first.text[:50]!r}, then {second.text[:50]!r}",
                warning=True,
            )
        ]
