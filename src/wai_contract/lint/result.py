"""What lint finds: :class:`Finding` s in a :class:`LintResult`, and the internal record of a
finding before it is placed in the text (:class:`Found`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]
"""A place in a body, as the keys and indexes leading to it."""


class Finding:
    """One error or warning in a body.

    ``rule`` is the failing JSON Schema keyword for an error (``"json"`` when the text
    is not JSON) and the warning code for a warning. ``line`` and ``column`` (1-based,
    in the source file) are set when the body came as text; they are worked out when
    first read, for every finding of the body at once, so a caller that only asks
    whether a body is valid never pays for placing its findings.
    """

    __slots__ = ("_column", "_line", "_place", "message", "pointer", "rule")

    def __init__(
        self,
        pointer: str,
        rule: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
        *,
        place: Callable[[], None] | None = None,
    ) -> None:
        self.pointer, self.rule, self.message = pointer, rule, message
        self._line, self._column, self._place = line, column, place

    @property
    def line(self) -> int | None:
        self._placed()
        return self._line

    @property
    def column(self) -> int | None:
        self._placed()
        return self._column

    def set_place(self, line: int, column: int) -> None:
        """Where the finding is (for the placement that :attr:`line` runs)."""
        self._line, self._column, self._place = line, column, None

    def _placed(self) -> None:
        if self._place is not None:
            self._place()

    def _key(self) -> tuple[str, str, str, int | None, int | None]:
        return self.pointer, self.rule, self.message, self.line, self.column

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return self._key() == other._key()

    def __repr__(self) -> str:
        return (
            f"Finding(pointer={self.pointer!r}, rule={self.rule!r}, message={self.message!r}, "
            f"line={self.line!r}, column={self.column!r})"
        )


@dataclass(slots=True)
class LintResult:
    """The verdict on one body and every finding, in document order of discovery."""

    source: str
    line: int
    errors: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()

    @property
    def valid(self) -> bool:
        """True when the body satisfies the schema (warnings allowed)."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape of ``lint --format json``."""
        return {
            "source": self.source,
            "line": self.line,
            "valid": not self.errors,
            "errors": [
                {"pointer": f.pointer, "keyword": f.rule, "message": f.message} for f in self.errors
            ],
            "warnings": [
                {"pointer": f.pointer, "code": f.rule, "message": f.message} for f in self.warnings
            ],
        }


@dataclass(slots=True)
class Found:
    """A finding at a :data:`Path`, before it is given a pointer and a place in the text."""

    path: Path
    rule: str
    message: str


class Findings:
    """The errors and warnings of one body, as they are found."""

    __slots__ = ("errors", "warnings")

    def __init__(self, errors: list[Found] | None = None, warnings: list[Found] | None = None):
        self.errors = [] if errors is None else errors
        self.warnings = [] if warnings is None else warnings
