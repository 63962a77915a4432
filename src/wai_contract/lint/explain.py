"""Why a value fails a subschema: every violation at its deepest place, and for a ``oneOf``
that fits no variant, the explanation against the closest variant."""

from __future__ import annotations

import functools
import re
from typing import Any

from ..schemas import join_pointer, load_schema, on_schema_change, resolve_pointer
from ..validators import APPLICATORS, JSON_TYPE_TESTS, compile_validator, leaf_checker
from .result import Found, Path
from .wording import describe, expected, got

# Words for the oneOf places of the schema: what the value is called, and its variants.
ONE_OF_WORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "/properties/image/oneOf": ("image", ("a byte array (array of numbers)", "a binary string")),
    "/properties/tools/items/oneOf": (
        "this tool",
        (
            "the flat variant {name, description, parameters}",
            "the function variant {type, function}",
        ),
    ),
}
_BRANCH_PREFIX = re.compile(r"^/oneOf/\d+")


class Node:
    """One subschema of the input schema, with its compiled validators and children.

    The tree is built whole on first use (the schema has no ``$ref``), so the walk reads
    plain attributes.
    """

    __slots__ = (
        "additional",
        "at",
        "is_valid",
        "items",
        "leaf_check",
        "one_of",
        "one_of_words",
        "properties",
        "schema",
        "shallow",
        "shallow_is_valid",
    )

    def __init__(self, at: str) -> None:
        self.at = at
        self.schema: dict[str, Any] = resolve_pointer(load_schema("input"), at)
        self.is_valid = compile_validator("input", at).is_valid
        self.shallow = compile_validator("input", at, shallow=True)
        self.shallow_is_valid = self.shallow.is_valid
        self.leaf_check = leaf_checker(
            {k: v for k, v in self.schema.items() if k not in APPLICATORS}
        )
        schema = self.schema
        self.properties: dict[str, Node] = {
            key: node_at(f"{at}/properties{join_pointer((key,))}")
            for key in schema.get("properties", {})
        }
        extra, items = schema.get("additionalProperties"), schema.get("items")
        self.additional = node_at(f"{at}/additionalProperties") if isinstance(extra, dict) else None
        self.items = node_at(f"{at}/items") if isinstance(items, dict) else None
        self.one_of: tuple[Node, ...] = tuple(
            node_at(f"{at}/oneOf/{i}") for i in range(len(schema.get("oneOf", ())))
        )
        # What a value here is called, and its variants, for the oneOf explanations.
        self.one_of_words = ONE_OF_WORDS.get(_BRANCH_PREFIX.sub("", at + "/oneOf")) or (
            "the value",
            tuple(_variant_name(alt.schema, i) for i, alt in enumerate(self.one_of)),
        )


def _variant_name(schema: dict[str, Any], index: int) -> str:
    """A ``oneOf`` variant's title, else the type it asks for (``a string``), else its rank."""
    if "title" in schema:
        return str(schema["title"])
    kind = schema.get("type")
    if isinstance(kind, str) or (isinstance(kind, list) and kind):
        return expected(kind)
    return f"variant {index + 1}"


@functools.cache
def node_at(at: str) -> Node:
    return Node(at)


on_schema_change(node_at.cache_clear)


def explain(node: Node, instance: Any, path: Path) -> list[Found]:
    """Every violation of *node* by *instance*, each at its deepest place.

    The walk descends only into children that fail (a cheap backend ``is_valid`` each).
    At a node whose own keywords fail (its validator without applicators), the leaf
    checker names them in Python, which costs a tenth of the backend's error objects; the
    backend's ``iter_errors`` explains any keyword the checker does not know.
    """
    out: list[Found] = []
    if not node.shallow_is_valid(instance):  # most failing nodes fail only in a child
        found = node.leaf_check(instance) if node.leaf_check else None
        for violation in found or node.shallow.iter_errors(instance):
            if violation.keyword == "required":
                out.append(Found((*path, violation.detail), "required", describe(violation)))
            else:
                out.append(Found(path, violation.keyword, describe(violation)))
                if violation.keyword == "type":
                    return out  # the children of a value of the wrong type mean nothing
    if isinstance(instance, dict):
        properties, additional = node.properties, node.additional
        for key, value in instance.items():
            child = properties.get(key, additional)
            if child is not None and not child.is_valid(value):
                out += explain(child, value, (*path, key))
    elif isinstance(instance, list) and node.items is not None:
        items = node.items
        for i, item in enumerate(instance):
            if not items.is_valid(item):
                out += explain(items, item, (*path, i))
    if node.one_of:
        fitting = [i for i, alt in enumerate(node.one_of) if alt.is_valid(instance)]
        if len(fitting) != 1:
            out += explain_one_of(instance, node, path, fitting)
    return out


def explain_one_of(instance: Any, node: Node, path: Path, fitting: list[int]) -> list[Found]:
    """Why *instance* fits not exactly one of the ``oneOf`` alternatives of *node*
    (*fitting* lists the ones it fits)."""
    alternatives = node.one_of
    subject, names = node.one_of_words
    if len(fitting) > 1:
        both = " and ".join(names[i] for i in fitting)
        return [
            Found(
                path,
                "oneOf",
                f"{subject} fits {both}, but must fit exactly one: "
                "remove the keys of the shape you do not mean",
            )
        ]
    if not any(type_fits(instance, alt.schema.get("type")) for alt in alternatives):
        return [
            Found(
                path,
                "type",
                f"expected {' or '.join(names)}, got {got(instance)}",
            )
        ]

    def nearness(schema: dict[str, Any]) -> tuple[bool, float]:
        """Cheap first: a variant of the right type, with fewer required keys missing."""
        required = schema.get("required", [])
        missing = sum(
            1 for name in required if not (isinstance(instance, dict) and name in instance)
        )
        return not type_fits(instance, schema.get("type")), (
            missing / len(required) if required else 0.0
        )

    near = [nearness(alt.schema) for alt in alternatives]
    tied = [i for i, distance in enumerate(near) if distance == min(near)]
    # Only the closest variants are explained in full; fewer errors breaks a tie.
    explained = {i: explain(alternatives[i], instance, path) for i in tied}
    closest = min(tied, key=lambda i: len(explained[i]))
    note = f" ({subject} fits no variant; it is closest to {names[closest]})"
    return [Found(f.path, f.rule, f.message + note) for f in explained[closest]]


def type_fits(value: Any, kind: Any) -> bool:
    """Whether *value* has the JSON type *kind* (no type, or an unknown one: anything fits)."""
    test = JSON_TYPE_TESTS.get(kind) if isinstance(kind, str) else None
    return test is None or test(value)
