"""Hypothesis strategies for request bodies, derived from the vendored schema.

Use them in your own tests::

    from hypothesis import given
    from wai_contract.strategies import valid_bodies, invalid_bodies

    @given(valid_bodies(branch="messages"))
    def test_my_client_accepts(body): ...

    @given(invalid_bodies())
    def test_my_server_rejects(case):
        assert my_server(case.payload).status_code == 400, (case.tags, case.pointer)

    @given(tool_arguments(my_tool))
    def test_my_tool_handler(arguments): ...

Every strategy shrinks to small examples. Pass ``schema=`` to derive from another copy
of the request schema (limits follow it with no code change).
"""

from __future__ import annotations

from typing import Any, cast

from hypothesis import strategies as st

from .errors import ConfigError
from .generate import GeneratedBody, branch_name, checklist, root_generator
from .generate.tree import Gen, ObjectGen, OneOfGen

__all__ = [
    "invalid_bodies",
    "messages",
    "sampling_parameters",
    "tool_arguments",
    "tools",
    "valid_bodies",
]


def _branch(root: OneOfGen, branch: str) -> ObjectGen:
    for index, alternative in enumerate(root.alternatives):
        if branch_name(alternative, index) == branch and isinstance(alternative, ObjectGen):
            return alternative
    raise ConfigError(f"unknown branch {branch!r}")


def _alternatives(root: OneOfGen, branch: str | None) -> list[Gen]:
    return list(root.alternatives) if branch is None else [_branch(root, branch)]


def valid_bodies(
    branch: str | None = None, *, schema: dict[str, Any] | None = None, api: str = "native"
) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies that the schema accepts, from both branches or from *branch*
    (``"prompt"`` or ``"messages"``), with values at and near every bound; with *api*
    ``"openai"``, translated to the OpenAI-compatible surface (and valid there)."""
    root = root_generator(schema)
    bodies = st.one_of([alt.strategy() for alt in _alternatives(root, branch)])
    if api == "openai":
        from .surfaces import to_openai, verdict

        return bodies.map(to_openai).filter(lambda body: verdict(body)[0] is True)
    return bodies


def invalid_bodies(
    branch: str | None = None, *, schema: dict[str, Any] | None = None, api: str = "native"
) -> st.SearchStrategy[GeneratedBody]:
    """Bodies with exactly one violation each, as :class:`GeneratedBody` (``payload``,
    ``tags``, and the ``pointer`` it violates); with *api* ``"openai"``, translated to the
    OpenAI-compatible surface, where both readings refuse it (see :mod:`.readings`) and
    ``pointer`` is its first violation."""
    items = [
        item
        for item in checklist(schema)
        if not item.valid and (branch is None or item.branch in (None, branch))
    ]
    bodies = st.builds(
        lambda item, rng: item.make(rng), st.sampled_from(items), st.randoms(use_true_random=False)
    )
    if api == "openai":
        from .generate import openai_body

        return bodies.map(openai_body).filter(lambda body: body.valid is False)
    return bodies


def messages(*, schema: dict[str, Any] | None = None) -> st.SearchStrategy[list[Any]]:
    """The ``messages`` array of a Messages body."""
    return _branch(root_generator(schema), "messages").properties["messages"].strategy()


def tools(
    variant: int | None = None, *, schema: dict[str, Any] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """One tool: of *variant* 0 (flat ``{name, description, parameters}``), 1 (``{type,
    function}``), or either."""
    array = _branch(root_generator(schema), "messages").properties["tools"]
    item = getattr(array, "item", None)
    if not isinstance(item, OneOfGen):
        raise ConfigError("the schema's tools items are not a oneOf of variants")
    if variant is None:
        return item.strategy()
    if variant not in range(len(item.alternatives)):
        raise ConfigError(f"tool variant must be 0..{len(item.alternatives) - 1}, not {variant}")
    return item.alternatives[variant].strategy()


def sampling_parameters(
    branch: str = "messages", *, schema: dict[str, Any] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the numeric sampling parameters (``temperature``, ``top_k``, ``seed``, ...)."""
    body = _branch(root_generator(schema), branch)
    numeric = {
        key: gen.strategy()
        for key, gen in body.properties.items()
        if gen.json_type in ("integer", "number")
    }
    return st.fixed_dictionaries({}, optional=numeric)


def tool_arguments(tool: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments that satisfy *tool*'s ``parameters`` schema, as a model's tool call would
    carry them. *tool* is in either variant (flat, or ``{type, function}``); its
    ``parameters`` may be any JSON Schema, drawn by ``hypothesis-jsonschema``."""
    function = tool.get("function") if isinstance(tool, dict) else None
    spec = function if isinstance(function, dict) else tool
    parameters = spec.get("parameters") if isinstance(spec, dict) else None
    if parameters is None:
        parameters = {"type": "object"}
    if not isinstance(parameters, dict):
        raise ConfigError(f"a tool's parameters must be a JSON Schema object, not {parameters!r}")
    # Tool arguments are a JSON object whatever the parameters say (lint warns otherwise).
    import jsonschema
    from hypothesis_jsonschema import from_schema

    try:
        jsonschema.Draft202012Validator.check_schema(parameters)
    except jsonschema.SchemaError as exc:
        raise ConfigError(
            f"a tool's parameters are not a valid JSON Schema: {exc.message}"
        ) from None
    schema: dict[str, Any] = {"allOf": [parameters, {"type": "object"}]}
    return cast("st.SearchStrategy[dict[str, Any]]", from_schema(schema))
