"""A target that serves both surfaces says the same on both: the same conversation at the
same seed gets the same text from ``/ai/run`` and from ``/ai/v1/chat/completions``.

A warning, not a failure: Cloudflare says the OpenAI-compatible path serves the same models
(../shared/real-api.md), but nothing promises identical output, even at one seed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from ...surfaces import to_openai
from ..answers import Answer
from ..cases import Case, Job
from ..problems import Problem
from .base import Check, PlanContext, Settings, register, setting

CONVERSATIONS = (
    {"messages": [{"role": "user", "content": "Why is pizza so good"}], "seed": 42},
    {
        "messages": [
            {"role": "system", "content": "Be brief"},
            {"role": "user", "content": "Name three rivers"},
        ],
        "seed": 123456789,
        "max_tokens": 40,
    },
)
"""Conversations that mean exactly the same on both surfaces (no native-only fields)."""


@dataclasses.dataclass(frozen=True)
class CrossSurfaceSettings(Settings):
    probes: int = setting(
        2, {"type": "integer", "minimum": 0}, "conversations sent to both surfaces at one seed"
    )


@register
class CrossSurface(Check):
    id = "cross-surface"
    title = "Both surfaces say the same"
    description = (
        "The same conversation at the same seed gets the same text on /ai/run and on "
        "/ai/v1/chat/completions; a warning, since nothing promises it."
    )
    settings_class = CrossSurfaceSettings

    def probes(self, settings: CrossSurfaceSettings, context: PlanContext) -> Iterator[Job]:
        if context.surface != "openai" or "native" not in context.surfaces:
            if context.surface == "native" and "openai" not in context.surfaces:
                context.notes[self.id] = "skipped: the target serves one surface"
            return
        for number in range(settings.probes):
            native = CONVERSATIONS[number % len(CONVERSATIONS)]
            ident = f"cross-surface-{number + 1}"
            tags = ("cross-surface",)
            yield Job(
                (
                    Case(ident, self.id, native, tags=tags, probe="cross-surface"),
                    Case(
                        ident, self.id, to_openai(native), tags=tags, probe="cross-surface",
                        surface="openai",
                    ),
                )
            )  # fmt: skip

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        if answer.case.probe != "cross-surface" or not answer.earlier:
            return None
        native, openai = answer.earlier[0].reply, answer.reply
        if native is None or openai is None:
            return None  # accepts-valid reports the refusal
        if native.text == openai.text:
            return []
        return [
            Problem(
                "surfaces-differ",
                f"at seed {answer.case.body.get('seed')} /ai/run said {native.text[:50]!r} "
                f"and /ai/v1/chat/completions {openai.text[:50]!r}",
                warning=True,
            )
        ]
