"""Conforming and edge-case request bodies, each with its expected verdict.

Every run starts with the **boundary checklist** -- for every place in the schema: its
bounds at, just inside and just outside, its type confusions, its missing required
properties, its presence in both ``oneOf`` branches and both tool variants, and the few
whole-body cases (both ``prompt`` and ``messages``, a tool that fits both variants, bodies
that are not objects) -- then random bodies fill the rest. Invalid bodies are minimal
mutations of valid ones: exactly one violation each, tagged, with the JSON Pointer it
violates. Everything is derived from the schema's keywords, so a changed limit flows
into the bodies with no code change, and a seed reproduces a run byte for byte.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from random import Random
from typing import Any, Literal

from ..errors import ConfigError
from ..schemas import join_pointer, load_schema
from .tree import Gen, ObjectGen, OneOfGen, Step, build

__all__ = ["ChecklistItem", "GeneratedBody", "checklist", "generate", "root_generator"]

Kind = Literal["valid", "invalid", "both"]


@dataclass(frozen=True, slots=True)
class GeneratedBody:
    """A request body with its expected verdict; ``pointer`` is set on invalid bodies.
    ``valid`` is ``None`` for an OpenAI-compatible body that OpenAI's reference and Workers
    AI disagree on (see :mod:`..readings`)."""

    payload: Any
    valid: bool | None
    tags: tuple[str, ...]
    pointer: str | None = None

    def record(self, ident: str) -> dict[str, Any]:
        """The ``gen`` JSONL record: id, valid, tags, pointer (invalid only), payload."""
        out: dict[str, Any] = {"id": ident, "valid": self.valid, "tags": list(self.tags)}
        if self.pointer is not None:
            out["pointer"] = self.pointer
        out["payload"] = self.payload
        return out


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One entry of the boundary checklist, and how to make a body for it."""

    id: str
    valid: bool
    branch: str | None
    make: Callable[[Random], GeneratedBody]


@dataclass(frozen=True, slots=True)
class _Site:
    steps: tuple[Step, ...]
    tokens: tuple[str | int, ...]
    gen: Gen
    name: str
    tags: tuple[str, ...]
    branch: str | None
    rivals: frozenset[str] = frozenset()
    """JSON types that a sibling ``oneOf`` alternative accepts at the same place."""


_CONFUSIONS: dict[str, tuple[tuple[Any, str], ...]] = {
    "integer": (("5", "numeric-string"), (True, "boolean"), (5.5, "fraction"), (None, "null")),
    "number": (("0.5", "numeric-string"), (False, "boolean"), (None, "null")),
    "string": ((5, "number"), (None, "null"), (["x"], "array")),
    "boolean": (("true", "string"), (1, "number"), (None, "null")),
    "array": (({}, "object"), ("[]", "string"), (None, "null")),
    "object": (([], "array"), ("{}", "string"), (None, "null")),
}
_ANY_VALUES: tuple[tuple[Any, str], ...] = (
    (None, "null"),
    (True, "boolean"),
    (5, "number"),
    ("x", "string"),
    ([], "array"),
    ({}, "object"),
)


def root_generator(schema: dict[str, Any] | None = None) -> OneOfGen:
    """The generator tree of the request schema (the vendored one by default)."""
    root = build(schema if schema is not None else load_schema("input"))
    if not isinstance(root, OneOfGen):
        raise ConfigError("the input schema must be a oneOf of body branches")
    return root


def branch_name(alternative: Gen, index: int) -> str:
    """A ``oneOf`` body branch's name: its first required key (``prompt``, ``messages``)."""
    required = alternative.schema.get("required", [])
    return str(required[0]) if required else f"branch-{index + 1}"


def _sites(root: OneOfGen) -> Iterator[_Site]:
    for index, alternative in enumerate(root.alternatives):
        branch = branch_name(alternative, index)
        yield from _walk(alternative, (("alt", index),), (), branch, (), f"{branch}-body", branch)


def _walk(
    gen: Gen,
    steps: tuple[Step, ...],
    tokens: tuple[str | int, ...],
    name: str,
    tags: tuple[str, ...],
    label: str,
    branch: str,
    rivals: frozenset[str] = frozenset(),
) -> Iterator[_Site]:
    yield _Site(steps, tokens, gen, label, tags, branch, rivals)
    for step, child in gen.children():
        kind, key = step
        if kind == "alt":
            variant = f"{name}-variant-{int(key) + 1}"
            assert isinstance(gen, OneOfGen)
            others = frozenset(a.json_type or "any" for a in gen.alternatives if a is not child)
            yield from _walk(
                child, (*steps, step), tokens, name, (*tags, variant), label, branch, others
            )
        elif kind == "item":
            yield from _walk(child, (*steps, step), (*tokens, 0), name, tags, f"{label}[]", branch)
        else:
            child_label = str(key) if not tokens else f"{label}.{'*' if kind == 'extra' else key}"
            yield from _walk(
                child, (*steps, step), (*tokens, key), str(key), tags, child_label, branch
            )


def _plant(
    root: Gen,
    site: _Site,
    rng: Random,
    value: Any = None,
    delete: str | None = None,
    replace: bool = True,
) -> Any:
    body = root.draw(rng, site.steps)
    if not site.tokens and delete is None:
        return value if replace else body
    parent: Any = body
    for token in site.tokens[:-1]:
        parent = parent[token]
    if delete is not None:
        target = parent[site.tokens[-1]] if site.tokens else body
        target.pop(delete, None)
    elif replace:
        parent[site.tokens[-1]] = copy.deepcopy(value)
    return body


def checklist(schema: dict[str, Any] | None = None) -> list[ChecklistItem]:
    """The boundary checklist of *schema*, in a fixed order."""
    root = root_generator(schema)
    items: list[ChecklistItem] = []

    def add(
        ident: str, valid: bool, branch: str | None, make: Callable[[Random], GeneratedBody]
    ) -> None:
        items.append(ChecklistItem(ident, valid, branch, make))

    for site in _sites(root):
        pointer = join_pointer(site.tokens)
        base_tags = (site.name, *site.tags) if site.tokens else (site.name,)
        ident = f"{site.branch}:{pointer or '/'}{''.join('~' + t for t in site.tags)}"
        if site.tokens:
            add(
                f"{ident} present",
                True,
                site.branch,
                _maker(root, site, None, True, (*base_tags, "present"), None, replace=False),
            )
        for bound in site.gen.boundaries():
            if not site.tokens or (not bound.valid and _accepted_by(bound.value, site.rivals)):
                continue
            add(
                f"{ident} {'/'.join(bound.tags)}",
                bound.valid,
                site.branch,
                _maker(
                    root,
                    site,
                    bound.value,
                    bound.valid,
                    (*base_tags, *bound.tags),
                    None if bound.valid else pointer,
                ),
            )
        if site.tokens:
            for value, label in _confusions(site.gen):
                if _accepted_by(value, site.rivals):
                    continue  # a sibling variant would accept it: not a violation
                add(
                    f"{ident} type-{label}",
                    False,
                    site.branch,
                    _maker(root, site, value, False, (*base_tags, f"type-{label}"), pointer),
                )
        if isinstance(site.gen, ObjectGen):
            for key in site.gen.required:
                # Without its branch's key a body fits no branch: the root is what fails.
                missing = join_pointer((*site.tokens, key)) if site.tokens else ""
                add(
                    f"{ident} missing-{key}",
                    False,
                    site.branch,
                    _deleter(root, site, key, (*base_tags, key, "missing-required"), missing),
                )
    _whole_body_items(root, add)
    return items


def _confusions(gen: Gen) -> tuple[tuple[Any, str], ...]:
    if gen.json_type in _CONFUSIONS:
        return _CONFUSIONS[gen.json_type]
    if isinstance(gen, OneOfGen):
        accepted = {alt.json_type for alt in gen.alternatives}
        if "number" in accepted:
            accepted.add("integer")
        return tuple(
            (v, label)
            for v, label in _ANY_VALUES
            if label not in accepted and not (label == "number" and "integer" in accepted)
        )[:3]
    return ()


def _accepted_by(value: Any, types: frozenset[str]) -> bool:
    if "any" in types:
        return True
    if value is None:
        kind = "null"
    elif isinstance(value, bool):
        kind = "boolean"
    elif isinstance(value, int | float):
        kind = "integer" if float(value).is_integer() else "number"
    elif isinstance(value, str):
        kind = "string"
    else:
        kind = "array" if isinstance(value, list) else "object"
    return kind in types or (kind == "integer" and "number" in types)


def _maker(
    root: Gen,
    site: _Site,
    value: Any,
    valid: bool,
    tags: tuple[str, ...],
    pointer: str | None,
    replace: bool = True,
) -> Callable[[Random], GeneratedBody]:
    def make(rng: Random) -> GeneratedBody:
        return GeneratedBody(_plant(root, site, rng, value, replace=replace), valid, tags, pointer)

    return make


def _deleter(
    root: Gen, site: _Site, key: str, tags: tuple[str, ...], pointer: str
) -> Callable[[Random], GeneratedBody]:
    def make(rng: Random) -> GeneratedBody:
        return GeneratedBody(_plant(root, site, rng, delete=key), False, tags, pointer)

    return make


def _whole_body_items(
    root: OneOfGen, add: Callable[[str, bool, str | None, Callable[[Random], GeneratedBody]], None]
) -> None:
    names = [branch_name(alt, i) for i, alt in enumerate(root.alternatives)]

    def both_branches(rng: Random) -> GeneratedBody:
        merged: dict[str, Any] = {}
        for i in range(len(root.alternatives)):
            merged.update(root.draw(rng, (("alt", i),)))
        return GeneratedBody(merged, False, ("body", "both-branches"), "")

    add(f"/ {'+'.join(names)} together", False, None, both_branches)
    for i, alternative in enumerate(root.alternatives):
        for key, gen in getattr(alternative, "properties", {}).items():
            tools = getattr(gen, "item", None)
            if isinstance(tools, OneOfGen) and all(
                isinstance(a, ObjectGen) for a in tools.alternatives
            ):
                add(
                    f"{names[i]}:/{key}/0 fits every variant",
                    False,
                    names[i],
                    _all_variants(root, i, key, tools),
                )
    for value, label in (([], "array"), ("hello", "string"), (None, "null"), (42, "number")):
        add(f"/ body is {label}", False, None, _constant(value, ("body", f"not-object-{label}")))


def _constant(value: Any, tags: tuple[str, ...]) -> Callable[[Random], GeneratedBody]:
    def make(rng: Random) -> GeneratedBody:
        return GeneratedBody(copy.deepcopy(value), False, tags, "")

    return make


def _all_variants(
    root: OneOfGen, branch: int, key: str, items: OneOfGen
) -> Callable[[Random], GeneratedBody]:
    def make(rng: Random) -> GeneratedBody:
        body = root.draw(rng, (("alt", branch), ("prop", key), ("item", 0)))
        merged: dict[str, Any] = {}
        for alternative in items.alternatives:
            merged.update(alternative.draw(rng))
        body[key][0] = merged
        return GeneratedBody(body, False, (key, "fits-every-variant"), f"/{key}/0")

    return make


def generate(
    count: int,
    *,
    seed: int = 0,
    kind: Kind = "both",
    branch: str | None = None,
    schema: dict[str, Any] | None = None,
    api: str = "native",
) -> Iterator[GeneratedBody]:
    """Yield *count* bodies: the boundary checklist first, then random ones.

    *kind* keeps valid bodies, invalid ones or both (alternating in the random part);
    *branch* (``"prompt"`` or ``"messages"``) keeps one ``oneOf`` branch. The same
    arguments yield the same bodies. With *api* ``"openai"``, each body is translated to
    the OpenAI-compatible surface and judged by its schema (see :mod:`wai_contract.surfaces`).
    """
    if api == "openai":
        native = generate(count, seed=seed, kind=kind, branch=branch, schema=schema)
        yield from map(openai_body, native)
        return
    if api != "native":
        raise ConfigError(f"api must be native or openai, not {api!r}")
    if kind not in ("valid", "invalid", "both"):
        raise ConfigError(f"kind must be valid, invalid or both, not {kind!r}")
    root = root_generator(schema)
    names = [branch_name(alt, i) for i, alt in enumerate(root.alternatives)]
    if branch is not None and branch not in names:
        raise ConfigError(f"unknown branch {branch!r}; choose one of {', '.join(names)}")
    rng = Random(seed)
    items = [item for item in checklist(schema) if _keep(item.valid, item.branch, kind, branch)]
    made = 0
    for item in items[:count]:
        yield item.make(rng)
        made += 1
    branches = [names.index(branch)] if branch else list(range(len(names)))
    invalid_items = [item for item in items if not item.valid and item.branch is not None]
    while made < count:
        want_valid = kind == "valid" or (kind == "both" and made % 2 == 0)
        if want_valid or not invalid_items:
            index = rng.choice(branches)
            yield GeneratedBody(root.draw(rng, (("alt", index),)), True, (names[index], "random"))
        else:
            mutation = rng.choice(invalid_items).make(rng)
            yield GeneratedBody(
                mutation.payload, False, (*mutation.tags, "random"), mutation.pointer
            )
        made += 1


def openai_body(body: GeneratedBody) -> GeneratedBody:
    """*body* translated to the OpenAI-compatible surface, with that surface's verdict."""
    from ..surfaces import to_openai, verdict

    payload = to_openai(body.payload)
    valid, pointer = verdict(payload)
    return GeneratedBody(payload, valid, (*body.tags, "openai"), pointer)


def _keep(valid: bool, item_branch: str | None, kind: Kind, branch: str | None) -> bool:
    if (kind == "valid" and not valid) or (kind == "invalid" and valid):
        return False
    return branch is None or item_branch in (None, branch)


def checklist_ids(
    schema: dict[str, Any] | None = None, kind: Kind = "both", branch: str | None = None
) -> Sequence[str]:
    """Ids of the checklist items that a run with these filters walks, in order."""
    return [i.id for i in checklist(schema) if _keep(i.valid, i.branch, kind, branch)]
