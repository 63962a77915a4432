"""The two surfaces a run can cover, and the OpenAI-compatible body that means what a
native one means.

Bodies are planned as the native schema describes them (the generator's checklist, the
checks' probes) and, for the OpenAI-compatible surface, translated: ``prompt`` becomes one
user message, flat tools take the ``{type: "function", function}`` form, ``model`` names
this model, and fields the OpenAI request does not have (``top_k``, ``raw``, ``lora``, ...)
are left out. The translated body's verdict is then the OpenAI schema's, not the native one.
"""

from __future__ import annotations

from typing import Any

from .schemas import MODEL, load_schema, without_openai_nulls
from .validators import compile_validator


def to_openai(body: Any) -> Any:
    """The chat-completions request that means what the native *body* means."""
    if not isinstance(body, dict):
        return body
    known = load_schema("openai-chat-request")["properties"]
    out: dict[str, Any] = {"model": MODEL}
    if "prompt" in body and "messages" not in body:
        out["messages"] = [{"role": "user", "content": body["prompt"]}]
    for key, value in body.items():
        if key in known and key not in out:
            out[key] = value
    if isinstance(out.get("tools"), list):
        out["tools"] = [_function_tool(tool) for tool in out["tools"]]
    return out


def _function_tool(tool: Any) -> Any:
    if isinstance(tool, dict) and "function" not in tool and "name" in tool:
        return {"type": "function", "function": tool}
    return tool


def verdict(body: Any) -> tuple[bool, str | None]:
    """Whether the OpenAI schema accepts *body*, and else the place of its first error."""
    if compile_validator("openai-chat-request").is_valid(without_openai_nulls(body)):
        return True, None
    from .lint import lint

    errors = lint(body, positions=False, api="openai").errors
    return False, errors[0].pointer if errors else ""
