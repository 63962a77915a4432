"""Streamed answers are well-framed Server-Sent Events, and say what the plain answer says."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from ..answers import Answer
from ..cases import Job
from ..problems import Problem
from .accepts_valid import refused_rightly, well_formed
from .base import Check, PlanContext, Settings, register, setting


@dataclasses.dataclass(frozen=True)
class StreamingSettings(Settings):
    compare_cases: int = setting(
        30,
        {"type": "integer", "minimum": 0},
        "valid bodies also sent streamed and not, at a fixed seed, and compared",
    )


@register
class Streaming(Check):
    id = "streaming"
    shrinks = True
    title = "Streams Server-Sent Events"
    description = (
        "stream: true gets text/event-stream; every event is data: + a valid stream event; "
        "the stream ends with data: [DONE] and nothing after; at a fixed seed the joined "
        "pieces should equal the non-streamed answer (a warning: nothing promises it). A "
        "streamed OpenAI-compatible body the readings the target follows disagree on is "
        "undetermined: whichever answer it gets must be well-formed."
    )
    settings_class = StreamingSettings

    def probes(self, settings: StreamingSettings, context: PlanContext) -> Iterator[Job]:
        plain = []
        for number, body in enumerate(context.generated, 1):
            if not body.valid:  # rejects-invalid plans it, whatever its verdict here
                continue
            case = context.generated_case(number, body, self.id)
            if case.valid is not False and case.stream:  # undetermined too: its shape
                yield Job((case,), (0, number))
            elif case.valid and isinstance(case.body, dict):
                plain.append(case.body)
        for number, body in enumerate(plain[: settings.compare_cases], 1):
            seeded = {**body, "seed": body.get("seed", 4242)}
            ident = f"stream-vs-json-{number:04d}"
            tags = ("stream-vs-json",)
            refusable = context.limits.may_refuse(seeded)
            twins = (seeded, {**seeded, "stream": True})
            yield Job(
                tuple(
                    context.case(
                        ident,
                        self.id,
                        b,
                        tags=tags,
                        probe="stream-vs-json",
                        refusable=refusable,
                        translated=True,
                    )
                    for b in twins
                )
            )

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        case = answer.case
        if case.undetermined and case.authorised and case.stream:
            return well_formed(answer)
        if case.valid is not True or not case.authorised or not case.stream:
            return None
        refused = refused_rightly(answer)
        if refused is not None:
            return refused
        problems = list(answer.reading.problems)
        if case.probe == "stream-vs-json" and not problems and answer.earlier:
            problem = _difference(answer.earlier[0], answer, case.body.get("seed"))
            problems += [problem] if problem else []
        return problems


def _difference(plain: Answer, streamed: Answer, seed: Any) -> Problem | None:
    if plain.reply is None or streamed.reply is None:
        return None  # accepts-valid reports what is wrong with the plain answer
    if streamed.reply.text == plain.reply.text:
        return None
    return Problem(
        "stream-differs",
        f"at seed {seed} the joined stream {streamed.reply.text[:60]!r} differs from the "
        f"JSON answer {plain.reply.text[:60]!r}",
        warning=True,
    )
