"""The body's branch: a Prompt body or a Messages body (the top-level ``oneOf``).

Lint reports a body's errors against the branch it clearly meant (``prompt`` -> Prompt,
``messages`` -> Messages), so a bad field is reported as itself; a body with both keys or
neither gets one clear sentence, plus the errors it has whichever way it is fixed.
"""

from __future__ import annotations

from typing import Any

from ..schemas import load_schema, on_schema_change
from ..validators import compile_validator
from .explain import explain, node_at
from .result import Found
from .wording import got

PROMPT, MESSAGES = 0, 1
BRANCH_NAMES = ("Prompt", "Messages")
BRANCH_KEYS = ("prompt", "messages")
"""The key that makes each branch."""
BRANCH_FIELDS: tuple[frozenset[str], ...] = ()
"""Every key each branch knows (see :func:`read_fields`)."""
SHARED_FIELDS: frozenset[str] = frozenset()
ALL_FIELDS: frozenset[str] = frozenset()


@on_schema_change
def read_fields() -> None:
    """Read the keys of each branch from the input schema in use."""
    global BRANCH_FIELDS, SHARED_FIELDS, ALL_FIELDS
    BRANCH_FIELDS = tuple(frozenset(alt["properties"]) for alt in load_schema("input")["oneOf"])
    SHARED_FIELDS = BRANCH_FIELDS[PROMPT] & BRANCH_FIELDS[MESSAGES]
    ALL_FIELDS = frozenset(BRANCH_FIELDS[PROMPT] | BRANCH_FIELDS[MESSAGES])


read_fields()


def schema_errors(body: Any) -> list[Found]:
    """Every schema error of an invalid *body*, against the branch it meant."""
    if not isinstance(body, dict):
        return [
            Found(
                (),
                "type",
                f"a request body must be a JSON object, got {got(body)}",
            )
        ]
    has_prompt, has_messages = "prompt" in body, "messages" in body
    if has_prompt != has_messages:
        return _branch_errors(body, PROMPT if has_prompt else MESSAGES)
    as_prompt, as_messages = _branch_errors(body, PROMPT), _branch_errors(body, MESSAGES)
    if has_prompt:
        head = Found(
            (),
            "oneOf",
            "`prompt` and `messages` are mutually exclusive: send a Prompt body "
            "(with prompt) or a Messages body (with messages), not both",
        )
    else:
        head = Found(
            (),
            "required",
            "the body needs either `prompt` (a Prompt body) or `messages` (a Messages body)"
            + _branch_hint(body),
        )
    return [head, *_common(as_prompt, as_messages)]


def branch_of(body: dict[str, Any]) -> int | None:
    """The branch *body* belongs to, when that is clear."""
    has_prompt, has_messages = "prompt" in body, "messages" in body
    if has_prompt != has_messages:
        return PROMPT if has_prompt else MESSAGES
    if has_prompt:  # both: the branch that validates, if exactly one does
        fits = [
            b
            for b in (PROMPT, MESSAGES)
            if compile_validator("input", f"/oneOf/{b}").is_valid(body)
        ]
        return fits[0] if len(fits) == 1 else None
    return None


def _branch_hint(body: dict[str, Any]) -> str:
    """Which branch the body's other keys point to, when only one of them does; or that
    the body is a ``wai-contract gen`` record, which holds a body."""
    if body.keys() >= _GEN_RECORD:
        return (
            "; this is a `wai-contract gen` record, whose body is its `payload` "
            "(`gen --bodies` writes the bodies alone)"
        )
    only = [body.keys() & (BRANCH_FIELDS[b] - BRANCH_FIELDS[1 - b]) for b in (PROMPT, MESSAGES)]
    hints = [b for b in (PROMPT, MESSAGES) if only[b]]
    if len(hints) != 1:
        return ""
    key = sorted(only[hints[0]])[0]
    return (
        f"; `{key}` suggests a {BRANCH_NAMES[hints[0]]} body, which needs `{BRANCH_KEYS[hints[0]]}`"
    )


_GEN_RECORD = frozenset(("id", "valid", "tags", "payload"))
"""The keys of every record ``wai-contract gen`` writes (see ``GeneratedBody.record``)."""


def _common(first: list[Found], second: list[Found]) -> list[Found]:
    """Errors that remain whichever branch the body is fixed towards."""
    in_second = {(f.path, f.rule) for f in second}
    return [
        f
        for f in first
        if (f.path, f.rule) in in_second and f.path not in {("prompt",), ("messages",)}
    ]


def _branch_errors(body: dict[str, Any], branch: int) -> list[Found]:
    return explain(node_at(f"/oneOf/{branch}"), body, ())
