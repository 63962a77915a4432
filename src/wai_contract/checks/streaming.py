"""Streamed answers: content type, SSE framing, events, the [DONE] terminator."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..validators import compile_validator
from .base import Outcome, Problem, describe_status, server_error, transport_problem

DONE = "[DONE]"


@dataclass
class StreamReading:
    """What a stream said: its problems, and the answer it carried."""

    problems: list[Problem] = field(default_factory=list)
    text: str = ""
    usage: Any = None
    tool_calls: list[Any] = field(default_factory=list)


def judge_stream(outcome: Outcome) -> StreamReading:
    """Judge one response to a body with ``stream: true``."""
    reading = StreamReading()
    early = transport_problem(outcome) or server_error(outcome)
    if early:
        reading.problems.append(early)
        return reading
    if outcome.status != 200:
        reading.problems.append(
            Problem("status", f"a valid streamed body got {describe_status(outcome)}; expected 200")
        )
        return reading
    if not outcome.content_type.startswith("text/event-stream"):
        code = "json-not-stream" if "json" in outcome.content_type else "content-type"
        reading.problems.append(
            Problem(
                code,
                f"stream: true got content type "
                f"{outcome.content_type or 'missing'!r}; expected "
                "text/event-stream",
            )
        )
        return reading
    if outcome.stream_error:
        reading.problems.append(Problem("framing", outcome.stream_error))
        return reading
    events = outcome.events or []
    if DONE in events[:-1]:
        reading.problems.append(
            Problem(
                "after-done", f"{len(events) - 1 - events.index(DONE)} event(s) after data: [DONE]"
            )
        )
    elif not events or events[-1] != DONE:
        reading.problems.append(Problem("no-done", "the stream does not end with data: [DONE]"))
    if outcome.stream_leftover.strip():
        reading.problems.append(
            Problem(
                "framing",
                f"text after the last complete event: {outcome.stream_leftover.strip()[:80]!r}",
            )
        )
    validator = compile_validator("stream-event")
    pieces: list[str] = []
    for number, data in enumerate(e for e in events if e != DONE):
        try:
            event = json.loads(data)
        except ValueError:
            reading.problems.append(
                Problem("event-json", f"event {number} is not JSON: {data[:80]!r}")
            )
            continue
        for violation in validator.iter_errors(event):
            reading.problems.append(
                Problem(
                    "event-schema",
                    f"event {number} does not match stream-event.json: {violation.message[:160]}",
                )
            )
            break
        else:
            pieces.append(event["response"])
            reading.usage = event.get("usage", reading.usage)
            reading.tool_calls += event.get("tool_calls") or []
    reading.text = "".join(pieces)
    return reading
