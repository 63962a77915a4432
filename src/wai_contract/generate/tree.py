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

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from random import Random
from typing import Any

from hypothesis import strategies as st

from ..validators import is_number

Step = tuple[str, str | int]
"""One step into a value: ("prop", name), ("item", index), ("extra", key), ("alt", index)."""

ASTRAL = "\U0001f600"
"""A character outside the Basic Multilingual Plane: one code point, two UTF-16 units."""

_WORDS: tuple[str, ...] = ("hello", "world", "pizza", "why", "tell", "me", "about")
_WORDS += ("the", "model", "é", "数据", "naïve", "tokens", "stream", "seed", ASTRAL)
_IDENTIFIERS = ("city", "query", "unit", "limit", "date", "name")

# Semantic hints: values that the page's descriptions name. They make generated bodies
# look like real traffic; limits never come from here, only from the schema.
_HINTS: dict[str, tuple[str, ...]] = {
    "role": ("user", "assistant", "system", "tool"),
    "type": ("object", "function", "string"),
}
_HINT_BY_PARENT: dict[str, tuple[str, ...]] = {
    "parameters": ("object",),
    "items": ("function",),
    "additional": ("string", "number", "integer", "boolean"),
}


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


class IntegerGen(Gen):
    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.low: int | None = _int_or_none(schema.get("minimum"))
        self.high: int | None = _int_or_none(schema.get("maximum"))
        default = schema.get("default")
        # Unbounded sides get a realistic range; with a default, around it.
        self.draw_low = self.low if self.low is not None else (1 if default else 0)
        self.draw_high = (
            self.high
            if self.high is not None
            else (max(2 * default, self.draw_low + 1) if isinstance(default, int) else 1000)
        )

    def _edges(self) -> list[int]:
        edges = []
        if self.low is not None:
            edges += [self.low, self.low + 1]
        if self.high is not None:
            edges += [self.high - 1, self.high]
        return edges

    def draw(self, rng: Random, force: Sequence[Step] = ()) -> Any:
        edges = self._edges()
        if edges and rng.random() < 0.25:
            return rng.choice(edges)
        return rng.randint(self.draw_low, self.draw_high)

    def strategy(self) -> st.SearchStrategy[Any]:
        ints = st.integers(self.draw_low, self.draw_high)
        edges = self._edges()
        return st.one_of(ints, st.sampled_from(edges)) if edges else ints

    def boundaries(self) -> list[Boundary]:
        out = []
        if self.low is not None:
            out += [
                Boundary(self.low, True, ("at-minimum",)),
                Boundary(self.low + 1, True, ("inside-minimum",)),
                Boundary(self.low - 1, False, ("below-minimum",)),
            ]
        if self.high is not None:
            out += [
                Boundary(self.high, True, ("at-maximum",)),
                Boundary(self.high - 1, True, ("inside-maximum",)),
                Boundary(self.high + 1, False, ("above-maximum",)),
            ]
        return out


class NumberGen(Gen):
    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.low: float | None = schema.get("minimum")
        self.high: float | None = schema.get("maximum")
        self.draw_low = self.low if self.low is not None else -100.0
        self.draw_high = self.high if self.high is not None else 100.0

    def _edges(self) -> list[float]:
        edges: list[float] = []
        if self.low is not None:
            edges += [self.low, math.nextafter(self.low, math.inf)]
        if self.high is not None:
            edges += [math.nextafter(self.high, -math.inf), self.high]
        return edges

    def draw(self, rng: Random, force: Sequence[Step] = ()) -> Any:
        edges = self._edges()
        if edges and rng.random() < 0.25:
            return rng.choice(edges)
        return round(rng.uniform(self.draw_low, self.draw_high), 3)

    def strategy(self) -> st.SearchStrategy[Any]:
        floats = st.floats(self.draw_low, self.draw_high, allow_nan=False, allow_infinity=False)
        edges = self._edges()
        return st.one_of(floats, st.sampled_from(edges)) if edges else floats

    def boundaries(self) -> list[Boundary]:
        out = []
        if self.low is not None:
            out += [
                Boundary(self.low, True, ("at-minimum",)),
                Boundary(math.nextafter(self.low, math.inf), True, ("inside-minimum",)),
                Boundary(math.nextafter(self.low, -math.inf), False, ("below-minimum",)),
            ]
        if self.high is not None:
            out += [
                Boundary(self.high, True, ("at-maximum",)),
                Boundary(math.nextafter(self.high, -math.inf), True, ("inside-maximum",)),
                Boundary(math.nextafter(self.high, math.inf), False, ("above-maximum",)),
            ]
        return out


class StringGen(Gen):
    def __init__(self, schema: dict[str, Any], hints: tuple[str, ...] = ()) -> None:
        self.schema = schema
        self.low: int = schema.get("minLength", 0)
        self.high: int | None = schema.get("maxLength")
        self.hints = tuple(h for h in hints if self._fits(len(h)))

    def _fits(self, length: int) -> bool:
        return length >= self.low and (self.high is None or length <= self.high)

    def draw(self, rng: Random, force: Sequence[Step] = ()) -> Any:
        if self.hints and rng.random() < 0.85:
            return rng.choice(self.hints)
        if self.high is not None and self.high > 1000 and rng.random() < 0.01:
            return rng.choice(("a", ASTRAL)) * self.high  # rarely, a body at the limit
        cap = min(self.high if self.high is not None else 60, 60)
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < self.low or (
            rng.random() < 0.8 and sum(len(w) + 1 for w in words) < cap
        ):
            words.append(rng.choice(_WORDS))
        text = " ".join(words)
        if self.high is not None:
            text = text[: self.high]
        return text

    def strategy(self) -> st.SearchStrategy[Any]:
        cap = min(self.high if self.high is not None else 40, 40)
        text = st.text(min_size=self.low, max_size=max(cap, self.low))
        options: list[st.SearchStrategy[Any]] = [text]
        if self.hints:
            options.insert(0, st.sampled_from(self.hints))
        high = self.high
        if high is not None and high > cap:
            options.append(st.sampled_from(("a", ASTRAL)).map(lambda ch: ch * high))
        return st.one_of(options)

    def boundaries(self) -> list[Boundary]:
        out = []
        if self.low > 0:
            out += [
                Boundary("a" * self.low, True, ("at-min-length",)),
                Boundary(
                    "a" * (self.low - 1),
                    False,
                    ("empty-string" if self.low == 1 else "under-min-length",),
                ),
            ]
        elif self.high is not None:
            out.append(Boundary("", True, ("empty-string",)))
        for hint in self.hints:
            out.append(Boundary(hint, True, (f"value-{hint}",)))
        if self.high is not None:
            for ch, alphabet in (("a", "ascii"), (ASTRAL, "astral")):
                out += [
                    Boundary(ch * self.high, True, ("at-max-length", alphabet)),
                    Boundary(ch * (self.high - 1), True, ("inside-max-length", alphabet)),
                    Boundary(ch * (self.high + 1), False, ("over-max-length", alphabet)),
                ]
        return out


class BooleanGen(Gen):
    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema

    def draw(self, rng: Random, force: Sequence[Step] = ()) -> Any:
        return rng.random() < 0.5

    def strategy(self) -> st.SearchStrategy[Any]:
        return st.booleans()

    def boundaries(self) -> list[Boundary]:
        return [Boundary(True, True, ("true",)), Boundary(False, True, ("false",))]


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
        return st.none() | st.booleans() | st.integers() | st.text(max_size=8)


def _int_or_none(value: Any) -> int | None:
    return int(value) if is_number(value) else None


def build(schema: dict[str, Any], name: str = "", parent: str = "") -> Gen:
    """The generator tree of *schema*; *name* and *parent* pick semantic hints only."""
    if "oneOf" in schema:
        base = {k: v for k, v in schema.items() if k != "oneOf"}
        return OneOfGen(schema, [build({**base, **alt}, name, parent) for alt in schema["oneOf"]])
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
