"""The check as one unit, and the registry of checks.

A check is a class registered with :func:`register`. It names itself (``id``, ``title``,
``description``), declares its contract settings as a frozen dataclass (``settings_class``),
plans the extra requests it needs (:meth:`Check.probes`), and judges answers
(:meth:`Check.judge`): the engine offers it every answer of the run, and it returns
``None`` for answers it does not judge, or the problems it sees (none: the case passed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, TypeVar

from ...readings import READINGS, ReadingName, ReadingVerdict, agreed, judge
from ...surfaces import to_openai
from ..answers import Answer
from ..cases import Case, Job, Limits, Surface
from ..problems import Problem


def setting(default: Any, schema: dict[str, Any], what: str) -> Any:
    """A settings field: its default, the JSON Schema a contract value must satisfy, and
    what it means (shown in the contract's error messages and docs)."""
    return dataclasses.field(default=default, metadata={"schema": schema, "what": what})


@dataclasses.dataclass(frozen=True)
class Settings:
    """Settings every check has; a check with more subclasses this."""

    enabled: bool = setting(True, {"type": "boolean"}, "run this check")

    @classmethod
    def schema(cls) -> dict[str, Any]:
        """The JSON Schema of this check's entry in a contract."""
        properties = {
            f.name: {**f.metadata["schema"], "description": f.metadata["what"]}
            for f in dataclasses.fields(cls)
        }
        return {"type": "object", "properties": properties, "additionalProperties": False}

    @classmethod
    def from_contract(cls, data: dict[str, Any]) -> Settings:
        """Settings from a contract entry already validated against :meth:`schema`."""
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in data.items()
        }
        return cls(**values)


class PlanContext:
    """What :meth:`Check.probes` may use: the target's token, the generated bodies, the
    contract's examples, the other checks' settings, and a place to say why a check plans
    nothing."""

    def __init__(
        self,
        has_token: bool,
        generated: Sequence[Any],
        settings: dict[str, Any],
        examples: Sequence[Any] = (),
        limits: Limits | None = None,
        surface: Surface = "native",
        surfaces: Sequence[Surface] = ("native",),
        readings: tuple[ReadingName, ...] = READINGS,
    ) -> None:
        self.surface = surface
        self.readings = readings
        self.surfaces = surfaces
        self.has_token = has_token
        self.generated = generated
        self.examples = examples
        self.limits = limits or Limits()
        self._settings = settings
        self.notes: dict[str, str] = {}

    def generated_case(self, number: int, body: Any, check: str) -> Case:
        """The case of the *number*-th generated body (a ``GeneratedBody``), fitted to the
        target's finetunes (see :class:`~..cases.Limits`): a valid one so that it may
        succeed, an invalid one so that its violation is the only reason to refuse it
        (unless the violation is its ``lora``)."""
        at_lora = not body.valid and (body.pointer or "").startswith("/lora")
        payload = body.payload if at_lora else self.limits.must_succeed(body.payload, number)
        valid, pointer, found = body.valid, body.pointer, tuple[ReadingVerdict, ...]()
        if self.surface == "openai":
            payload = to_openai(payload)
            found = judge(payload)
            valid, pointer = agreed(found, self.readings)
        return self.case(
            f"b-{number:06d}",
            check,
            payload,
            valid=valid,
            tags=body.tags,
            pointer=pointer,
            generated=True,
            refusable=self.limits.may_refuse(payload) if valid is not False else None,
            translated=True,
            readings=found,
        )

    def case(
        self, ident: str, check: str, body: Any, *, translated: bool = False, **more: Any
    ) -> Case:
        """A case of this plan's surface: on the OpenAI-compatible one, its id is prefixed
        ``oa-`` and its native *body* translated (unless already *translated*)."""
        if self.surface == "openai":
            ident, body = f"oa-{ident}", body if translated else to_openai(body)
        return Case(ident, check, body, surface=self.surface, **more)

    def enabled(self, check: str) -> bool:
        """Whether *check* runs."""
        return bool(self._settings[check].enabled)


class Check:
    """Base of every check; subclasses set the class attributes and override
    :meth:`judge`, and :meth:`probes` when they need requests of their own."""

    id: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    settings_class: ClassVar[type[Settings]] = Settings
    shrinks: ClassVar[bool] = False
    """Its failures on generated bodies are cut down, by re-sending smaller bodies, to the
    smallest that still fails the same way."""

    def probes(self, settings: Any, context: PlanContext) -> Iterable[Job]:
        """The requests this check needs beyond those of the other checks."""
        return ()

    def judge(self, answer: Answer, settings: Any) -> list[Problem] | None:
        """The problems of *answer*, or ``None`` when this check does not judge it."""
        raise NotImplementedError

    def note(self, judged: Sequence[Answer]) -> str:
        """A remark for the report on the answers this check judged ('' for none)."""
        return ""

    def exercised(self, judged: Sequence[Answer]) -> bool:
        """Whether the answers this check judged hold what it is about; a check that judged
        none, or none it is about, is skipped ("not exercised"), not passed."""
        return bool(judged)


CHECKS: dict[str, Check] = {}
"""Every registered check by id, in report order (the order of registration)."""

C = TypeVar("C", bound=type[Check])


def register(cls: C) -> C:
    """Class decorator: add the check to :data:`CHECKS`."""
    if cls.id in CHECKS:
        raise ValueError(f"a check with id {cls.id!r} is already registered")
    CHECKS[cls.id] = cls()
    return cls
