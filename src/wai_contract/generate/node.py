"""The node of a generator tree: what every node can do, and a value at a bound."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from random import Random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where a strategy is asked for: a run never needs it
    from hypothesis import strategies as st

Step = tuple[str, str | int]
"""One step into a value: ("prop", name), ("item", index), ("extra", key), ("alt", index)."""


@dataclass(frozen=True, slots=True)
class Boundary:
    """A value at a bound: ``valid`` says whether the schema accepts it there."""

    value: Any
    valid: bool
    tags: tuple[str, ...]


class Gen:
    """A node of the generator tree."""

    schema: dict[str, Any]

    def draw(self, rng: Random, force: Sequence[Step] = ()) -> Any:
        raise NotImplementedError

    def strategy(self) -> st.SearchStrategy[Any]:
        raise NotImplementedError

    def boundaries(self) -> list[Boundary]:
        return []

    def children(self) -> Iterator[tuple[Step, Gen]]:
        return iter(())

    @property
    def json_type(self) -> str | None:
        kind = self.schema.get("type")
        return kind if isinstance(kind, str) else None
