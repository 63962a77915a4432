"""What a run sends: each request is a :class:`Case`, and requests that belong together
(a seed pair, a streamed and a plain twin, the two auth requests) form one :class:`Job`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Token = Literal["given", "none", "wrong"]
Surface = Literal["native", "openai"]
"""``/ai/run/{model}`` or the OpenAI-compatible ``/ai/v1/chat/completions``."""


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
