"""wai-contract: schema validation and contract testing for the Workers AI text-generation
API of ``@cf/mistral/mistral-7b-instruct-v0.2-lora``.

The public API, re-exported here:

* :func:`lint` -- one request body (text or parsed) -> :class:`LintResult`;
* :mod:`strategies` -- Hypothesis strategies for valid and invalid bodies;
* :func:`run` -- the conformance suite against an endpoint -> :class:`Report`;
* :func:`serve` -- the reference server in a ``with`` block;
* :func:`load_schema`, :data:`MODEL`, and the exceptions.

Everything but the linter, the schemas and the exceptions loads on first use, so that
importing the package (which pytest does for the plugin in every session) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__
from .errors import ConfigError, OutputError, SourceError, WaiContractError, WorkerError

# Imported eagerly: ``wai_contract.lint`` is also a submodule, and a lazy binding would be
# replaced by that module object as soon as anything imports ``wai_contract.lint.X``.
from .lint import Finding, LintResult, lint
from .schemas import MODEL, SCHEMA_NAMES, load_schema

if TYPE_CHECKING:
    from . import strategies
    from .conformance import Contract, Report, RunOptions, Target, load_contract
    from .server import LocalServer, serve

__all__ = [
    "MODEL",
    "SCHEMA_NAMES",
    "ConfigError",
    "Contract",
    "Finding",
    "LintResult",
    "LocalServer",
    "OutputError",
    "Report",
    "RunOptions",
    "SourceError",
    "Target",
    "WaiContractError",
    "WorkerError",
    "lint",
    "load_contract",
    "load_schema",
    "run",
    "serve",
    "strategies",
]


_LAZY = {
    "strategies": ("wai_contract.strategies", None),
    "Contract": ("wai_contract.conformance", "Contract"),
    "load_contract": ("wai_contract.conformance", "load_contract"),
    "Report": ("wai_contract.conformance", "Report"),
    "RunOptions": ("wai_contract.conformance", "RunOptions"),
    "Target": ("wai_contract.conformance", "Target"),
    "LocalServer": ("wai_contract.server", "LocalServer"),
    "serve": ("wai_contract.server", "serve"),
}


def run(
    target: str | Target,
    contract: Contract | str | None = None,
    *,
    token: str | None = None,
    options: RunOptions | None = None,
    baseline: str | Report | None = None,
    api: str | None = None,
    model: str | None = None,
    openai_url: str | None = None,
    schema: str | None = None,
    **settings: Any,
) -> Report:
    """Run the conformance suite against *target* (a model URL or a ``Target``).

    *contract* is a ``Contract``, a path to a contract file, or None for the bundled one.
    *token* is the API token for a URL target. Further keyword arguments are
    ``RunOptions`` fields (``max_examples``, ``seed``, ``timeout``, ``concurrency``,
    ``max_concurrency``, ``max_requests``, ``shrink``, ``deadline``, ``shard``: a ``Shard``
    or ``"K/N"``). *baseline*, an earlier ``report.json`` (or ``Report``), is compared
    with this run in ``report.comparison``. *api* ``"both"`` (or ``"openai"``) adds (or
    moves to) the OpenAI-compatible surface beside a native model URL, or *openai_url*
    gives that surface's URL wherever the target serves it; *model* names the model in that
    surface's bodies (default: this model's id). *schema* chooses the request schema that
    judges bodies from now on in this process (``"published"``, the default, ``"page"``, or
    a file), as ``--schema`` does::

        with wai_contract.serve(token="t") as server:
            report = wai_contract.run(server.model_url, token="t", max_examples=100)
        assert report.passed, [c.id for c in report.checks if c.status == "failed"]
    """
    from .conformance import Contract, RunOptions, load_contract
    from .conformance import run as run_suite
    from .conformance.target import endpoint_target
    from .schemas import choose_input_schema

    choose_input_schema(schema)
    if isinstance(target, str):
        target = endpoint_target(target, token, api, model, openai_url)
    if not isinstance(contract, Contract):
        contract = load_contract(contract)
    if options is None:
        options = RunOptions.from_settings(settings)
    elif settings:
        raise ConfigError("pass either options= or keyword settings, not both")
    return run_suite(target, contract, options, baseline=baseline)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'wai_contract' has no attribute {name!r}")
    import importlib

    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value
