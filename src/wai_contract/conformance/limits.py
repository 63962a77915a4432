"""Limits the schema does not show, which only the target knows (contract ``limits``).

From ../shared/real-api.md: ``lora`` names a finetune of the account, and a name the
account does not have is rightly refused (3037); the service checks input plus
``max_tokens`` against the model's context window in tokens (15,000 for this model) and
refuses more with 413/5021. Without ``lora_names``, bodies that must succeed carry no
``lora``; without ``context_window``, no body is expected to exceed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

DEFAULT_MAX_TOKENS = 256
"""The vendor page's default for ``max_tokens``."""
UNKNOWN_LORA = "wai-contract-no-such-finetune"


@dataclass(frozen=True)
class Limits:
    """The contract's ``limits``."""

    context_window: int | None = None
    """The model's context window in tokens (the live service: 15,000)."""
    lora_names: tuple[str, ...] = ()
    """Finetunes the target has; bodies that must succeed use only these."""

    def must_succeed(self, body: Any, number: int) -> Any:
        """*body*, a valid one, made fit to succeed on this target: its ``lora`` dropped
        when no finetune is known, or replaced by one that is."""
        if not isinstance(body, dict) or "lora" not in body:
            return body
        if not self.lora_names:
            return {k: v for k, v in body.items() if k != "lora"}
        return {**body, "lora": self.lora_names[number % len(self.lora_names)]}

    def may_refuse(self, body: Any) -> str | None:
        """Why a target may rightly refuse the valid *body* with a 4xx, if it may: its
        input and ``max_tokens`` could exceed the context window. Estimated from above:
        a token holds at least one UTF-8 byte, and the body's JSON holds all its input."""
        if self.context_window is None or not isinstance(body, dict):
            return None
        max_tokens = body.get("max_tokens", DEFAULT_MAX_TOKENS)
        if not isinstance(max_tokens, int | float) or isinstance(max_tokens, bool):
            max_tokens = DEFAULT_MAX_TOKENS
        bound = len(orjson.dumps(body)) + max(0, max_tokens)
        if bound <= self.context_window:
            return None
        return (
            f"its input and max_tokens may reach {bound:,} tokens, over the context window "
            f"of {self.context_window:,}"
        )
