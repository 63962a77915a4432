"""A generator tree derived from a JSON Schema's keywords.

:func:`build` walks a schema (``type``, ``minimum``/``maximum``, ``minLength``/``maxLength``,
``required``, ``properties``, ``additionalProperties``, ``items``, ``oneOf``) and returns a
tree of :class:`Gen` nodes. Every node can

* ``draw(rng, force)`` a conforming value from a :class:`random.Random` -- fast and
  reproducible by seed, used by ``wai-contract gen`` and the runner;
* give a Hypothesis ``strategy()`` for the same values -- shrinkable, used in ``@given``;
* list its ``boundaries()``: values at and just inside each bound (valid) and just outside
  (invalid), so limits in the schema flow into the generated bodies with no code change.

``force`` is a path of :data:`Step` s that the drawn value must contain (an optional
property, a first array item, one ``oneOf`` alternative), so that a mutation or a
boundary value can be planted at any depth.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from random import Random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where a strategy is asked for: a run never needs it
    from hypothesis import strategies as st

from .node import Boundary, Gen, Step
from .scalars import ASTRAL, BooleanGen, EnumGen, IntegerGen, NumberGen, StringGen

__all__ = ["ASTRAL", "Boundary", "Gen", "ObjectGen", "OneOfGen", "Step", "build"]

_IDENTIFIERS = ("city", "query", "unit", "limit", "date", "name")

_HINTS: dict[str, tuple[str, ...]] = {
    "role": ("user", "assistant", "system", "tool"),
    "type": ("object", "function", "string"),
}
_HINT_BY_PARENT: dict[str, tuple[str, ...]] = {
    "parameters": ("object",),
    "items": ("function",),
    "additional": ("string", "number", "integer", "boolean"),
}


class ArrayGen(Gen):
    def __init__(self, schema: dict[str, Any], item: Gen, max_items: int) -> None:
        self.schema = schema
        self.item = item
        self.low: int = schema.get("minItems", 0)
        self.max_items = max(max_items, self.low)

    def draw(self, rng: Random, force: Sequence[Step] = ()) -> Any:
        count = rng.randint(self.low, self.max_items)
        if force:
            (_, index), rest = force[0], force[1:]
            count = max(count, int(index) + 1)
            return [self.item.draw(rng, rest if i == index else ()) for i in range(count)]
        return [self.item.draw(rng) for _ in range(count)]

    def strategy(self) -> st.SearchStrategy[Any]:
        from hypothesis import strategies as st

        return st.lists(self.item.strategy(), min_size=self.low, max_size=self.max_items)

    def children(self) -> Iterator[tuple[Step, Gen]]:
        yield ("item", 0), self.item

    def boundaries(self) -> list[Boundary]:
        if self.low == 0:
            return [Boundary([], True, ("empty-array",))]
        return [Boundary([], False, ("under-min-items",))]


class ObjectGen(Gen):
    def __init__(
        self, schema: dict[str, Any], properties: dict[str, Gen], extra: Gen | None
    ) -> None:
        self.schema = schema
        self.properties = properties
        self.required: tuple[str, ...] = tuple(schema.get("required", ()))
        self.optional = tuple(k for k in properties if k not in self.required)
        self.extra = extra

    def draw(self, rng: Random, force: Sequence[Step] = ()) -> Any:
        wanted = force[0][1] if force else None
        out: dict[str, Any] = {}
        for key, gen in self.properties.items():
            if key == wanted and force[0][0] == "prop":
                out[key] = gen.draw(rng, force[1:])
            elif key in self.required or rng.random() < 0.35:
                out[key] = gen.draw(rng)
        if self.extra is not None:
            count = rng.randint(0, 2)
            keys = rng.sample(_IDENTIFIERS, count)
            if force and force[0][0] == "extra":
                keys = [str(wanted), *[k for k in keys if k != wanted]]
            for key in keys:
                out[key] = self.extra.draw(rng, force[1:] if force and key == wanted else ())
        return out

    def strategy(self) -> st.SearchStrategy[Any]:
        from hypothesis import strategies as st

        fixed = st.fixed_dictionaries(
            {k: self.properties[k].strategy() for k in self.required if k in self.properties},
            optional={k: self.properties[k].strategy() for k in self.optional},
        )
        if self.extra is None:
            return fixed
        extras = st.dictionaries(st.sampled_from(_IDENTIFIERS), self.extra.strategy(), max_size=3)
        return st.builds(lambda a, b: {**b, **a}, fixed, extras)

    def children(self) -> Iterator[tuple[Step, Gen]]:
        for key, gen in self.properties.items():
            yield ("prop", key), gen
        if self.extra is not None:
            yield ("extra", _IDENTIFIERS[0]), self.extra


class OneOfGen(Gen):
    def __init__(self, schema: dict[str, Any], alternatives: list[Gen]) -> None:
        self.schema = schema
        self.alternatives = alternatives

    def draw(self, rng: Random, force: Sequence[Step] = ()) -> Any:
        if force and force[0][0] == "alt":
            return self.alternatives[int(force[0][1])].draw(rng, force[1:])
        return rng.choice(self.alternatives).draw(rng, force)

    def strategy(self) -> st.SearchStrategy[Any]:
        from hypothesis import strategies as st

        return st.one_of([alt.strategy() for alt in self.alternatives])

    def children(self) -> Iterator[tuple[Step, Gen]]:
        for i, alt in enumerate(self.alternatives):
            yield ("alt", i), alt


class AnyGen(Gen):
    """A schema with no type: any small JSON value."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema

    def draw(self, rng: Random, force: Sequence[Step] = ()) -> Any:
        return rng.choice((None, True, 1, "x", [], {}))

    def strategy(self) -> st.SearchStrategy[Any]:
        from hypothesis import strategies as st

        return st.none() | st.booleans() | st.integers() | st.text(max_size=8)


def build(schema: dict[str, Any], name: str = "", parent: str = "") -> Gen:
    """The generator tree of *schema*; *name* and *parent* pick semantic hints only."""
    if "oneOf" in schema:
        base = {k: v for k, v in schema.items() if k != "oneOf"}
        return OneOfGen(schema, [build({**base, **alt}, name, parent) for alt in schema["oneOf"]])
    if "enum" in schema or "const" in schema:
        return EnumGen(schema)
    kind = schema.get("type")
    if kind is None and "properties" in schema:
        kind = "object"
    if kind == "integer":
        return IntegerGen(schema)
    if kind == "number":
        return NumberGen(schema)
    if kind == "string":
        hints = _HINT_BY_PARENT.get(parent, ()) if name == "type" else _HINTS.get(name, ())
        if name == "type" and not hints:
            hints = _HINTS["type"]
        return StringGen(schema, hints)
    if kind == "boolean":
        return BooleanGen(schema)
    if kind == "array":
        items = schema.get("items", {})
        return ArrayGen(schema, build(items, "items", name), 4 if name == "messages" else 3)
    if kind == "object":
        properties = {
            key: build(sub, key, name) for key, sub in schema.get("properties", {}).items()
        }
        extra_schema = schema.get("additionalProperties")
        extra = build(extra_schema, "additional", name) if isinstance(extra_schema, dict) else None
        return ObjectGen(schema, properties, extra)
    return AnyGen(schema)
