"""What a run sends: each request is a :class:`Case`, and requests that belong together
(a seed pair, a streamed and a plain twin, the two auth requests) form one :class:`Job`;
beside them, what a case may carry: a contract's :class:`Example`, the :class:`Limits` of
the target, the token sent where a wrong one is meant.

From ../shared/real-api.md: ``lora`` names a finetune of the account, and a name the
account does not have is rightly refused (3037); the service checks input plus
``max_tokens`` against the model's context window in tokens (15,000 for this model) and
refuses more with 413/5021. Without ``lora_names``, bodies that must succeed carry no
``lora``; without ``context_window``, no body is expected to exceed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import orjson

from ..readings import ReadingVerdict
from ..schemas import default_max_tokens

Token = Literal["given", "none", "wrong"]
Surface = Literal["native", "openai"]
"""``/ai/run/{model}`` or the OpenAI-compatible ``/ai/v1/chat/completions``."""
WRONG_TOKEN = "wai-contract-deliberately-wrong-token-00000"
"""Sent where a case asks for a wrong token: shaped like a real one (40 characters), so a
target judges it, not its format."""
UNKNOWN_LORA = "wai-contract-no-such-finetune"


@dataclass(frozen=True)
class Example:
    """An explicit case of a contract: a request and what must come back."""

    name: str
    request: Any
    status: int
    result_schema: dict[str, Any] | None = None
    error_contains: str | None = None
    stream: bool = False


@dataclass(frozen=True)
class Case:
    """One planned request and what is known of its body.

    ``valid`` is the body's verdict under the input schema (``None`` for contract
    examples, which say themselves what must come back); ``pointer`` is the place an
    invalid body violates; ``probe`` names the kind of extra request a check asked for.
    """

    id: str
    check: str
    """The check that planned the request."""
    body: Any
    valid: bool | None = True
    token: Token = "given"
    tags: tuple[str, ...] = ()
    pointer: str | None = None
    probe: str | None = None
    generated: bool = False
    """A body of the generator, which the same ``--seed`` reproduces (and shrinking may cut)."""
    example: Any = None
    refusable: str | None = None
    """Why a 4xx error answer is also right for this valid body (a limit of the target)."""
    percent_encoded: bool = False
    """Sent to the model's URL with its name percent-encoded, as the official SDK spells it."""
    surface: Surface = "native"
    readings: tuple[ReadingVerdict, ...] = ()
    """On the OpenAI-compatible surface, each reading's verdict on the body; ``valid`` is
    theirs where the readings the target follows agree, else ``None`` (undetermined)."""

    @property
    def undetermined(self) -> bool:
        """A body whose acceptance the readings the target follows disagree on: it is sent
        and its answer judged for shape, crashes and hangs, not for acceptance."""
        return self.valid is None and bool(self.readings)

    @property
    def stream(self) -> bool:
        """A streamed answer is expected: the body asks for one, and is not invalid (an
        invalid body gets an error answer, streamed or not)."""
        body = self.body
        return self.valid is not False and isinstance(body, dict) and body.get("stream") is True

    @property
    def authorised(self) -> bool:
        """Sent with the target's token."""
        return self.token == "given"


@dataclass(frozen=True)
class Job:
    """Cases sent one after the other, in order, and judged together."""

    cases: tuple[Case, ...]
    order: tuple[int, ...] = (1,)
    """Where the job goes in the plan: generated bodies by number first, then probes."""


@dataclass(frozen=True)
class Limits:
    """The contract's ``limits``."""

    context_window: int | None = None
    """The model's context window in tokens (the live service: 15,000)."""
    lora_names: tuple[str, ...] = ()
    """Finetunes the target has; bodies that must succeed use only these."""

    def must_succeed(self, body: Any, number: int) -> Any:
        """*body* made fit to succeed on this target, but for what it violates: its
        ``lora`` dropped when no finetune is known, or replaced by one that is."""
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
        max_tokens = body.get("max_tokens", default_max_tokens())
        if not isinstance(max_tokens, int | float) or isinstance(max_tokens, bool):
            max_tokens = default_max_tokens()
        if max_tokens is None:  # no default declared: the bound is unknown
            return "the schema in use declares no default max_tokens to bound its answer"
        bound = len(orjson.dumps(body)) + max(0, max_tokens)
        if bound <= self.context_window:
            return None
        return (
            f"its input and max_tokens may reach {bound:,} tokens, over the context window "
            f"of {self.context_window:,}"
        )
