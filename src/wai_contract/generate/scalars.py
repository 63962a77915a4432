"""Generators of scalar values: integers, numbers, strings, booleans, each with its bounds
and the legal values that no bound names."""

from __future__ import annotations

import math
from collections.abc import Sequence
from random import Random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where a strategy is asked for: a run never needs it
    from hypothesis import strategies as st

from ..validators import is_number
from .node import Boundary, Gen, Step

ASTRAL = "\U0001f600"
"""A character outside the Basic Multilingual Plane: one code point, two UTF-16 units."""

_WORDS: tuple[str, ...] = ("hello", "world", "pizza", "why", "tell", "me", "about")
_WORDS += ("the", "model", "é", "数据", "naïve", "tokens", "stream", "seed", ASTRAL)
HAZARDS: tuple[str, ...] = ('say "hi"', "C:\\temp\\new", "a\\", "two\nlines", "col\tcol", "\r\n")
HAZARDS += (
    "\x1b[31mred\x1b[0m",
    "\x01\x1f\x7f",
    "مرحبا بالعالم",
    "שָׁלוֹם",
    "\u202eevil",
    "👩\u200d💻",
)
HAZARDS += ("🇫🇷", "e\u0301", "\u2028\u2029", "</script>", '{"json": [1]}', "${x} %s {0} \\u0041")
"""Text that breaks servers which paste user text into JSON, HTML, JavaScript or a format
string: quotes, backslashes, line breaks, tabs, control characters, right-to-left text and
overrides, joined and combined emoji, U+2028 (legal in JSON, not in old JavaScript), and
escapes that must stay text. About one string in three carries one."""
_UNUSUAL_INTEGERS = {"zero": 0, "negative": -1, "int32-max": 2**31 - 1, "int32-over": 2**31}
_UNUSUAL_INTEGERS |= {"uint32-over": 2**32, "beyond-double": 2**53 + 1, "int64-max": 2**63 - 1}
"""Integers that servers trip on: those Hypothesis favours, and machine-width edges."""


# Semantic hints: values that the page's descriptions name. They make generated bodies
# look like real traffic; limits never come from here, only from the schema.
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
        from hypothesis import strategies as st

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
        return out + self._unusual()

    def _unusual(self) -> list[Boundary]:
        """Legal values that no bound names, which servers trip on: those Hypothesis favours
        (0 and negatives where nothing forbids them, machine-width edges) and the integer
        spelled as a float (``5.0`` is an integer to JSON Schema)."""
        edges = set(self._edges())
        out = [
            Boundary(value, True, (tag,))
            for tag, value in _UNUSUAL_INTEGERS.items()
            if self._allows(value) and value not in edges
        ]
        spelled = self.low + 4 if self.low is not None else 5
        if self._allows(spelled):
            out.append(Boundary(float(spelled), True, ("float-spelling",)))
        return out

    def _allows(self, value: int) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


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
        from hypothesis import strategies as st

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
        # Legal values that no bound names: signed zero, the smallest subnormal, and a whole
        # number spelled as an integer, where the bounds allow them.
        for value, tag in ((-0.0, "negative-zero"), (5e-324, "subnormal"), (1, "integer-spelling")):
            if (self.low is None or value >= self.low) and (
                self.high is None or value <= self.high
            ):
                out.append(Boundary(value, True, (tag,)))
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
        size = 0  # of the words so far, a space after each
        while size < self.low or (rng.random() < 0.8 and size < cap):
            word = rng.choice(_WORDS)
            words.append(word)
            size += len(word) + 1
        if rng.random() < 0.3:
            words.insert(rng.randint(0, len(words)), rng.choice(HAZARDS))
        text = " ".join(words)
        if self.high is not None:
            text = text[: self.high]
        return text

    def strategy(self) -> st.SearchStrategy[Any]:
        from hypothesis import strategies as st

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
        from hypothesis import strategies as st

        return st.booleans()

    def boundaries(self) -> list[Boundary]:
        return [Boundary(True, True, ("true",)), Boundary(False, True, ("false",))]


def _int_or_none(value: Any) -> int | None:
    return int(value) if is_number(value) else None


class EnumGen(Gen):
    """A schema with ``enum`` (or ``const``): one of its values."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.values: tuple[Any, ...] = tuple(
            schema["enum"] if "enum" in schema else [schema["const"]]
        )

    def draw(self, rng: Random, force: Sequence[Step] = ()) -> Any:
        return rng.choice(self.values)

    def strategy(self) -> st.SearchStrategy[Any]:
        from hypothesis import strategies as st

        return st.sampled_from(self.values)

    def boundaries(self) -> list[Boundary]:
        out = [Boundary(value, True, (f"value-{value}",)) for value in self.values]
        outside = "-".join(str(v) for v in self.values if isinstance(v, str)) + "-other"
        if outside not in self.values:
            out.append(Boundary(outside, False, ("outside-enum",)))
        return out
