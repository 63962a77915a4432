"""Where a run sends its requests: a URL and a token, the live API, or the bundled
reference server started for the run (shared by the CLI and the pytest plugin)."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from ..errors import ConfigError
from ..schemas import MODEL
from .cases import Surface
from .http.redact import redact_url

API_BASE = "https://api.cloudflare.com/client/v4"
"""Cloudflare's v4 API, the live service's base."""


OPENAI_PATH = "/ai/v1/chat/completions"
OPENAI_SUFFIX = "/chat/completions"
"""How an OpenAI-style URL ends, whatever comes before it (``/v1``, ``/openai/v1``, ...)."""


@dataclass(frozen=True)
class Target:
    """Where to send requests, and the token (never written anywhere).

    *url* is the model's URL on one surface: ``.../ai/run/{model}`` (native) or any URL
    ending in ``/chat/completions`` (OpenAI-compatible, told apart by its path: Workers AI's
    ``.../ai/v1/chat/completions``, a gateway's or a self-hosted server's ``/v1/...``);
    *openai_url* adds the OpenAI-compatible surface of the same target.
    """

    url: str
    token: str | None = field(default=None, repr=False)
    """Kept out of ``repr``: tracebacks and debuggers print targets."""
    openai_url: str | None = None
    faults: tuple[str, ...] = ()
    """Faults injected into the reference server the run is against (``--local-fault``)."""
    model: str | None = None
    """The name the OpenAI-compatible surface's bodies give the model, where they name this
    one (a self-hosted server names it its own way); None: this model's id."""

    @property
    def urls(self) -> dict[Surface, str]:
        """The URL of each surface the run covers, native first."""
        if urlsplit(self.url).path.rstrip("/").endswith(OPENAI_SUFFIX):
            return {"openai": self.url}
        urls: dict[Surface, str] = {"native": self.url}
        if self.openai_url:
            urls["openai"] = self.openai_url
        return urls


def live_url(account_id: str, api_base: str | None = None) -> str:
    """The model's URL on the live Cloudflare API (or another v4 *api_base*) for
    *account_id*."""
    return f"{(api_base or API_BASE).rstrip('/')}/accounts/{account_id}/ai/run/{MODEL}"


def openai_url_of(native_url: str) -> str:
    """The OpenAI-compatible endpoint beside a native ``.../accounts/{id}/ai/run/{model}``."""
    base = native_url.split("/ai/run/", 1)[0]
    return f"{base}{OPENAI_PATH}"


def percent_encoded(url: str) -> str:
    """*url* with the model's name percent-encoded (``@cf%2Fmistral%2F...``), as the official
    Cloudflare SDK sends it; unchanged when it does not name the model."""
    return url.replace(MODEL, quote(MODEL, safe="@"))


def check_endpoint(url: str) -> str:
    """*url* if it is an http(s) URL with a host and no credentials in it; a
    :class:`ConfigError` otherwise, which never shows a credential of the URL."""
    authority = url.partition("://")[2].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in authority:
        raise ConfigError(
            "--endpoint must not carry credentials (user:password@host): they would be sent "
            "instead of the token; give the token with --token, --token-file or "
            "CLOUDFLARE_API_TOKEN"
        )
    shown = redact_url(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (parsed only to validate it)
    except ValueError as exc:
        raise ConfigError(f"--endpoint {shown!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise ConfigError(f"--endpoint must be an http(s) URL with a host, not {shown!r}")
    return url


def open_target(
    *,
    endpoint: str | None = None,
    account_id: str | None = None,
    local: bool = False,
    local_faults: Sequence[str] = (),
    token: str | None = None,
    local_token: str | None = None,
    api: str | None = None,
    model: str | None = None,
    openai_endpoint: str | None = None,
    api_base: str | None = None,
) -> AbstractContextManager[Target]:
    """The one target chosen, checked now (a bad one raises :class:`ConfigError` before
    anything starts), for a ``with`` block: *endpoint*, the live API of *account_id*, or
    (*local*) the reference server, started on entry on a free port with *local_faults*
    and stopped on exit; it requires *local_token* (a fresh random token by default).

    *api* picks the surfaces: ``native``, ``openai`` or ``both``; by default both for the
    reference server, the native one for the live API, and an endpoint's own. *model*
    (an endpoint's only) names the model in the OpenAI-compatible surface's bodies;
    *openai_endpoint* (beside a native *endpoint*) is the same target's OpenAI-compatible
    URL, so both surfaces are judged in one run. *api_base* puts the live API of
    *account_id* at another v4 base (the reference server's, in tests)."""
    if openai_endpoint is not None and endpoint is None:
        raise ConfigError("--openai-endpoint needs --endpoint (the same target's native URL)")
    chosen = [
        name
        for name, on in (("--endpoint", endpoint), ("--account-id", account_id), ("--local", local))
        if on
    ]
    if len(chosen) != 1:
        raise ConfigError(
            "choose exactly one target: --endpoint URL, --account-id ID "
            f"or --local (got {', '.join(chosen) or 'none'})"
        )
    if local_faults and not local:
        raise ConfigError("--local-fault needs --local")
    if model is not None and endpoint is None:
        raise ConfigError("--model needs --endpoint: the live API and --local run this model")
    if api_base is not None and account_id is None:
        raise ConfigError("--api-base needs --account-id")
    if endpoint is not None:
        return nullcontext(endpoint_target(endpoint, token, api, model, openai_endpoint))
    if account_id is not None:
        return nullcontext(_surfaces(live_url(account_id, api_base), token, api or "native"))
    return _local_target(local_faults, local_token or secrets.token_urlsafe(16), api)


@contextmanager
def _local_target(faults: Sequence[str], token: str, api: str | None) -> Iterator[Target]:
    from ..server import serve

    with serve(token=token, faults=faults) as server:
        target = _surfaces(server.model_url, token, api or "both")
        yield dataclasses.replace(target, faults=tuple(sorted(set(faults))))


def endpoint_target(
    url: str,
    token: str | None = None,
    api: str | None = None,
    model: str | None = None,
    openai_url: str | None = None,
) -> Target:
    """The target of a model *url* (checked: see :func:`check_endpoint`). *api* ``openai``
    (or ``both``) moves to (or adds) the OpenAI-compatible surface beside a Workers-AI-style
    native URL (``.../ai/run/{model}``); *openai_url* gives that surface's URL, wherever the
    target serves it. An OpenAI-compatible URL serves only its own surface. *model*: see
    ``Target.model``."""
    url = check_endpoint(url)
    if model is not None and not model.strip():
        raise ConfigError("--model must name a model")
    own = Target(url, token).urls
    if api in ("openai", "both") and "openai" not in own and "/ai/run/" not in url:
        raise ConfigError(
            f"--api {api} finds the OpenAI-compatible surface beside a Workers AI URL "
            "(.../ai/run/{model}); give this server's with --openai-endpoint URL, or give "
            "--endpoint its URL ending in /chat/completions"
        )
    if openai_url is not None:
        if "openai" in own:
            raise ConfigError(
                "--openai-endpoint goes with a native --endpoint; this --endpoint is "
                "OpenAI-compatible already (its path ends in /chat/completions)"
            )
        if api not in (None, "both"):
            raise ConfigError(f"--api {api} with --openai-endpoint: both surfaces are judged")
        return Target(url, token, check_endpoint(openai_url), model=model)
    if "openai" in own:
        if api not in (None, "openai"):
            raise ConfigError(f"--api {api}: the endpoint serves openai")
        return Target(url, token, model=model)
    return dataclasses.replace(_surfaces(url, token, api or "native"), model=model)


def _surfaces(native_url: str, token: str | None, api: str) -> Target:
    if api == "openai":
        return Target(openai_url_of(native_url), token)
    return Target(native_url, token, openai_url_of(native_url) if api == "both" else None)
