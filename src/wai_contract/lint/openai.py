"""Bodies of the OpenAI-compatible surface (``POST .../ai/v1/chat/completions``): every
error against ``openai-chat-request.json`` at its place, and a warning for another model."""

from __future__ import annotations

from typing import Any, Literal

from ..schemas import MODEL, without_openai_nulls
from ..validators import compile_validator
from .result import Findings, Found
from .wording import describe, preview

Api = Literal["auto", "native", "openai"]
"""Which surface a body is for; ``auto``: OpenAI when it has both ``model`` and ``messages``."""


def is_openai(value: Any, api: Api) -> bool:
    """Whether *value* is to be judged as a body of the OpenAI-compatible surface."""
    if api != "auto":
        return api == "openai"
    return value.__class__ is dict and "model" in value and "messages" in value


def check_openai(body: Any, found: Findings) -> None:
    """Add *body*'s errors and warnings as a chat-completions request for this model."""
    validator = compile_validator("openai-chat-request")
    judged = without_openai_nulls(body)  # the same keys but nulls read as not given
    if not validator.is_valid(judged):
        unrepresentable = {f.path for f in found.errors if f.rule == "json"}
        for violation in validator.iter_errors(judged):
            path = violation.path
            if violation.keyword == "required":
                path = (*path, violation.detail)
            if path not in unrepresentable:
                found.errors.append(Found(path, violation.keyword, describe(violation)))
    if judged is not body:  # some nulls were read as not given
        for key in body.keys() - judged.keys():
            found.warnings.append(
                Found(
                    (key,),
                    "null-as-absent",
                    f"{key} is null: OpenAI's reference reads it as not given; whether "
                    "Workers AI accepts a null here is not known",
                )
            )
    model = body.get("model") if isinstance(body, dict) else None
    if isinstance(model, str) and model != MODEL:
        found.warnings.append(
            Found(
                ("model",),
                "other-model",
                f"model {preview(model)} is not {MODEL}: its limits are not the ones checked here",
            )
        )
