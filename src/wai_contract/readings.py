"""The two readings of an OpenAI-compatible request body, each with its source.

Where OpenAI's reference and Workers AI disagree (bounds such as temperature 0..2 against
0..5, ``messages: []``, ``content`` null or an array of parts, a tool message without
``tool_call_id``), a body's acceptance is a guess unless the target says which reading it
follows. :func:`judge` gives each reading's verdict; :func:`agreed` the verdict of the
readings a target follows, or ``None`` (undetermined) where they differ or one cannot tell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .lint.openai import NAMES, READINGS, reading_errors
from .lint.openai import Reading as ReadingName
from .schemas import join_pointer, without_openai_nulls
from .validators import compile_reference

SOURCES: dict[ReadingName, str] = {
    "openai": (
        "OpenAI's reference: CreateChatCompletionRequest in openai/openai-openapi "
        "openapi.yaml, vendored in schemas/openai-reference/ (what generic compatible "
        "servers and clients follow)"
    ),
    "service": (
        "Workers AI on /ai/v1: the model's own input schema judges the body, and the body "
        "names the model (../shared/real-api.md, 'What the service does on this path'); "
        "whether it reads a null as not given is not known"
    ),
}


@dataclass(frozen=True)
class ReadingVerdict:
    """One reading's verdict on a body: ``valid`` is ``None`` where the reading cannot
    tell; ``pointer`` is the place of the first violation."""

    reading: ReadingName
    valid: bool | None
    pointer: str | None = None

    def __str__(self) -> str:
        if self.valid is None:
            return f"{self.reading}: not known"
        return f"{self.reading}: " + ("valid" if self.valid else f"invalid at {self.pointer}")


def judge(body: Any) -> tuple[ReadingVerdict, ...]:
    """Every reading's verdict on the chat-completions request *body*."""
    return (_openai(body), _service(body))


def agreed(
    findings: tuple[ReadingVerdict, ...], followed: tuple[ReadingName, ...] = READINGS
) -> tuple[bool | None, str | None]:
    """The verdict of the *followed* readings and the place of a violation, or
    ``(None, None)`` when they disagree or one cannot tell."""
    chosen = [f for f in findings if f.reading in followed]
    verdicts = {f.valid for f in chosen}
    if len(verdicts) != 1 or None in verdicts:
        return None, None
    valid = verdicts.pop()
    if valid:
        return True, None
    # The service's pointer where it has one: the linter's explanation of the model's schema.
    return False, next(
        f.pointer for f in sorted(chosen, key=_service_first) if f.pointer is not None
    )


def judged_by(readings: Sequence[str]) -> str:
    """The sentence a report gives on how OpenAI-compatible bodies were judged."""
    names = " and ".join(next((n for k, n in NAMES.items() if k == r), r) for r in readings)
    if len(readings) == 1:
        return f"OpenAI-compatible bodies: acceptance judged by {names}"
    return (
        f"OpenAI-compatible bodies: acceptance judged where {names} agree; the others "
        "undetermined (their answers judged for shape only)"
    )


def _openai(body: Any) -> ReadingVerdict:
    """Fast (a run judges every body it plans): jsonschema-rs's verdict, and the place of
    its first error (lint explains the error where a person reads it)."""
    validator = compile_reference("chat-request")
    if validator.is_valid(body):
        return ReadingVerdict("openai", True)
    violation = next(iter(validator.iter_errors(body)))
    return ReadingVerdict("openai", False, join_pointer(violation.path))


def _service(body: Any) -> ReadingVerdict:
    errors = reading_errors(body, "service")
    if errors:
        return ReadingVerdict("service", False, join_pointer(errors[0].path))
    if without_openai_nulls(body) is not body:
        return ReadingVerdict("service", None)  # valid once its nulls are read as not given
    return ReadingVerdict("service", True)


def _service_first(finding: ReadingVerdict) -> int:
    return 0 if finding.reading == "service" else 1


__all__ = ["READINGS", "SOURCES", "ReadingName", "ReadingVerdict", "agreed", "judge", "judged_by"]
